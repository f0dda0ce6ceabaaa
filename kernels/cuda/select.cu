// argmax and top-k over the rows of a contiguous [rows, n] matrix, one thread block per row. Each
// thread keeps its best candidate; the block combines them in shared memory. top-k repeats that k
// times, marking what it took: k passes over the row, cheap for the small k of sampling.
#include <math.h>

#include "kernels.hpp"
#include "launch.cuh"

namespace transformers::kernels::cuda {

namespace {

constexpr int kSelectThreads = 256;

struct Candidate {
  float value;
  int64_t index;  // -1: none
};

// Whether `a` comes before `b`: NaN is the largest value, equal values keep the lower index first.
__device__ inline bool before(const Candidate& a, const Candidate& b, bool largest) {
  if (a.index < 0) return false;
  if (b.index < 0) return true;
  const bool a_nan = a.value != a.value, b_nan = b.value != b.value;
  if (a_nan || b_nan) {
    if (a_nan && b_nan) return a.index < b.index;
    return largest ? a_nan : b_nan;
  }
  if (a.value != b.value) return largest ? a.value > b.value : a.value < b.value;
  return a.index < b.index;
}

// The best untaken element of `row` under `before`, for the whole block.
__device__ Candidate best_of_row(const float* row, int64_t n, const unsigned char* taken, bool largest) {
  __shared__ Candidate shared[kSelectThreads];
  Candidate best{0.0f, -1};
  for (int64_t i = threadIdx.x; i < n; i += blockDim.x) {
    if (taken && taken[i]) continue;
    const Candidate c{row[i], i};
    if (before(c, best, largest)) best = c;
  }
  shared[threadIdx.x] = best;
  __syncthreads();
  for (unsigned int stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride && before(shared[threadIdx.x + stride], shared[threadIdx.x], largest))
      shared[threadIdx.x] = shared[threadIdx.x + stride];
    __syncthreads();
  }
  const Candidate result = shared[0];
  __syncthreads();  // shared is reused by the next call
  return result;
}

__global__ void argmax_kernel(const float* x, int64_t* out, int64_t rows, int64_t n) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const Candidate best = best_of_row(x + r * n, n, nullptr, true);
    if (threadIdx.x == 0) out[r] = best.index;
  }
}

__global__ void topk_kernel(const float* x, int64_t rows, int64_t n, int64_t k, bool largest, float* values,
                            int64_t* indices, unsigned char* taken) {
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    unsigned char* row_taken = taken + r * n;
    for (int64_t i = threadIdx.x; i < n; i += blockDim.x) row_taken[i] = 0;
    __syncthreads();
    for (int64_t j = 0; j < k; ++j) {
      const Candidate best = best_of_row(x + r * n, n, row_taken, largest);
      if (threadIdx.x == 0) {
        values[r * k + j] = best.value;
        indices[r * k + j] = best.index;
        row_taken[best.index] = 1;
      }
      __syncthreads();
    }
  }
}

}  // namespace

void argmax(const float* x, int64_t* out, int64_t rows, int64_t n) {
  if (rows == 0) return;
  argmax_kernel<<<blocks_for_rows(rows), kSelectThreads>>>(x, out, rows, n);
  check_launch("argmax");
}

void topk(const float* x, int64_t rows, int64_t n, int64_t k, bool largest, float* values, int64_t* indices,
          unsigned char* taken) {
  if (rows == 0 || k == 0) return;
  topk_kernel<<<blocks_for_rows(rows), kSelectThreads>>>(x, rows, n, k, largest, values, indices, taken);
  check_launch("topk");
}

}  // namespace transformers::kernels::cuda
