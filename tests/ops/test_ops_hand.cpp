// Ops checked against values derived by hand, on the device under test (device_under_test.hpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "ops/device_under_test.hpp"
#include "test_util.hpp"
#include "transformers/ops/ops.hpp"

using namespace transformers;

using device_test::dev;

namespace {
Tensor vec(std::vector<float> v, Shape shape) { return dev(Tensor::from_vector(v, shape)); }
}  // namespace

TEST_CASE("linear by hand", "[ops]") {
  // [1 2; 3 4] . [1 0; 1 1]^T + [10, 20] = [1+10, 1+2+20; 3+10, 3+4+20]
  Tensor y = ops::linear(vec({1, 2, 3, 4}, {2, 2}), vec({1, 0, 1, 1}, {2, 2}), vec({10, 20}, {2}));
  CHECK(y.to_vector<float>() == std::vector<float>{11, 23, 13, 27});
}

TEST_CASE("softmax and layer_norm by hand", "[ops]") {
  // softmax([0, ln 3]) = [1/4, 3/4]
  std::vector<float> s = ops::softmax(vec({0.0f, std::log(3.0f)}, {2})).to_vector<float>();
  CHECK(s[0] == Approx(0.25f));
  CHECK(s[1] == Approx(0.75f));
  // layer_norm([1, 3]): mean 2, var 1 -> [-1, 1]; times weight [2, 3] plus bias [1, 1]
  std::vector<float> ln =
      ops::layer_norm(vec({1, 3}, {2}), vec({2, 3}, {2}), vec({1, 1}, {2}), 0.0f).to_vector<float>();
  CHECK(ln[0] == Approx(-1.0f));
  CHECK(ln[1] == Approx(4.0f));
  // rms_norm([3, 4]): rms = sqrt(12.5)
  std::vector<float> rn = ops::rms_norm(vec({3, 4}, {2}), {}, 0.0f).to_vector<float>();
  CHECK(rn[0] == Approx(3.0 / std::sqrt(12.5)));
}

TEST_CASE("activations by hand", "[ops]") {
  Tensor x = vec({-1.0f, 0.0f, 1.0f}, {3});
  std::vector<float> g = ops::gelu(x).to_vector<float>();
  CHECK(g[0] == Approx(-0.15865525393145707).margin(1e-6));  // -Phi(-1)
  CHECK(g[1] == 0.0f);
  CHECK(g[2] == Approx(0.8413447460685429).margin(1e-6));
  CHECK(ops::gelu_tanh(x).to_vector<float>()[2] == Approx(0.8411919906082768).margin(1e-6));
  CHECK(ops::silu(x).to_vector<float>()[2] == Approx(0.7310585786300049).margin(1e-6));
  CHECK(ops::relu(x).to_vector<float>() == std::vector<float>{0, 0, 1});
  CHECK(ops::sigmoid(x).to_vector<float>()[1] == 0.5f);
}

TEST_CASE("embedding, concat, index_select, gather", "[ops]") {
  Tensor table = vec({0, 1, 10, 11, 20, 21}, {3, 2});
  Tensor ids = dev(Tensor::from_vector(std::vector<int64_t>{2, 0, 2, 1}, {2, 2}));
  Tensor e = ops::embedding(table, ids);
  CHECK(e.shape() == Shape{2, 2, 2});
  CHECK(e.to_vector<float>() == std::vector<float>{20, 21, 0, 1, 20, 21, 10, 11});
  CHECK_THROWS_WITH(ops::embedding(table, dev(Tensor::from_vector(std::vector<int64_t>{3}, {1}))),
                    Catch::Contains("id 3") && Catch::Contains("3 rows"));
  CHECK_THROWS_WITH(ops::embedding(table, dev(Tensor::from_vector(std::vector<int64_t>{-1}, {1}))),
                    Catch::Contains("-1"));

  Tensor c = ops::concat({vec({1, 2}, {1, 2}), vec({3, 4, 5, 6}, {2, 2})}, 0);
  CHECK(c.to_vector<float>() == std::vector<float>{1, 2, 3, 4, 5, 6});
  Tensor c1 = ops::concat({vec({1, 2}, {2, 1}), vec({3, 4, 5, 6}, {2, 2})}, 1);
  CHECK(c1.to_vector<float>() == std::vector<float>{1, 3, 4, 2, 5, 6});
  CHECK_THROWS_WITH(ops::concat({vec({1, 2}, {1, 2}), vec({1, 2, 3}, {1, 3})}, 0), Catch::Contains("tensors[1]"));

  Tensor sel = ops::index_select(table, 0, dev(Tensor::from_vector(std::vector<int64_t>{1, 1, -1}, {3})));
  CHECK(sel.to_vector<float>() == std::vector<float>{10, 11, 10, 11, 20, 21});
  CHECK_THROWS_WITH(ops::index_select(table, 1, dev(Tensor::from_vector(std::vector<int64_t>{2}, {1}))),
                    Catch::Contains("out of range"));

  // gather along dim 1: out[i][j] = x[i][index[i][j]]
  Tensor g = ops::gather(table, 1, dev(Tensor::from_vector(std::vector<int64_t>{1, 1, 0, 1, 0, 0}, {3, 2})));
  CHECK(g.to_vector<float>() == std::vector<float>{1, 1, 10, 11, 20, 20});
}

TEST_CASE("reductions, argmax and topk", "[ops]") {
  Tensor x = vec({3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8}, {3, 4});
  CHECK(ops::sum(x, 1).to_vector<float>() == std::vector<float>{9, 22, 21});
  CHECK(ops::mean(x, 0).to_vector<float>() == std::vector<float>{13.0f / 3, 13.0f / 3, 11.0f / 3, 5});
  CHECK(ops::max(x, -1, true).shape() == Shape{3, 1});
  CHECK(ops::max(x, -1).to_vector<float>() == std::vector<float>{4, 9, 8});
  CHECK(ops::argmax(x, 1).to_vector<int64_t>() == std::vector<int64_t>{2, 1, 3});
  CHECK(ops::argmax(x, 0).to_vector<int64_t>() == std::vector<int64_t>{1, 1, 2, 2});  // first maximum wins
  // ties: first index wins
  CHECK(ops::argmax(vec({1, 7, 7}, {3}), 0).item() == 1.0);
  auto [values, indices] = ops::topk(x, 2, 1);
  CHECK(values.to_vector<float>() == std::vector<float>{4, 3, 9, 6, 8, 5});
  CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{2, 0, 1, 3, 3, 0});
  auto [low, low_i] = ops::topk(x, 1, 0, false);
  CHECK(low.to_vector<float>() == std::vector<float>{3, 1, 2, 1});
  CHECK(low_i.shape() == Shape{1, 4});
  auto [tie_v, tie_i] = ops::topk(vec({5, 5, 1, 5}, {4}), 3);
  CHECK(tie_i.to_vector<int64_t>() == std::vector<int64_t>{0, 1, 3});
  CHECK_THROWS_WITH(ops::topk(x, 5, 1), Catch::Contains("k = 5"));
  // NaN propagates through max and wins argmax, as in torch
  std::vector<float> with_nan{1, NAN, 3};
  CHECK(std::isnan(ops::max(vec(with_nan, {3}), 0).item()));
  CHECK(ops::argmax(vec(with_nan, {3}), 0).item() == 1.0);
}

TEST_CASE("ops accept empty tensors as torch does", "[ops][empty]") {
  Tensor none = dev(Tensor::zeros({0, 4}));
  CHECK(ops::add(none, dev(Tensor::zeros({4}))).shape() == Shape{0, 4});
  CHECK(ops::gelu(none).numel() == 0);
  CHECK(ops::softmax(none, -1).shape() == Shape{0, 4});
  CHECK(ops::layer_norm(none, {}, {}, 1e-5f).shape() == Shape{0, 4});
  CHECK(ops::linear(none, dev(Tensor::zeros({3, 4}))).shape() == Shape{0, 3});
  CHECK(ops::matmul(dev(Tensor::zeros({2, 0})), dev(Tensor::zeros({0, 3}))).to_vector<float>() ==
        std::vector<float>(6, 0.0f));
  // An empty product plus a bias is the bias.
  CHECK(ops::linear(dev(Tensor::zeros({2, 0})), dev(Tensor::zeros({3, 0})), vec({1, 2, 3}, {3})).to_vector<float>() ==
        std::vector<float>{1, 2, 3, 1, 2, 3});
  CHECK(ops::sum(dev(Tensor::zeros({2, 0})), 1).to_vector<float>() == std::vector<float>{0, 0});
  CHECK(std::isnan(ops::mean(dev(Tensor::zeros({1, 0})), 1).item()));  // 0 / 0, as torch
  CHECK(ops::concat({none, dev(Tensor::zeros({2, 4}))}, 0).shape() == Shape{2, 4});
  CHECK(ops::embedding(dev(Tensor::zeros({5, 2})), dev(Tensor::zeros({0}, DType::I64))).shape() == Shape{0, 2});
  CHECK_THROWS_WITH(ops::max(dev(Tensor::zeros({2, 0})), 1), Catch::Contains("empty"));
}

TEST_CASE("rope_cos_sin from inverse frequencies by hand", "[ops][rope]") {
  // Positions 0 and 2 with inverse frequencies [1, 0.5]: angles [0, 0 | 2, 1], each repeated for the
  // two halves of head_dim, times the attention scaling 0.5.
  const Tensor positions = dev(Tensor::from_vector(std::vector<int64_t>{0, 2}, {1, 2}));
  auto [cos, sin] = ops::rope_cos_sin(positions, {1.0f, 0.5f}, 0.5f);
  REQUIRE(cos.shape() == Shape{1, 2, 4});
  const std::vector<float> c = cos.to_vector<float>(), s = sin.to_vector<float>();
  const std::vector<float> angles{0, 0, 0, 0, 2, 1, 2, 1};
  for (size_t i = 0; i < angles.size(); ++i) {
    CHECK(c[i] == Approx(0.5f * std::cos(angles[i])));
    CHECK(s[i] == Approx(0.5f * std::sin(angles[i])));
  }
  // The theta form is the default frequencies 1 / theta^(2i / head_dim).
  auto [cos_theta, sin_theta] = ops::rope_cos_sin(positions, 4, 100.0f);
  auto [cos_freq, sin_freq] = ops::rope_cos_sin(positions, {1.0f, 0.1f});
  REQUIRE_CLOSE(cos_theta, cos_freq, 1e-6);
  REQUIRE_CLOSE(sin_theta, sin_freq, 1e-6);
  CHECK_THROWS_WITH(ops::rope_cos_sin(positions, std::vector<float>{}), Catch::Contains("inverse frequencies"));
}
