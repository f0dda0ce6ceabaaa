#pragma once
// Launch helpers shared by the .cu files: grid sizing, grid-stride indices, launch checks and the
// strided-offset arithmetic. Device code only ever sees this header through nvcc.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "kernels.hpp"
#include "transformers/core/error.hpp"

namespace transformers::kernels::cuda {

constexpr int kThreadsPerBlock = 256;
constexpr int kWarpSize = 32;
// Grid-stride loops cover any size, so grids stay below this many blocks (plenty to fill a GPU).
constexpr int64_t kMaxBlocks = 65536;

inline unsigned int blocks_for(int64_t count) {
  const int64_t blocks = (count + kThreadsPerBlock - 1) / kThreadsPerBlock;
  return static_cast<unsigned int>(std::clamp<int64_t>(blocks, 1, kMaxBlocks));
}

inline unsigned int blocks_for_rows(int64_t rows) {
  return static_cast<unsigned int>(std::clamp<int64_t>(rows, 1, kMaxBlocks));
}

// Kernel launches report errors only through cudaGetLastError; turn them into exceptions.
inline void check_launch(const char* kernel) {
  const cudaError_t status = cudaGetLastError();
  if (status != cudaSuccess)
    throw DeviceError(std::string("CUDA kernel ") + kernel + " failed: " + cudaGetErrorName(status) + ": " +
                      cudaGetErrorString(status));
}

__device__ inline int64_t global_thread_index() { return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x; }

__device__ inline int64_t global_thread_count() { return static_cast<int64_t>(gridDim.x) * blockDim.x; }

// Offset of element `index` (row-major over layout.sizes) in a strided view.
__device__ inline int64_t strided_offset(const StridedLayout& layout, int64_t index) {
  int64_t offset = 0;
  for (int d = layout.rank - 1; d >= 0; --d) {
    const int64_t size = layout.sizes[d];
    offset += (index % size) * layout.strides[d];
    index /= size;
  }
  return offset;
}

}  // namespace transformers::kernels::cuda
