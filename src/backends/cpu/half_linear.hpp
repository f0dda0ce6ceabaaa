#pragma once
// Linear layers whose weights stay in bf16 or f16 (Backend::linear): the weight is read in its own
// format and widened as it goes, never converted whole.
#include <cstdint>

#include "../../../kernels/cpu/kernels.hpp"
#include "dnnl_matmul.hpp"

namespace transformers::backend::cpu {

struct HalfLinear {
  const float* x;  // [m, k] contiguous
  int64_t m, k;
  const uint16_t* w;  // [n, k] contiguous
  int64_t n;
  kernels::cpu::HalfFormat format;
  const float* bias;  // [n] or null
  float* out;         // [m, n] contiguous
  PostActivation activation = PostActivation::None;
  const float* residual = nullptr;  // [m, n] or null, added after the activation
};

// out = activation(x . w^T + bias) + residual, by one of three routes: a few rows (decoding, batch
// 1) multiply the half rows directly, streaming the weight once; a CPU with native bf16 multiplies
// bf16 in oneDNN (activations rounded to bf16, as transformers computes in bf16); otherwise blocks
// of weight rows are widened into a small f32 buffer and multiplied by oneDNN's f32 GEMM.
void half_linear(const HalfLinear& job);

}  // namespace transformers::backend::cpu
