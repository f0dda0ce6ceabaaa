#pragma once
// The per-element maths of the CUDA kernels, written once as __host__ __device__ functions so the
// same code also compiles as plain C++: tests/kernels/test_cuda_math_on_host.cpp checks it against
// the CPU ops on a machine without a GPU. No CUDA headers here; <math.h> gives the float
// functions (erff, tanhf, expf) that nvcc also provides in device code.
#include <math.h>

#include "transformers/core/half.hpp"  // TRANSFORMERS_HOST_DEVICE

namespace transformers::kernels::cuda {

// The kernels' own op codes, so this header needs nothing from src/ (cuda_backend.cpp maps
// backend::Unary and friends onto them).
enum class UnaryOp : int { Gelu, GeluTanh, QuickGelu, Relu, Silu, Tanh, Sigmoid, Scale, AddScalar };
enum class BinaryOp : int { Add, Sub, Mul, Div, Minimum };
enum class ReduceOp : int { Sum, Mean, Max };

TRANSFORMERS_HOST_DEVICE inline bool is_nan(float x) { return x != x; }

TRANSFORMERS_HOST_DEVICE inline float sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

// "gelu": 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.functional.gelu.
TRANSFORMERS_HOST_DEVICE inline float gelu_erf(float x) {
  constexpr float kSqrtHalf = 0.70710678118654752440f;
  return 0.5f * x * (1.0f + erff(x * kSqrtHalf));
}

// "gelu_new" / "gelu_pytorch_tanh": the tanh approximation.
TRANSFORMERS_HOST_DEVICE inline float gelu_tanh(float x) {
  constexpr float kSqrt2OverPi = 0.79788456080286535588f;
  return 0.5f * x * (1.0f + tanhf(kSqrt2OverPi * (x + 0.044715f * x * x * x)));
}

TRANSFORMERS_HOST_DEVICE inline float quick_gelu(float x) { return x * sigmoid(1.702f * x); }

TRANSFORMERS_HOST_DEVICE inline float silu(float x) { return x * sigmoid(x); }

// NaN stays NaN, as torch.relu.
TRANSFORMERS_HOST_DEVICE inline float relu(float x) { return x > 0.0f || is_nan(x) ? x : 0.0f; }

TRANSFORMERS_HOST_DEVICE inline float apply_unary(UnaryOp op, float x, float scalar) {
  switch (op) {
    case UnaryOp::Gelu: return gelu_erf(x);
    case UnaryOp::GeluTanh: return gelu_tanh(x);
    case UnaryOp::QuickGelu: return quick_gelu(x);
    case UnaryOp::Relu: return relu(x);
    case UnaryOp::Silu: return silu(x);
    case UnaryOp::Tanh: return tanhf(x);
    case UnaryOp::Sigmoid: return sigmoid(x);
    case UnaryOp::Scale: return x * scalar;
    case UnaryOp::AddScalar: return x + scalar;
  }
  return x;  // unreachable: every op is handled above
}

TRANSFORMERS_HOST_DEVICE inline float apply_binary(BinaryOp op, float a, float b) {
  switch (op) {
    case BinaryOp::Add: return a + b;
    case BinaryOp::Sub: return a - b;
    case BinaryOp::Mul: return a * b;
    case BinaryOp::Div: return a / b;
    case BinaryOp::Minimum: return is_nan(a) || is_nan(b) ? a + b : (a < b ? a : b);  // NaN wins, as torch.minimum
  }
  return a;  // unreachable
}

// max that returns NaN when either side is NaN (torch.max), unlike fmaxf which drops it.
TRANSFORMERS_HOST_DEVICE inline float nan_propagating_max(float a, float b) {
  if (is_nan(a)) return a;
  if (is_nan(b)) return b;
  return a > b ? a : b;
}

// 1 / sqrt(total / count + eps): layer_norm's 1/stddev from a row's squared deviations from the
// mean, rms_norm's 1/rms from its squares (the same formula as the CPU row kernels).
TRANSFORMERS_HOST_DEVICE inline float inverse_root_mean(float total, float count, float eps) {
  return 1.0f / sqrtf(total / count + eps);
}

}  // namespace transformers::kernels::cuda
