#pragma once
// Linear layers computed on the weight as it is stored (f32, bf16 or f16): a half-precision weight
// is widened as it is read, never converted whole.
#include <cstdint>
#include <optional>

#include "../../../kernels/cpu/kernels.hpp"
#include "dnnl_matmul.hpp"

namespace transformers::backend::cpu {

struct WeightLinear {
  const float* x;  // [m, k] contiguous
  int64_t m, k;
  const void* w;  // [n, k] contiguous, in `format` (or n rows of blocks in `block_format`)
  int64_t n;
  kernels::cpu::WeightFormat format;
  const float* bias;  // [n] or null
  float* out;         // [m, n] contiguous
  PostActivation activation = PostActivation::None;
  const float* residual = nullptr;  // [m, n] or null, added after the activation
  // Set for a block-quantized weight (`format` is then not read).
  std::optional<kernels::cpu::BlockFormat> block_format = std::nullopt;
};

// out = activation(x . w^T + bias) + residual. A block-quantized weight is multiplied as it is
// stored for a few rows, the activations rounded to int8 blocks (kernels/cpu/quantized_impl.hpp),
// and widened block by block into oneDNN's f32 GEMM for more (as half weights below). Other
// weights take one of four routes: a few rows (decoding, batch
// 1) multiply the stored rows directly, streaming the weight once at memory speed; more rows of an
// f32 weight go to oneDNN's GEMM; a CPU with native bf16 multiplies bf16 in oneDNN (activations
// rounded to bf16, as transformers computes in bf16); otherwise blocks of half-precision weight
// rows are widened into a small f32 buffer and multiplied by oneDNN's f32 GEMM.
void weight_linear(const WeightLinear& job);

}  // namespace transformers::backend::cpu
