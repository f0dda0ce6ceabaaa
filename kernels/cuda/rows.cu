// Row kernels over a contiguous [rows, n] tensor: softmax, layer_norm, rms_norm and reductions of
// the last dimension. One thread block handles one row: its threads stride over the row, then the
// block combines their partial results with warp shuffles and a small shared-memory step. Every
// thread reads back only the elements it wrote itself, so passes over a row need no extra barrier.
#include <math.h>

#include "kernels.hpp"
#include "launch.cuh"

namespace transformers::kernels::cuda {

namespace {

constexpr int kMaxThreadsPerRow = 512;

// Whole warps (the shuffles need full ones), no more than the row has elements, at most 512.
unsigned int threads_for_row(int64_t n) {
  const int64_t warps = std::clamp<int64_t>((n + kWarpSize - 1) / kWarpSize, 1, kMaxThreadsPerRow / kWarpSize);
  return static_cast<unsigned int>(warps * kWarpSize);
}

struct Sum {
  template <typename T>
  __device__ T operator()(T a, T b) const {
    return a + b;
  }
};

// fmaxf ignores NaN, as the CPU softmax's running maximum does.
struct Max {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

struct NanPropagatingMax {
  __device__ float operator()(float a, float b) const { return nan_propagating_max(a, b); }
};

// Combines every thread's `value` over the block and hands the result to all threads.
// blockDim.x must be a multiple of the warp size and at most kMaxThreadsPerRow.
template <typename T, typename Combine>
__device__ T block_reduce(T value, Combine combine) {
  __shared__ T warp_results[kMaxThreadsPerRow / kWarpSize];
  for (int offset = kWarpSize / 2; offset > 0; offset /= 2)
    value = combine(value, __shfl_xor_sync(0xffffffffu, value, offset));
  const unsigned int lane = threadIdx.x % kWarpSize, warp = threadIdx.x / kWarpSize;
  __syncthreads();  // a previous call's readers are done with warp_results
  if (lane == 0) warp_results[warp] = value;
  __syncthreads();
  T result = warp_results[0];
  for (unsigned int w = 1; w < blockDim.x / kWarpSize; ++w) result = combine(result, warp_results[w]);
  return result;
}

__global__ void softmax_kernel(const float* x, const float* mask, MaskLayout mask_layout, float* out, int64_t rows,
                               int64_t n, bool log) {
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const float* in = x + row * n;
    float* result = out + row * n;
    const float* row_mask = mask ? mask + strided_offset(mask_layout.rows, row) : nullptr;
    // Pass 1: the masked scores go to `result`, and their maximum is found.
    float local_max = -INFINITY;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      const float score = row_mask ? in[i] + row_mask[i * mask_layout.column_stride] : in[i];
      result[i] = score;
      local_max = fmaxf(local_max, score);
    }
    const float row_max = block_reduce(local_max, Max{});
    // Pass 2: the normalizer, shifted by the maximum so exp cannot overflow.
    float local_sum = 0.0f;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) local_sum += expf(result[i] - row_max);
    const float total = block_reduce(local_sum, Sum{});
    // Pass 3: the output.
    if (log) {
      // (score - max) - log(total), in that order: a fully masked row (every score near
      // finfo.min) would lose log(total) if max + log(total) were formed first.
      const float log_total = logf(total);
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) result[i] = (result[i] - row_max) - log_total;
    } else {
      const float inverse = 1.0f / total;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) result[i] = expf(result[i] - row_max) * inverse;
    }
  }
}

// Two passes (mean, then squared deviations from it) as the CPU kernel, rather than one pass of
// sums and sums of squares, which loses precision when the mean is large.
__global__ void layer_norm_kernel(const float* x, const float* weight, const float* bias, float eps, float* out,
                                  int64_t rows, int64_t n) {
  const float count = static_cast<float>(n);
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const float* in = x + row * n;
    float* result = out + row * n;
    float local_sum = 0.0f;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) local_sum += in[i];
    const float mean = block_reduce(local_sum, Sum{}) / count;
    float local_squares = 0.0f;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      const float deviation = in[i] - mean;
      local_squares += deviation * deviation;
    }
    const float inv_std = inverse_root_mean(block_reduce(local_squares, Sum{}), count, eps);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
      float y = (in[i] - mean) * inv_std;
      if (weight) y *= weight[i];
      if (bias) y += bias[i];
      result[i] = y;
    }
  }
}

__global__ void rms_norm_kernel(const float* x, const float* weight, float eps, float* out, int64_t rows, int64_t n) {
  const float count = static_cast<float>(n);
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const float* in = x + row * n;
    float* result = out + row * n;
    float local_squares = 0.0f;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) local_squares += in[i] * in[i];
    const float inv_rms = inverse_root_mean(block_reduce(local_squares, Sum{}), count, eps);
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) result[i] = in[i] * inv_rms * (weight ? weight[i] : 1.0f);
  }
}

// Sums accumulate in double, as the CPU backend does, so the f32 result is correctly rounded for
// any realistic row length. An empty row sums to 0 (its mean is NaN, 0/0, as in torch).
__global__ void reduce_kernel(ReduceOp op, const float* x, float* out, int64_t rows, int64_t n) {
  for (int64_t row = blockIdx.x; row < rows; row += gridDim.x) {
    const float* in = x + row * n;
    if (op == ReduceOp::Max) {
      float local_max = -INFINITY;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) local_max = nan_propagating_max(local_max, in[i]);
      const float row_max = block_reduce(local_max, NanPropagatingMax{});
      if (threadIdx.x == 0) out[row] = row_max;
    } else {
      double local_sum = 0.0;
      for (int64_t i = threadIdx.x; i < n; i += blockDim.x) local_sum += in[i];
      const double total = block_reduce(local_sum, Sum{});
      if (threadIdx.x == 0)
        out[row] = static_cast<float>(op == ReduceOp::Mean ? total / static_cast<double>(n) : total);
    }
  }
}

}  // namespace

void softmax(const float* x, const float* mask, const MaskLayout& mask_layout, float* out, int64_t rows, int64_t n,
             bool log) {
  if (rows == 0 || n == 0) return;
  softmax_kernel<<<blocks_for_rows(rows), threads_for_row(n)>>>(x, mask, mask_layout, out, rows, n, log);
  check_launch(log ? "log_softmax" : "softmax");
}

void layer_norm(const float* x, const float* weight, const float* bias, float eps, float* out, int64_t rows,
                int64_t n) {
  if (rows == 0 || n == 0) return;
  layer_norm_kernel<<<blocks_for_rows(rows), threads_for_row(n)>>>(x, weight, bias, eps, out, rows, n);
  check_launch("layer_norm");
}

void rms_norm(const float* x, const float* weight, float eps, float* out, int64_t rows, int64_t n) {
  if (rows == 0 || n == 0) return;
  rms_norm_kernel<<<blocks_for_rows(rows), threads_for_row(n)>>>(x, weight, eps, out, rows, n);
  check_launch("rms_norm");
}

void reduce(ReduceOp op, const float* x, float* out, int64_t rows, int64_t n) {
  if (rows == 0) return;  // n == 0 still writes each row's empty sum
  reduce_kernel<<<blocks_for_rows(rows), threads_for_row(n)>>>(op, x, out, rows, n);
  check_launch("reduce");
}

}  // namespace transformers::kernels::cuda
