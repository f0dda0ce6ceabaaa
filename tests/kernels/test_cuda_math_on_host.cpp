// The CUDA kernels' per-element maths (kernels/cuda/elementwise_math.hpp) compiled as host code and
// checked against the CPU ops, so that the formulas are tested on machines without a GPU too.
// Plain C++: this file must not include any CUDA header.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "kernels/cuda/elementwise_math.hpp"
#include "transformers/ops/ops.hpp"

namespace gpu = transformers::kernels::cuda;
namespace ops = transformers::ops;
using transformers::Tensor;

namespace {

constexpr double kTolerance = 1e-5;

// Evenly spread values over [-10, 10], random ones, and the awkward ones.
std::vector<float> sample_inputs() {
  std::vector<float> values;
  for (int i = -1000; i <= 1000; ++i) values.push_back(static_cast<float>(i) * 0.01f);
  std::mt19937 generator(5);
  std::uniform_real_distribution<float> uniform(-40.0f, 40.0f);
  for (int i = 0; i < 1000; ++i) values.push_back(uniform(generator));
  for (float special : {0.0f, -0.0f, 1e-30f, -1e-30f, 88.0f, -88.0f, 100.0f, -100.0f}) values.push_back(special);
  return values;
}

bool close(double got, double want) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want);
  return got == want || std::abs(got - want) <= kTolerance * std::max(1.0, std::abs(want));
}

// Counts the elements where f(x) differs from the CPU op's result, reporting the first one.
template <typename Function>
void require_matches(const std::string& name, Function f, const Tensor& cpu_result, const std::vector<float>& inputs) {
  const std::vector<float> want = cpu_result.to_vector<float>();
  REQUIRE(want.size() == inputs.size());
  size_t mismatches = 0;
  std::string first;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const float got = f(inputs[i]);
    if (close(got, want[i])) continue;
    if (mismatches++ == 0)
      first = name + "(" + std::to_string(inputs[i]) + "): device maths " + std::to_string(got) + ", cpu op " +
              std::to_string(want[i]);
  }
  INFO(name << ": " << mismatches << " of " << inputs.size() << " values differ; first " << first);
  CHECK(mismatches == 0);
}

}  // namespace

TEST_CASE("CUDA unary maths matches the CPU ops on the host", "[kernels][cuda-math]") {
  const std::vector<float> inputs = sample_inputs();
  const Tensor x = Tensor::from_vector(inputs);
  auto unary = [](gpu::UnaryOp op, float scalar = 0.0f) {
    return [op, scalar](float v) { return gpu::apply_unary(op, v, scalar); };
  };
  require_matches("gelu", unary(gpu::UnaryOp::Gelu), ops::gelu(x), inputs);
  require_matches("gelu_tanh", unary(gpu::UnaryOp::GeluTanh), ops::gelu_tanh(x), inputs);
  require_matches("quick_gelu", unary(gpu::UnaryOp::QuickGelu), ops::quick_gelu(x), inputs);
  require_matches("relu", unary(gpu::UnaryOp::Relu), ops::relu(x), inputs);
  require_matches("silu", unary(gpu::UnaryOp::Silu), ops::silu(x), inputs);
  require_matches("tanh", unary(gpu::UnaryOp::Tanh), ops::tanh(x), inputs);
  require_matches("sigmoid", unary(gpu::UnaryOp::Sigmoid), ops::sigmoid(x), inputs);
  require_matches("scale", unary(gpu::UnaryOp::Scale, -0.37f), ops::scale(x, -0.37f), inputs);
  require_matches("add_scalar", unary(gpu::UnaryOp::AddScalar, 2.5f), ops::add_scalar(x, 2.5f), inputs);
}

TEST_CASE("CUDA unary maths keeps NaN and saturates", "[kernels][cuda-math]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  CHECK(std::isnan(gpu::relu(nan)));
  CHECK(std::isnan(gpu::gelu_erf(nan)));
  CHECK(gpu::sigmoid(-200.0f) == 0.0f);
  CHECK(gpu::sigmoid(200.0f) == 1.0f);
  CHECK(gpu::silu(200.0f) == 200.0f);
  CHECK(gpu::relu(-0.5f) == 0.0f);
}

TEST_CASE("CUDA binary maths matches the CPU ops on the host", "[kernels][cuda-math]") {
  const std::vector<float> inputs = sample_inputs();
  const Tensor x = Tensor::from_vector(inputs);
  const float other = 1.75f;
  const Tensor y = Tensor::full({1}, other);
  auto binary = [other](gpu::BinaryOp op) { return [op, other](float v) { return gpu::apply_binary(op, v, other); }; };
  require_matches("add", binary(gpu::BinaryOp::Add), ops::add(x, y), inputs);
  require_matches("sub", binary(gpu::BinaryOp::Sub), ops::sub(x, y), inputs);
  require_matches("mul", binary(gpu::BinaryOp::Mul), ops::mul(x, y), inputs);
  require_matches("div", binary(gpu::BinaryOp::Div), ops::div(x, y), inputs);
}

TEST_CASE("CUDA max maths propagates NaN as the CPU max does", "[kernels][cuda-math]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<std::vector<float>> rows = {
      {1.0f, 3.0f, -2.0f}, {nan, 1.0f, 2.0f}, {1.0f, nan, 5.0f}, {4.0f, 1.0f, nan}};
  for (const auto& row : rows) {
    float best = -std::numeric_limits<float>::infinity();
    for (float v : row) best = gpu::nan_propagating_max(best, v);
    const double want = ops::max(Tensor::from_vector(row), 0).item();
    CHECK(close(best, want));
  }
}

TEST_CASE("CUDA normalization maths matches layer_norm and rms_norm on the host", "[kernels][cuda-math]") {
  std::mt19937 generator(9);
  std::uniform_real_distribution<float> uniform(1.0f, 6.0f);
  for (int n : {1, 7, 768}) {
    std::vector<float> row(static_cast<size_t>(n));
    for (float& v : row) v = uniform(generator);
    const Tensor x = Tensor::from_vector(row);
    const float eps = 1e-5f;

    // layer_norm: mean, then 1/std from the squared deviations.
    double total = 0.0;
    for (float v : row) total += v;
    const float mean = static_cast<float>(total / n);
    float squares = 0.0f;
    for (float v : row) squares += (v - mean) * (v - mean);
    const float inv_std = gpu::inverse_root_mean(squares, static_cast<float>(n), eps);
    const std::vector<float> layer_norm = ops::layer_norm(x, Tensor(), Tensor(), eps).to_vector<float>();
    // rms_norm: 1/rms from the squares.
    float sum_of_squares = 0.0f;
    for (float v : row) sum_of_squares += v * v;
    const float inv_rms = gpu::inverse_root_mean(sum_of_squares, static_cast<float>(n), eps);
    const std::vector<float> rms_norm = ops::rms_norm(x, Tensor(), eps).to_vector<float>();

    for (int i = 0; i < n; ++i) {
      INFO("n " << n << " element " << i);
      CHECK(close((row[i] - mean) * inv_std, layer_norm[i]));
      CHECK(close(row[i] * inv_rms, rms_norm[i]));
    }
  }
}
