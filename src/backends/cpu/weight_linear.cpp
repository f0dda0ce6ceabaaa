#include "weight_linear.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "transformers/core/half.hpp"

namespace transformers::backend::cpu {

namespace {

using kernels::cpu::ActivationBlock;
using kernels::cpu::best_kernels;
using kernels::cpu::BlockFormat;
using kernels::cpu::HalfFormat;
using kernels::cpu::WeightFormat;

// Up to this many activation rows (decoding a batch, a short prompt) the weight is streamed once
// through dot_rows, which is memory bound there; beyond, a GEMM that reuses each (widened) weight
// block for every row wins. Measured on SmolLM2 (AVX2, 2 threads): a 17-token prefill takes 0.055 s
// here against 0.077 s through oneDNN in bf16 (0.068 / 0.095 in f32); at 23 rows they are even, at
// 56 rows oneDNN takes two thirds of the time.
constexpr int64_t kDirectRows = 20;
// The f32 bytes a widened block may take: big enough
// that oneDNN runs each block's GEMM at full speed (1 MiB blocks cost BERT-base 20% at 32x128, 8
// MiB about 10% over f32, which is the widening itself), small enough to stay in the L3 cache.
constexpr int64_t kBlockBytes = int64_t{1} << 23;
// Below this many multiply-adds the direct route runs on the calling thread (it streams the weight:
// memory bound, so even small layers gain from a second thread).
constexpr int64_t kSerialMacs = int64_t{1} << 16;

float activate(PostActivation activation, float v) {
  switch (activation) {
    case PostActivation::None: return v;
    case PostActivation::Relu: return v > 0.0f ? v : 0.0f;
    case PostActivation::GeluErf: return 0.5f * v * (1.0f + std::erf(v * 0.70710678118654752f));
    case PostActivation::GeluTanh: {
      const float inner = 0.79788456080286536f * (v + 0.044715f * v * v * v);
      return 0.5f * v * (1.0f + std::tanh(inner));
    }
  }
  return v;
}

// bias, activation and residual over out[rows, columns begin..end).
void finish_columns(const WeightLinear& job, int64_t row_begin, int64_t row_end, int64_t begin, int64_t end) {
  for (int64_t r = row_begin; r < row_end; ++r) {
    float* row = job.out + r * job.n;
    const float* residual = job.residual ? job.residual + r * job.n : nullptr;
    for (int64_t j = begin; j < end; ++j) {
      float v = row[j] + (job.bias ? job.bias[j] : 0.0f);
      v = activate(job.activation, v);
      row[j] = residual ? v + residual[j] : v;
    }
  }
}

// Each thread takes one contiguous band of weight rows (a multiple of 8: whole cache lines of
// output), so that its rows stream through memory in order.
void direct(const WeightLinear& job) {
  const auto& kernels = best_kernels();
  const bool parallel = job.m * job.n * job.k >= kSerialMacs && !omp_in_parallel();
  const int64_t element = job.format == WeightFormat::F32 ? 4 : 2;
#pragma omp parallel if (parallel)
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    const int64_t band = (job.n + threads * 8 - 1) / (threads * 8) * 8;
    const int64_t begin = std::min(job.n, thread * band), end = std::min(job.n, begin + band);
    if (begin < end) {
      const auto* rows = static_cast<const char*>(job.w) + begin * job.k * element;
      kernels.dot_rows(job.format, job.x, job.m, rows, job.k, job.out + begin, job.n, end - begin);
      finish_columns(job, 0, job.m, begin, end);
    }
  }
}

// A few rows (decoding, a short prompt) against a block-quantized weight: the activations are
// rounded to int8 blocks once, then each thread takes a band of weight rows as direct() does.
void quantized(const WeightLinear& job) {
  const auto& kernels = best_kernels();
  const BlockFormat format = *job.block_format;
  const int64_t row_bytes = job.k / block_elements(format) * block_bytes(format);
  thread_local std::vector<ActivationBlock> scratch;
  scratch.resize(static_cast<size_t>(job.m * job.k / kernels::cpu::kActivationBlock));
  const ActivationBlock* blocks = scratch.data();  // this thread's buffer, read by its team below
  kernels.quantize_activations(job.x, job.m, job.k, scratch.data());
#pragma omp parallel if (job.m * job.n * job.k >= kSerialMacs && !omp_in_parallel())
  {
    const int64_t threads = omp_get_num_threads(), thread = omp_get_thread_num();
    const int64_t band = (job.n + threads * 8 - 1) / (threads * 8) * 8;
    const int64_t begin = std::min(job.n, thread * band), end = std::min(job.n, begin + band);
    if (begin < end) {
      kernels.dot_blocks(format, blocks, job.m, static_cast<const char*>(job.w) + begin * row_bytes, job.k,
                         job.out + begin, job.n, end - begin);
      finish_columns(job, 0, job.m, begin, end);
    }
  }
}

MatmulShape product_shape(const WeightLinear& job, int64_t columns, bool has_bias) {
  MatmulShape shape{1, 1, job.m, job.k, columns, false, true, has_bias, 1.0f, job.activation, job.residual != nullptr};
  shape.ldc = job.n;
  return shape;
}

void native_bf16(const WeightLinear& job) {
  thread_local std::vector<uint16_t> x16;
  x16.resize(static_cast<size_t>(job.m * job.k));
  uint16_t* rounded = x16.data();  // this thread's buffer: the team's threads have their own thread_locals
  const int64_t count = job.m * job.k;
#pragma omp parallel for if (count > 65536 && !omp_in_parallel())
  for (int64_t i = 0; i < count; ++i) rounded[i] = float_to_bf16_bits(job.x[i]);
  MatmulShape shape = product_shape(job, job.n, job.bias != nullptr);
  shape.bf16_operands = true;
  dnnl_matmul(shape, rounded, job.w, job.bias, job.out, job.residual);
}

// Blocks of weight rows (half precision or quantized) widened into a small f32 buffer, each
// multiplied by oneDNN's f32 GEMM.
void widened_blocks(const WeightLinear& job) {
  const auto& kernels = best_kernels();
  const int64_t block = std::clamp<int64_t>(kBlockBytes / (job.k * int64_t{sizeof(float)}) / 16 * 16, 16, job.n);
  thread_local std::vector<float> scratch;
  scratch.resize(static_cast<size_t>(block * job.k));
  float* widened = scratch.data();  // this thread's buffer: the team's threads have their own thread_locals
  const HalfFormat half = job.format == WeightFormat::BF16 ? HalfFormat::BF16 : HalfFormat::F16;
  const int64_t row_bytes =
      job.block_format ? job.k / block_elements(*job.block_format) * block_bytes(*job.block_format) : job.k * 2;
  for (int64_t begin = 0; begin < job.n; begin += block) {
    const int64_t rows = std::min(block, job.n - begin);
    // a packed format widens whole groups of rows (block is a multiple of 16, n of kPackedRows)
    const int64_t step = job.block_format && is_packed(*job.block_format) ? kernels::cpu::kPackedRows : 1;
#pragma omp parallel for if (rows * job.k > 65536 && !omp_in_parallel())
    for (int64_t r = 0; r < rows; r += step) {
      const void* row = static_cast<const char*>(job.w) + (begin + r) * row_bytes;
      if (job.block_format)
        kernels.widen_blocks(*job.block_format, row, job.k, widened + r * job.k, step);
      else
        kernels.widen_half(half, static_cast<const uint16_t*>(row), widened + r * job.k, job.k);
    }
    dnnl_matmul(product_shape(job, rows, job.bias != nullptr), job.x, widened, job.bias ? job.bias + begin : nullptr,
                job.out + begin, job.residual ? job.residual + begin : nullptr);
  }
}

}  // namespace

void weight_linear(const WeightLinear& job) {
  if (job.m == 0 || job.n == 0) return;
  if (job.k == 0) {  // an empty product: the bias, as torch gives it
    std::fill(job.out, job.out + job.m * job.n, 0.0f);
    finish_columns(job, 0, job.m, 0, job.n);
    return;
  }
  if (job.block_format) return job.m <= kDirectRows ? quantized(job) : widened_blocks(job);
  if (job.m <= kDirectRows) return direct(job);
  if (job.format == WeightFormat::F32)
    return dnnl_matmul(product_shape(job, job.n, job.bias != nullptr), job.x, job.w, job.bias, job.out, job.residual);
  if (job.format == WeightFormat::BF16 && dnnl_has_native_bf16()) return native_bf16(job);
  widened_blocks(job);
}

}  // namespace transformers::backend::cpu
