// Every op against its plain reference version (ops/reference.hpp) on seeded random inputs,
// including odd sizes, broadcasting and strided inputs, on the device under test
// (device_under_test.hpp: the CPU in test_ops, a GPU in test_cuda).
#include <catch2/catch.hpp>

#include "ops/device_under_test.hpp"
#include "test_util.hpp"
#include "transformers/ops/ops.hpp"
#include "transformers/ops/reference.hpp"

using namespace transformers;
using device_test::dev;
using device_test::random_input;

TEST_CASE("linear matches the reference", "[ops][linear]") {
  for (auto [rows, in, out] : {std::tuple{1, 1, 1}, {1, 384, 1536}, {7, 32, 48}, {33, 65, 17}, {128, 768, 64}}) {
    Tensor x = random_input({rows, in}, 1), w = random_input({out, in}, 2), b = random_input({out}, 3);
    REQUIRE_CLOSE(ops::linear(x, w, b), ops::reference::linear(x, w, b), 1e-4);
    REQUIRE_CLOSE(ops::linear(x, w), ops::reference::linear(x, w), 1e-4);
  }
  Tensor x3 = random_input({2, 5, 16}, 4), w = random_input({8, 16}, 5);
  CHECK(ops::linear(x3, w).shape() == Shape{2, 5, 8});
  REQUIRE_CLOSE(ops::linear(x3, w), ops::reference::linear(x3, w), 1e-4);
  // A weight that is a transposed view is used without a copy and still gives the right answer.
  Tensor w_t = random_input({16, 8}, 6).transpose(0, 1);
  REQUIRE_CLOSE(ops::linear(x3, w_t), ops::reference::linear(x3, w_t.contiguous()), 1e-4);
  // A strided input is accepted.
  Tensor x_strided = random_input({16, 10}, 7).transpose(0, 1);
  REQUIRE_CLOSE(ops::linear(x_strided, w), ops::reference::linear(x_strided.contiguous(), w), 1e-4);
}

TEST_CASE("linear reads bf16 and f16 weights as they are stored", "[ops][linear][half]") {
  // Few rows stream the half weight (decoding); more rows go through a GEMM on widened blocks or, on
  // CPUs with native bf16 (AVX512_BF16, AMX), a bf16 GEMM that first rounds the input to bf16: the
  // result is the reference's for the input as given or for the input rounded to bf16.
  for (DType dtype : {DType::BF16, DType::F16}) {
    for (auto [rows, in, out] :
         {std::tuple{1, 1, 1}, {1, 384, 1536}, {4, 520, 33}, {16, 64, 96}, {17, 65, 17}, {64, 768, 300}}) {
      INFO(dtype_name(dtype) << " rows " << rows << " in " << in << " out " << out);
      Tensor x = random_input({rows, in}, 1), w = random_input({out, in}, 2).to(dtype), b = random_input({out}, 3);
      Tensor residual = random_input({rows, out}, 4);
      const Tensor expected = ops::reference::linear(x, w.to(DType::F32), b);
      const Tensor expected_bf16_input = ops::reference::linear(x.to(DType::BF16).to(DType::F32), w.to(DType::F32), b);
      const double tolerance = 1e-2 + 4e-3 * std::sqrt(static_cast<double>(in));
      auto check = [&](const Tensor& ours, const Tensor& with_input, const Tensor& with_bf16_input) {
        const double diff =
            std::min(test_util::max_abs_diff(ours, with_input), test_util::max_abs_diff(ours, with_bf16_input));
        INFO("max abs diff " << diff << " (tolerance " << tolerance << ")");
        REQUIRE(diff <= tolerance);
      };
      check(ops::linear(x, w, b), expected, expected_bf16_input);
      for (const char* act : {"gelu", "silu"}) {
        INFO(act);
        check(ops::linear(x, w, b, {.activation = act, .residual = residual}),
              ops::add(ops::activation(dev(expected), act), residual),
              ops::add(ops::activation(dev(expected_bf16_input), act), residual));
      }
    }
  }
  // No input features: every output is the bias, as torch gives it.
  for (DType dtype : {DType::BF16, DType::F16})
    for (int64_t rows : {5, 40}) {
      Tensor b = random_input({7}, 3);
      CHECK(ops::linear(dev(Tensor::zeros({rows, 0})), dev(Tensor::zeros({7, 0}, dtype)), b).to_vector<float>() ==
            b.unsqueeze(0).expand({rows, 7}).contiguous().to_vector<float>());
    }
  CHECK_THROWS_WITH(ops::linear(random_input({2, 4}, 1), Tensor::zeros({3, 4}, DType::I32)),
                    Catch::Contains("weight must be float32, bfloat16 or float16"));
}

TEST_CASE("embedding widens the rows it looks up from a half-precision table", "[ops][embedding][half]") {
  Tensor table = random_input({50, 33}, 1);
  Tensor ids = dev(Tensor::from_vector<int64_t>({3, 0, 49, 3, 17, 8}, {2, 3}));
  for (DType dtype : {DType::BF16, DType::F16}) {
    INFO(dtype_name(dtype));
    Tensor half = table.to(dtype);
    CHECK(ops::embedding(half, ids).to_vector<float>() == ops::embedding(half.to(DType::F32), ids).to_vector<float>());
  }
}

TEST_CASE("float ops widen bf16 and f16 inputs and compute in f32", "[ops][half]") {
  Tensor x = random_input({3, 8}, 1), w = random_input({8}, 2), b = random_input({8}, 3);
  for (DType dtype : {DType::BF16, DType::F16}) {
    Tensor x16 = x.to(dtype), x16_f32 = x16.to(DType::F32);
    CHECK(ops::layer_norm(x16, w.to(dtype), b, 1e-5f).to_vector<float>() ==
          ops::layer_norm(x16_f32, w.to(dtype).to(DType::F32), b, 1e-5f).to_vector<float>());
    CHECK(ops::add(x16, x).to_vector<float>() == ops::add(x16_f32, x).to_vector<float>());
    CHECK(ops::softmax(x16).to_vector<float>() == ops::softmax(x16_f32).to_vector<float>());
    CHECK(ops::gelu(x16).dtype() == DType::F32);
  }
  CHECK_THROWS_WITH(ops::gelu(Tensor::zeros({2}, DType::I64)), Catch::Contains("gelu: input must be float32"));
}

TEST_CASE("linear with an epilogue equals the composed activation and residual add", "[ops][linear]") {
  for (auto [rows, in, out] : {std::tuple{1, 8, 8}, {3, 384, 1536}, {33, 65, 17}, {128, 64, 96}}) {
    Tensor x = random_input({rows, in}, 1, -2.0f, 2.0f), w = random_input({out, in}, 2), b = random_input({out}, 3);
    Tensor residual = random_input({rows, out}, 4);
    const Tensor plain = dev(ops::reference::linear(x, w, b));
    // GELU / GELU-tanh / ReLU run as oneDNN post-ops; the others after the GEMM.
    for (const char* act : {"gelu", "gelu_new", "relu", "silu", "quick_gelu", "tanh", "sigmoid"}) {
      INFO(act);
      REQUIRE_CLOSE(ops::linear(x, w, b, {.activation = act}), ops::activation(plain, act), 1e-4);
      REQUIRE_CLOSE(ops::linear(x, w, b, {.activation = act, .residual = residual}),
                    ops::add(ops::activation(plain, act), residual), 1e-4);
    }
    REQUIRE_CLOSE(ops::linear(x, w, b, {.residual = residual}), ops::add(plain, residual), 1e-4);
    REQUIRE_CLOSE(ops::linear(x, w, {}, {.residual = residual}), ops::add(dev(ops::reference::linear(x, w)), residual),
                  1e-4);
  }
  // A 3-D input and a strided residual.
  Tensor x3 = random_input({2, 5, 16}, 4), w = random_input({8, 16}, 5), b = random_input({8}, 6);
  Tensor residual = random_input({2, 8, 5}, 7).transpose(1, 2);
  REQUIRE_CLOSE(ops::linear(x3, w, b, {.activation = "gelu", .residual = residual}),
                ops::add(ops::gelu(dev(ops::reference::linear(x3, w, b))), residual), 1e-4);
  CHECK_THROWS_WITH(ops::linear(x3, w, b, {.residual = random_input({2, 5, 7}, 8)}), Catch::Contains("residual"));
  CHECK_THROWS_WITH(ops::linear(x3, w, b, {.activation = "nope"}), Catch::Contains("unknown activation"));
}

TEST_CASE("linear rejects mismatched arguments by name", "[ops][linear]") {
  Tensor x = random_input({2, 4}, 1), w = random_input({3, 5}, 2);
  CHECK_THROWS_WITH(ops::linear(x, w), Catch::Contains("in_features = 5"));
  CHECK_THROWS_WITH(ops::linear(x, random_input({3, 4}, 2), random_input({4}, 3)), Catch::Contains("bias"));
  CHECK_THROWS_WITH(ops::linear(x.to(DType::I32), random_input({3, 4}, 2)), Catch::Contains("input must be float32"));
}

TEST_CASE("matmul matches the reference with broadcasting and transposes", "[ops][matmul]") {
  Tensor a = random_input({3, 5, 7}, 1), b = random_input({3, 7, 4}, 2);
  REQUIRE_CLOSE(ops::matmul(a, b), ops::reference::matmul(a, b), 1e-4);
  Tensor b2 = random_input({7, 4}, 3);
  REQUIRE_CLOSE(ops::matmul(a, b2), ops::reference::matmul(a, b2.unsqueeze(0)), 1e-4);
  // transpose flags
  Tensor bt = b.transpose(1, 2).contiguous();  // [3, 4, 7]
  REQUIRE_CLOSE(ops::matmul(a, bt, false, true), ops::reference::matmul(a, b), 1e-4);
  Tensor at = a.transpose(1, 2).contiguous();
  REQUIRE_CLOSE(ops::matmul(at, b, true, false, 0.5f), ops::scale(dev(ops::reference::matmul(a, b)), 0.5f), 1e-4);
  // 4-D attention-like shapes with batch broadcast from a size-1 dim
  Tensor q = random_input({2, 3, 6, 8}, 4), k = random_input({1, 3, 8, 6}, 5);
  Tensor got = ops::matmul(q, k);
  CHECK(got.shape() == Shape{2, 3, 6, 6});
  Tensor expected = ops::reference::matmul(q.reshape({6, 6, 8}), k.expand({2, 3, 8, 6}).reshape({6, 8, 6}));
  REQUIRE_CLOSE(got.reshape({6, 6, 6}), expected, 1e-4);
  // vectors
  Tensor v = random_input({7}, 6);
  CHECK(ops::matmul(a, v).shape() == Shape{3, 5});
  CHECK(ops::matmul(v, b2).shape() == Shape{4});
  CHECK_THROWS_WITH(ops::matmul(a, a), Catch::Contains("inner dimensions"));
  CHECK_THROWS_WITH(ops::matmul(random_input({2, 3, 4}, 1), random_input({3, 4, 2}, 1)), Catch::Contains("broadcast"));
}

TEST_CASE("activations match the reference", "[ops][activation]") {
  Tensor x = random_input({1000}, 1, -10.0f, 10.0f);
  for (const char* name :
       {"gelu", "gelu_new", "gelu_pytorch_tanh", "quick_gelu", "relu", "silu", "swish", "tanh", "sigmoid"}) {
    INFO(name);
    REQUIRE_CLOSE(ops::activation(x, name), ops::reference::unary(x, name), 2e-6);
  }
  // Large inputs exercise the multi-threaded chunks.
  Tensor big = random_input({70000}, 2, -6.0f, 6.0f);
  REQUIRE_CLOSE(ops::gelu(big), ops::reference::unary(big, "gelu"), 2e-6);
  CHECK_THROWS_WITH(ops::activation(x, "mish"), Catch::Contains("mish") && Catch::Contains("gelu_new"));
}

TEST_CASE("binary ops broadcast like torch", "[ops][elementwise]") {
  Tensor a = random_input({2, 3, 4}, 1), row = random_input({4}, 2), col = random_input({2, 1, 1}, 3);
  std::vector<float> av = a.to_vector<float>(), rv = row.to_vector<float>(), cv = col.to_vector<float>();
  std::vector<float> sum = ops::add(a, row).to_vector<float>(), quotient = ops::div(col, a).to_vector<float>();
  std::vector<float> product = ops::mul(a.transpose(0, 2), col.transpose(0, 2)).to_vector<float>();
  for (int i = 0; i < 24; ++i) {
    CHECK(sum[i] == av[i] + rv[i % 4]);
    CHECK(quotient[i] == cv[i / 12] / av[i]);
  }
  CHECK(ops::sub(a, a).to_vector<float>() == std::vector<float>(24, 0.0f));
  CHECK(product.size() == 24);
  CHECK(ops::scale(row, 2.0f).to_vector<float>()[1] == rv[1] * 2.0f);
  CHECK(ops::add_scalar(row, 1.0f).to_vector<float>()[2] == rv[2] + 1.0f);
  CHECK_THROWS_WITH(ops::add(a, random_input({3}, 1)), Catch::Contains("do not broadcast"));
}

TEST_CASE("softmax matches the reference over any axis, with masks", "[ops][softmax]") {
  Tensor x = random_input({2, 3, 5, 17}, 1, -8.0f, 8.0f);
  REQUIRE_CLOSE(ops::softmax(x), ops::reference::softmax(x), 1e-6);
  REQUIRE_CLOSE(ops::log_softmax(x), ops::reference::softmax(x, {}, true), 1e-5);
  // Middle axis: compare against moving that axis last by hand.
  REQUIRE_CLOSE(ops::softmax(x, 1), ops::reference::softmax(x.transpose(1, 3).contiguous()).transpose(1, 3), 1e-6);
  // Additive padding mask [B, 1, 1, L] with finfo.min entries, one row fully masked.
  std::vector<float> keep(2 * 17, 0.0f);
  for (int j = 0; j < 10; ++j) keep[j] = 0.0f;
  for (int j = 10; j < 17; ++j) keep[j] = std::numeric_limits<float>::lowest();
  for (int j = 17; j < 34; ++j) keep[j] = std::numeric_limits<float>::lowest();
  Tensor mask = dev(Tensor::from_vector(keep, {2, 1, 1, 17}));
  Tensor got = ops::softmax(x, -1, mask);
  REQUIRE_CLOSE(got, ops::reference::softmax(x, mask), 1e-6);
  std::vector<float> g = got.to_vector<float>();
  CHECK(g[10] == 0.0f);                                    // masked
  CHECK(g[3 * 5 * 17] == Approx(1.0 / 17).epsilon(1e-5));  // fully masked row: uniform, as transformers
  REQUIRE_CLOSE(ops::log_softmax(x, -1, mask).slice(0, 0, 1).slice(3, 0, 10),
                ops::reference::softmax(x, mask, true).slice(0, 0, 1).slice(3, 0, 10), 1e-5);
}

TEST_CASE("softmax and norms match the reference at every row length", "[ops][softmax][norm]") {
  // Odd lengths leave vector remainders (on the CPU the ops use the best ISA; tests/kernels checks
  // each one's table directly) and partial warps (on a GPU).
  for (int64_t n : {1, 3, 8, 15, 16, 17, 63, 64, 65, 768, 1000}) {
    INFO("n = " << n);
    Tensor x = random_input({3, n}, static_cast<uint32_t>(n), -5.0f, 5.0f);
    Tensor w = random_input({n}, 2), b = random_input({n}, 3);
    REQUIRE_CLOSE(ops::softmax(x), ops::reference::softmax(x), 1e-6);
    REQUIRE_CLOSE(ops::layer_norm(x, w, b, 1e-12f), ops::reference::layer_norm(x, w, b, 1e-12f), 1e-4);
    REQUIRE_CLOSE(ops::layer_norm(x, {}, {}, 1e-5f), ops::reference::layer_norm(x, {}, {}, 1e-5f), 1e-4);
    REQUIRE_CLOSE(ops::rms_norm(x, w, 1e-6f), ops::reference::rms_norm(x, w, 1e-6f), 1e-4);
  }
  CHECK_THROWS_WITH(ops::layer_norm(random_input({2, 4}, 1), random_input({3}, 1), {}, 1e-5f),
                    Catch::Contains("weight") && Catch::Contains("[4]"));
}

TEST_CASE("attention matches the reference", "[ops][attention]") {
  Tensor q = random_input({2, 4, 5, 8}, 1), k = random_input({2, 4, 7, 8}, 2), v = random_input({2, 4, 7, 8}, 3);
  REQUIRE_CLOSE(ops::attention(q, k, v), ops::reference::attention(q, k, v), 1e-5);

  ops::AttentionOptions padded;
  padded.mask = dev(Tensor::from_vector(std::vector<int64_t>{1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, {2, 7}));
  Tensor got = ops::attention(q, k, v, padded);
  REQUIRE_CLOSE(got, ops::reference::attention(q, k, v, padded), 1e-5);
  // Batch 1 is fully masked: every query averages all values uniformly, as transformers does.
  Tensor mean_v = ops::mean(v.select(0, 1), 1, true).expand({4, 5, 8});
  REQUIRE_CLOSE(got.select(0, 1), mean_v, 1e-5);

  ops::AttentionOptions causal;
  causal.causal = true;
  REQUIRE_CLOSE(ops::attention(q, k, v, causal), ops::reference::attention(q, k, v, causal), 1e-5);
  causal.mask = padded.mask;
  REQUIRE_CLOSE(ops::attention(q, k, v, causal), ops::reference::attention(q, k, v, causal), 1e-5);

  // Grouped-query attention: 8 query heads share 2 kv heads.
  Tensor q8 = random_input({1, 8, 6, 16}, 4), k2 = random_input({1, 2, 6, 16}, 5), v2 = random_input({1, 2, 6, 16}, 6);
  ops::AttentionOptions gqa;
  gqa.causal = true;
  gqa.scale = 0.3f;
  REQUIRE_CLOSE(ops::attention(q8, k2, v2, gqa), ops::reference::attention(q8, k2, v2, gqa), 1e-5);

  // A float additive mask.
  ops::AttentionOptions additive;
  additive.mask = random_input({2, 1, 5, 7}, 7, -3.0f, 0.0f);
  REQUIRE_CLOSE(ops::attention(q, k, v, additive), ops::reference::attention(q, k, v, additive), 1e-5);

  // Gemma 2's soft-capped scores (tanh before the mask), with grouped-query heads and a causal mask.
  ops::AttentionOptions capped = gqa;
  capped.softcap = 1.5f;
  REQUIRE_CLOSE(ops::attention(q8, k2, v2, capped), ops::reference::attention(q8, k2, v2, capped), 1e-5);
  CHECK(test_util::max_abs_diff(ops::attention(q8, k2, v2, capped), ops::attention(q8, k2, v2, gqa)) > 1e-3);
  capped.softcap = 0.0f;
  CHECK_THROWS_WITH(ops::attention(q8, k2, v2, capped), Catch::Contains("softcap"));

  // Heads as views of [B, L, H * D] projections (what split_heads gives): read in place; the
  // output is a [B, H, Lq, D] view of [B, Lq, H, D] memory.
  Tensor qs = random_input({2, 5, 4 * 8}, 8).view({2, 5, 4, 8}).transpose(1, 2);
  Tensor ks = random_input({2, 7, 4 * 8}, 9).view({2, 7, 4, 8}).transpose(1, 2);
  Tensor vs = random_input({2, 7, 4 * 8}, 10).view({2, 7, 4, 8}).transpose(1, 2);
  Tensor strided = ops::attention(qs, ks, vs, padded);
  REQUIRE_CLOSE(strided, ops::reference::attention(qs.contiguous(), ks.contiguous(), vs.contiguous(), padded), 1e-5);
  CHECK(strided.transpose(1, 2).is_contiguous());
  // A view whose last dimension is strided is copied first.
  Tensor qt = random_input({2, 4, 8, 5}, 11).transpose(2, 3);
  REQUIRE_CLOSE(ops::attention(qt, k, v), ops::reference::attention(qt.contiguous(), k, v), 1e-5);

  CHECK_THROWS_WITH(ops::attention(q8, random_input({1, 3, 6, 16}, 1), random_input({1, 3, 6, 16}, 1)),
                    Catch::Contains("multiple"));
  ops::AttentionOptions bad;
  bad.mask = Tensor::zeros({2, 6}, DType::I64);
  CHECK_THROWS_WITH(ops::attention(q, k, v, bad), Catch::Contains("padding mask"));
}

TEST_CASE("large inputs take the multi-threaded paths and still match", "[ops][threads]") {
  Tensor x = random_input({300, 301}, 11, -4.0f, 4.0f), w = random_input({301}, 12), b = random_input({301}, 13);
  REQUIRE_CLOSE(ops::softmax(x), ops::reference::softmax(x), 1e-6);
  REQUIRE_CLOSE(ops::layer_norm(x, w, b, 1e-5f), ops::reference::layer_norm(x, w, b, 1e-5f), 1e-4);
  REQUIRE_CLOSE(ops::rms_norm(x, w, 1e-6f), ops::reference::rms_norm(x, w, 1e-6f), 1e-4);
  REQUIRE_CLOSE(ops::add(x, b), ops::add(x.contiguous(), b), 0.0);
  Tensor q = random_input({2, 4, 64, 64}, 14), k = random_input({2, 4, 64, 64}, 15),
         v = random_input({2, 4, 64, 64}, 16);
  ops::AttentionOptions causal;
  causal.causal = true;
  REQUIRE_CLOSE(ops::attention(q, k, v, causal), ops::reference::attention(q, k, v, causal), 1e-5);
}
