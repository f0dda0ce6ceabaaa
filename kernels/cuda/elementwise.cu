// Element-wise kernels: activations and scalar ops, broadcasting binary ops over strided views,
// the GEMM bias seed and the embedding gather. All are memory-bound grid-stride loops; the op is
// a runtime argument (a uniform branch) rather than a template, to keep compile time low.
#include "kernels.hpp"
#include "launch.cuh"

namespace transformers::kernels::cuda {

namespace {

__global__ void unary_kernel(UnaryOp op, const float* x, float* out, int64_t count, float scalar) {
  for (int64_t i = global_thread_index(); i < count; i += global_thread_count()) out[i] = apply_unary(op, x[i], scalar);
}

__global__ void binary_kernel(BinaryOp op, const float* a, const float* b, PairLayout layout, float* out,
                              int64_t count) {
  for (int64_t i = global_thread_index(); i < count; i += global_thread_count()) {
    int64_t rest = i, offset_a = 0, offset_b = 0;
    for (int d = layout.rank - 1; d >= 0; --d) {
      const int64_t coordinate = rest % layout.sizes[d];
      rest /= layout.sizes[d];
      offset_a += coordinate * layout.strides_a[d];
      offset_b += coordinate * layout.strides_b[d];
    }
    out[i] = apply_binary(op, a[offset_a], b[offset_b]);
  }
}

__global__ void fill_rows_kernel(const float* row, float* out, int64_t count, int64_t n) {
  for (int64_t i = global_thread_index(); i < count; i += global_thread_count()) out[i] = row[i % n];
}

__device__ inline float read_float(const void* table, ElementType type, int64_t index) {
  if (type == ElementType::BF16) return bf16_bits_to_float(static_cast<const uint16_t*>(table)[index]);
  if (type == ElementType::F16) return f16_bits_to_float(static_cast<const uint16_t*>(table)[index]);
  return static_cast<const float*>(table)[index];
}

__global__ void embedding_kernel(const void* table, ElementType type, const int64_t* ids, float* out, int64_t total,
                                 int64_t dim) {
  for (int64_t i = global_thread_index(); i < total; i += global_thread_count()) {
    const int64_t token = i / dim, column = i - token * dim;
    out[i] = read_float(table, type, ids[token] * dim + column);
  }
}

}  // namespace

void unary(UnaryOp op, const float* x, float* out, int64_t count, float scalar) {
  if (count == 0) return;
  unary_kernel<<<blocks_for(count), kThreadsPerBlock>>>(op, x, out, count, scalar);
  check_launch("unary");
}

void binary(BinaryOp op, const float* a, const float* b, const PairLayout& layout, float* out, int64_t count) {
  if (count == 0) return;
  binary_kernel<<<blocks_for(count), kThreadsPerBlock>>>(op, a, b, layout, out, count);
  check_launch("binary");
}

void fill_rows(const float* row, float* out, int64_t rows, int64_t n) {
  const int64_t count = rows * n;
  if (count == 0) return;
  fill_rows_kernel<<<blocks_for(count), kThreadsPerBlock>>>(row, out, count, n);
  check_launch("fill_rows");
}

void embedding(const void* table, ElementType type, const int64_t* ids, float* out, int64_t count, int64_t dim) {
  const int64_t total = count * dim;
  if (total == 0) return;
  embedding_kernel<<<blocks_for(total), kThreadsPerBlock>>>(table, type, ids, out, total, dim);
  check_launch("embedding");
}

}  // namespace transformers::kernels::cuda
