// Views, copies and selection on the device under test (device_under_test.hpp): strided operands,
// transposed masks and matrices, contiguous() and casts of views, writes into a slice (what a KV
// cache does), concat along every axis, and argmax / top-k with NaN and ties — each compared with
// the same work done on the host.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "ops/device_under_test.hpp"
#include "test_util.hpp"
#include "transformers/ops/ops.hpp"
#include "transformers/ops/reference.hpp"

using namespace transformers;
using device_test::dev;
using device_test::random_input;
using device_test::test_device;

namespace {

Tensor host(const Tensor& t) { return t.to(Device::cpu()); }

}  // namespace

TEST_CASE("binary ops read strided and broadcast views", "[ops][views]") {
  const Tensor a = random_input({6, 4}, 1), b = random_input({4, 6}, 2, 0.5f, 3.0f), c = random_input({6, 8}, 3);
  // A transposed operand, and every second column starting at an offset.
  REQUIRE_CLOSE(ops::div(a, b.transpose(0, 1)), ops::div(host(a), host(b).transpose(0, 1).contiguous()), 1e-6);
  REQUIRE_CLOSE(ops::mul(c.slice(1, 1, 8, 2), b.transpose(0, 1)),
                ops::mul(host(c).slice(1, 1, 8, 2).contiguous(), host(b).transpose(0, 1).contiguous()), 0.0);
  // Broadcast in every position.
  for (auto [shape_a, shape_b] : {std::pair<Shape, Shape>{{2, 3, 4}, {4}},
                                  {{2, 3, 4}, {2, 1, 4}},
                                  {{2, 3, 4}, {3, 1}},
                                  {{1, 5}, {4, 1}},
                                  {{7}, {1}}}) {
    INFO(shape_str(shape_a) << " and " << shape_str(shape_b));
    const Tensor x = random_input(shape_a, 4), y = random_input(shape_b, 5, 0.5f, 3.0f);
    REQUIRE_CLOSE(ops::sub(x, y), ops::sub(host(x), host(y)), 0.0);
    REQUIRE_CLOSE(ops::sub(y, x), ops::sub(host(y), host(x)), 0.0);
    REQUIRE_CLOSE(ops::minimum(x, y), ops::minimum(host(x), host(y)), 0.0);
  }
  const std::vector<float> with_nan{1.0f, NAN, -2.0f};
  const std::vector<float> got =
      ops::minimum(dev(Tensor::from_vector(with_nan, {3})), dev(Tensor::from_vector<float>({0.0f, 5.0f, -3.0f}, {3})))
          .to_vector<float>();
  CHECK(got[0] == 0.0f);
  CHECK(std::isnan(got[1]));  // NaN wins, as torch.minimum
  CHECK(got[2] == -3.0f);
}

TEST_CASE("softmax takes attention-style, broadcast and transposed masks", "[ops][views][softmax]") {
  const Tensor scores = random_input({2, 3, 5, 7}, 6);
  const float masked = std::numeric_limits<float>::lowest();
  std::vector<float> padding(2 * 7, 0.0f);
  for (int key = 4; key < 7; ++key) padding[static_cast<size_t>(7 + key)] = masked;
  const Tensor padding_mask = dev(Tensor::from_vector(padding, {2, 1, 1, 7}));
  const Tensor transposed = random_input({2, 3, 7, 5}, 7).transpose(2, 3);  // last dimension strided
  for (bool log : {false, true}) {
    INFO((log ? "log_softmax" : "softmax"));
    auto op = [log](const Tensor& x, const Tensor& mask) {
      return log ? ops::log_softmax(x, -1, mask) : ops::softmax(x, -1, mask);
    };
    REQUIRE_CLOSE(op(scores, padding_mask), ops::reference::softmax(host(scores), host(padding_mask), log), 1e-5);
    REQUIRE_CLOSE(op(scores, transposed), ops::reference::softmax(host(scores), host(transposed).contiguous(), log),
                  1e-5);
  }
  // Every axis of a 3-D input, and a mask constant along the last dimension (whole rows masked: uniform).
  const Tensor x = random_input({4, 5, 6}, 8);
  for (int64_t axis = 0; axis < 3; ++axis) REQUIRE_CLOSE(ops::softmax(x, axis), ops::softmax(host(x), axis), 1e-6);
  std::vector<float> rows(2 * 3 * 5, 0.0f);
  rows[4] = masked;
  const std::vector<float> p =
      ops::softmax(scores, -1, dev(Tensor::from_vector(rows, {2, 3, 5, 1}))).to_vector<float>();
  for (int key = 0; key < 7; ++key) CHECK(p[static_cast<size_t>(4 * 7 + key)] == Approx(1.0 / 7.0).epsilon(1e-5));
}

TEST_CASE("matmul and linear take transposed views and broadcast batches", "[ops][views][matmul]") {
  const Tensor a = random_input({2, 7, 5}, 9, -1.0f, 1.0f), b = random_input({2, 6, 7}, 10, -1.0f, 1.0f);
  for (bool ta : {false, true})
    for (bool tb : {false, true}) {
      INFO("transpose_a " << ta << " transpose_b " << tb);
      // The product a^T . b^T [2, 5, 6], with each operand given as stored (and its flag set) or transposed.
      const Tensor left = ta ? a : a.transpose(1, 2).contiguous(), right = tb ? b : b.transpose(1, 2).contiguous();
      const Tensor ha = host(a).transpose(1, 2).contiguous(), hb = host(b).transpose(1, 2).contiguous();
      REQUIRE_CLOSE(ops::matmul(left, right, ta, tb), ops::reference::matmul(ha, hb), 1e-4);
    }
  // Views whose last two dimensions are swapped in memory are used without a copy.
  REQUIRE_CLOSE(ops::matmul(a.transpose(1, 2), b.transpose(1, 2)),
                ops::reference::matmul(host(a).transpose(1, 2).contiguous(), host(b).transpose(1, 2).contiguous()),
                1e-4);
  // Batches broadcast from size 1 on either side.
  const Tensor p = random_input({2, 1, 5, 6}, 11, -1.0f, 1.0f), q = random_input({1, 3, 6, 7}, 12, -1.0f, 1.0f);
  REQUIRE_CLOSE(ops::matmul(p, q), ops::matmul(host(p), host(q)), 1e-4);
  // linear on a selected row block and with a weight stored [in, out].
  const Tensor x = random_input({2, 5, 33}, 13, -1.0f, 1.0f), stored = random_input({33, 17}, 14, -1.0f, 1.0f);
  const Tensor bias = random_input({17}, 15);
  REQUIRE_CLOSE(
      ops::linear(x.select(0, 1), stored.transpose(0, 1), bias),
      ops::reference::linear(host(x).select(0, 1).contiguous(), host(stored).transpose(0, 1).contiguous(), host(bias)),
      1e-4);
}

TEST_CASE("contiguous, casts and copies of strided views stay exact", "[ops][views][copy]") {
  const Tensor x = random_input({4, 5, 6}, 16);
  const Tensor hx = host(x);
  CHECK(x.transpose(0, 2).contiguous().device() == test_device());
  CHECK(x.transpose(0, 2).contiguous().to_vector<float>() == hx.transpose(0, 2).contiguous().to_vector<float>());
  CHECK(x.slice(1, 1, 5, 2).contiguous().to_vector<float>() == hx.slice(1, 1, 5, 2).contiguous().to_vector<float>());
  REQUIRE_CLOSE(ops::gelu(x.transpose(1, 2)), ops::gelu(hx.transpose(1, 2)), 1e-6);
  REQUIRE_CLOSE(ops::sum(x, 0), ops::sum(hx, 0), 1e-5);
  REQUIRE_CLOSE(ops::max(x, 1), ops::max(hx, 1), 0.0);
  // Casts between every pair of dtypes give the host's conversion (PyTorch's rules), views included.
  const Tensor values = dev(Tensor::from_vector<float>(
      {-70000.5f, -2.75f, -1.0f, -0.0f, 0.0f, 0.4f, 1.5f, 2.5f, 127.9f, 300.0f, 65504.0f, 1e20f}, {3, 4}));
  // Integer sources hold small non-negative values (made from integers: out-of-range conversions are undefined).
  const Tensor counts = dev(Tensor::from_vector<int64_t>({0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 100}, {3, 4}));
  for (DType from : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I64, DType::I32, DType::I16, DType::I8,
                     DType::U8, DType::Bool}) {
    const Tensor source = is_floating(from) ? values.to(from) : counts.to(from);
    for (DType to : {DType::F32, DType::F16, DType::BF16, DType::F64, DType::I64, DType::I32, DType::Bool}) {
      INFO(dtype_name(from) << " -> " << dtype_name(to));
      if (is_floating(from) && !is_floating(to) && to != DType::Bool) continue;  // out-of-range float -> int is UB
      CHECK(source.to(to).to_vector<double>() == host(source).to(to).to_vector<double>());
      CHECK(source.transpose(0, 1).to(to).to_vector<double>() ==
            host(source).transpose(0, 1).to(to).to_vector<double>());
    }
  }
}

TEST_CASE("a write into a slice changes only that slice, as a KV cache append does", "[ops][views][copy]") {
  Tensor cache = dev(Tensor::zeros({2, 3, 8, 4}));  // [batch, heads, positions, head_dim]
  const Tensor step = random_input({2, 3, 2, 4}, 17);
  Tensor slot = cache.narrow(2, 5, 2);
  slot.copy_from(step);
  const Tensor back = host(cache);
  CHECK(back.narrow(2, 5, 2).contiguous().to_vector<float>() == host(step).to_vector<float>());
  CHECK(back.narrow(2, 0, 5).contiguous().to_vector<float>() == std::vector<float>(2 * 3 * 5 * 4, 0.0f));
  CHECK(back.narrow(2, 7, 1).contiguous().to_vector<float>() == std::vector<float>(2 * 3 * 4, 0.0f));
  // From the host into a device slice, with a conversion on the way.
  Tensor half_cache = dev(Tensor::zeros({4, 6}, DType::BF16));
  half_cache.narrow(1, 2, 3).copy_from(test_util::random_tensor({4, 3}, 18));
  CHECK(host(half_cache).narrow(1, 2, 3).to(DType::F32).contiguous().to_vector<float>() ==
        test_util::random_tensor({4, 3}, 18).to(DType::BF16).to(DType::F32).to_vector<float>());
}

TEST_CASE("concat joins along every axis", "[ops][views][concat]") {
  const Tensor a = random_input({2, 3, 4}, 19), b = random_input({2, 3, 4}, 20), c = random_input({2, 3, 4}, 21);
  for (int64_t axis = 0; axis < 3; ++axis) {
    INFO("axis " << axis);
    const Tensor joined = ops::concat({a, b.transpose(0, 1).contiguous().transpose(0, 1), c}, axis);
    CHECK(joined.device() == test_device());
    CHECK(joined.to_vector<float>() == ops::concat({host(a), host(b), host(c)}, axis).to_vector<float>());
  }
}

TEST_CASE("argmax and topk follow torch's NaN and tie order on long rows", "[ops][views][select]") {
  std::vector<float> values(3 * 1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>((i * 7919) % 101) - 50.0f;  // many ties
  values[1000 + 517] = NAN;
  values[2000 + 3] = 1e30f;
  const Tensor x = dev(Tensor::from_vector(values, {3, 1000}));
  const Tensor hx = host(x);
  CHECK(ops::argmax(x, 1).to_vector<int64_t>() == ops::argmax(hx, 1).to_vector<int64_t>());
  CHECK(ops::argmax(x, 1).to_vector<int64_t>()[1] == 517);
  for (int64_t k : {1, 5, 50}) {
    for (bool largest : {true, false}) {
      INFO("k " << k << " largest " << largest);
      auto [v, i] = ops::topk(x, k, 1, largest);
      auto [hv, hi] = ops::topk(hx, k, 1, largest);
      CHECK(i.to_vector<int64_t>() == hi.to_vector<int64_t>());
      const std::vector<float> got = v.to_vector<float>(), want = hv.to_vector<float>();
      for (size_t j = 0; j < got.size(); ++j) CHECK((got[j] == want[j] || (std::isnan(got[j]) && std::isnan(want[j]))));
      CHECK(v.device() == test_device());
    }
  }
  // Along the first axis too (results moved back into place).
  auto [v0, i0] = ops::topk(x, 2, 0);
  CHECK(i0.shape() == Shape{2, 1000});
  CHECK(i0.to_vector<int64_t>() == ops::topk(hx, 2, 0).second.to_vector<int64_t>());
}
