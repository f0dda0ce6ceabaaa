#include "eigen_unary.hpp"

#include <algorithm>

#include <Eigen/Core>
#include <unsupported/Eigen/SpecialFunctions>

namespace transformers::backend::cpu {

namespace {

using ConstArray = Eigen::Map<const Eigen::ArrayXf>;
using Array = Eigen::Map<Eigen::ArrayXf>;

// 1 / (1 + e^-x), exactly 0 where e^-x overflows, as torch computes it. (Eigen's logistic()
// returns tiny denormals there instead, which turns silu(-1e30) into -3e-9 rather than -0.)
template <typename Expression>
auto sigmoid(const Expression& x) {
  constexpr float kExpOverflow = -88.7228f;  // below this, e^-x is inf in f32
  return (x < kExpOverflow).select(0.0f, 1.0f / (1.0f + (-x).exp()));
}

void apply(Unary op, ConstArray x, Array y, float scalar) {
  constexpr float kSqrtHalf = 0.70710678118654752440f;
  constexpr float kSqrt2OverPi = 0.79788456080286535588f;
  switch (op) {
    case Unary::Gelu: y = 0.5f * x * (1.0f + (x * kSqrtHalf).erf()); break;
    case Unary::GeluTanh: y = 0.5f * x * (1.0f + (kSqrt2OverPi * (x + 0.044715f * x.cube())).tanh()); break;
    case Unary::QuickGelu: y = x * sigmoid((1.702f * x).eval()); break;
    case Unary::Relu: y = x.max(0.0f); break;
    case Unary::Silu: y = x * sigmoid(x); break;
    case Unary::Tanh: y = x.tanh(); break;
    case Unary::Sigmoid: y = sigmoid(x); break;
    case Unary::Scale: y = x * scalar; break;
    case Unary::AddScalar: y = x + scalar; break;
  }
}

}  // namespace

void eigen_unary(Unary op, const float* x, float* out, int64_t n, float scalar) {
  constexpr int64_t kChunk = 16384;  // below this, threads cost more than they save
  const int64_t chunks = (n + kChunk - 1) / kChunk;
#pragma omp parallel for if (chunks > 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = c * kChunk, len = std::min(kChunk, n - begin);
    apply(op, ConstArray(x + begin, len), Array(out + begin, len), scalar);
  }
}

}  // namespace transformers::backend::cpu
