// Each instruction-set variant of the row kernels against the reference ops.
#include <catch2/catch.hpp>

#include <limits>

#include "kernels/cpu/kernels.hpp"
#include "test_util.hpp"
#include "transformers/ops/reference.hpp"

using namespace transformers;
using kernels::cpu::KernelTable;

TEST_CASE("every supported ISA matches the reference", "[kernels]") {
  const auto tables = kernels::cpu::supported_kernels();
  REQUIRE(!tables.empty());
  WARN("kernel ISAs on this CPU: " << tables.size() << ", best: " << kernels::cpu::best_kernels().name);
  for (const KernelTable* table : tables) {
    INFO("isa " << table->name);
    for (int64_t n : {1, 2, 7, 16, 31, 64, 129, 384, 1031}) {
      INFO("n = " << n);
      Tensor x = test_util::random_tensor({n}, static_cast<uint32_t>(n), -20.0f, 20.0f);
      Tensor w = test_util::random_tensor({n}, 2), b = test_util::random_tensor({n}, 3);
      Tensor mask = test_util::random_tensor({n}, 4, -5.0f, 0.0f);
      Tensor out = Tensor::empty({n});
      table->softmax_row(x.data<float>(), mask.data<float>(), 1, out.data<float>(), n, false);
      REQUIRE_CLOSE(out, ops::reference::softmax(x, mask), 1e-6);
      table->softmax_row(x.data<float>(), nullptr, 0, out.data<float>(), n, true);
      REQUIRE_CLOSE(out, ops::reference::softmax(x, {}, true), 2e-5);
      table->layer_norm_row(x.data<float>(), w.data<float>(), b.data<float>(), 1e-5f, out.data<float>(), n);
      REQUIRE_CLOSE(out, ops::reference::layer_norm(x, w, b, 1e-5f), 1e-4);
      table->rms_norm_row(x.data<float>(), w.data<float>(), 1e-6f, out.data<float>(), n);
      REQUIRE_CLOSE(out, ops::reference::rms_norm(x, w, 1e-6f), 1e-4);
    }
  }
}

TEST_CASE("softmax kernels: exp is accurate across the float range", "[kernels]") {
  // softmax([x, 0]) = [e^x / (e^x + 1), ...]: checks the exponent near both clamps.
  for (const KernelTable* table : kernels::cpu::supported_kernels()) {
    for (float v :
         {-100.0f, -87.0f, -50.0f, -1.0f, 0.0f, 1.0f, 30.0f, 88.0f, 100.0f, std::numeric_limits<float>::lowest()}) {
      float in[2] = {v, 0.0f}, out[2];
      table->softmax_row(in, nullptr, 0, out, 2, false);
      const double expected = 1.0 / (1.0 + std::exp(-static_cast<double>(v)));
      INFO(table->name << " x = " << v);
      CHECK(out[0] == Approx(expected).margin(1e-7).epsilon(2e-6));
    }
  }
}

TEST_CASE("every ISA's fused attention matches the reference", "[kernels][attention]") {
  for (const KernelTable* table : kernels::cpu::supported_kernels()) {
    for (auto [queries, keys, dim] : {std::tuple{1, 1, 8}, {5, 7, 40}, {3, 33, 64}, {16, 16, 80}, {2, 129, 128}}) {
      for (bool causal : {false, true}) {
        for (bool masked : {false, true}) {
          INFO(table->name << " queries " << queries << " keys " << keys << " dim " << dim << " causal " << causal
                           << " masked " << masked);
          Tensor q = test_util::random_tensor({1, 1, queries, dim}, 1),
                 k = test_util::random_tensor({1, 1, keys, dim}, 2);
          Tensor v = test_util::random_tensor({1, 1, keys, dim}, 3);
          Tensor mask = test_util::random_tensor({1, 1, 1, keys}, 4, -4.0f, 0.0f);
          Tensor out = Tensor::empty({1, 1, queries, dim});
          std::vector<float> scratch(static_cast<size_t>(kernels::cpu::attention_scratch_floats(keys, dim)));
          kernels::cpu::AttentionHead head{};
          head.q = q.data<float>();
          head.k = k.data<float>();
          head.v = v.data<float>();
          head.out = out.data<float>();
          head.queries = queries;
          head.keys = keys;
          head.head_dim = dim;
          head.q_stride = head.k_stride = head.v_stride = head.out_stride = dim;
          head.mask = masked ? mask.data<float>() : nullptr;
          head.mask_row_stride = 0;  // one mask row broadcast over the queries
          head.mask_col_stride = 1;
          head.causal = causal;
          head.scale = 1.0f / std::sqrt(static_cast<float>(dim));
          table->attention_head(head, scratch.data());
          ops::AttentionOptions options;
          options.causal = causal;
          if (masked) options.mask = mask;
          REQUIRE_CLOSE(out, ops::reference::attention(q, k, v, options), 1e-5);
        }
      }
    }
  }
}

TEST_CASE("every ISA widens bf16 and f16 exactly and multiplies rows in f32, bf16 and f16", "[kernels][half]") {
  using kernels::cpu::HalfFormat;
  using kernels::cpu::WeightFormat;
  for (const KernelTable* table : kernels::cpu::supported_kernels()) {
    for (int64_t k : {1, 7, 16, 33, 511, 512, 513, 1100}) {
      for (auto [format, dtype] : {std::pair{HalfFormat::BF16, DType::BF16}, {HalfFormat::F16, DType::F16}}) {
        INFO(table->name << " " << dtype_name(dtype) << " k = " << k);
        // Widening is exact: the same bits as the scalar conversion (every dtype's Tensor::to).
        Tensor half = test_util::random_tensor({k}, static_cast<uint32_t>(k), -70000.0f, 70000.0f).to(dtype);
        Tensor widened = Tensor::empty({k});
        table->widen_half(format, static_cast<const uint16_t*>(half.data_ptr()), widened.data<float>(), k);
        CHECK(widened.to_vector<float>() == half.to(DType::F32).to_vector<float>());
      }
      for (auto [format, dtype] : {std::pair{WeightFormat::F32, DType::F32},
                                   {WeightFormat::BF16, DType::BF16},
                                   {WeightFormat::F16, DType::F16}}) {
        INFO(table->name << " " << dtype_name(dtype) << " k = " << k);
        // rows x weight^T with the weight read in its format, against the f32 product of the widened
        // weight; n = 11 leaves a remainder after every group of weight rows the kernels take, and
        // 5 to 11 rows are taken four at a time plus a remainder.
        for (int64_t rows : {1, 2, 3, 4, 5, 8, 11}) {
          const int64_t n = 11;
          Tensor x = test_util::random_tensor({rows, k}, 11), w = test_util::random_tensor({n, k}, 12).to(dtype);
          Tensor out = Tensor::full({rows, n + 2}, -1.0);  // a wider output: out_stride is honoured
          table->dot_rows(format, x.data<float>(), rows, w.data_ptr(), k, out.data<float>(), n + 2, n);
          REQUIRE_CLOSE(out.narrow(1, 0, n), ops::reference::linear(x, w.to(DType::F32)), 1e-4 * std::sqrt(double(k)));
          CHECK(out.narrow(1, n, 2).to_vector<float>() == std::vector<float>(static_cast<size_t>(rows) * 2, -1.0f));
        }
      }
    }
  }
}
