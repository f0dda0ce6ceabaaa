#pragma once
// The CUDA backend is built as its own library (libtransformers_cuda.so, src/backends/cuda and
// kernels/cuda), which the core loads on the first call that needs it (src/backends/cuda_loader.cpp):
// a CPU-only run never maps the CUDA runtime and cuBLAS (~170 MB resident on their own), and a
// CUDA build still starts on a machine that lacks them. The library exports one C function,
// kModuleEntry, that returns this table. No CUDA header here: the core includes it too.
#include <cstddef>

namespace transformers::backend {
class Backend;
}

namespace transformers::cuda::detail {

inline constexpr int kModuleAbiVersion = 2;
inline constexpr const char* kModuleEntry = "transformers_cuda_module";

// The functions of include/transformers/backends/cuda.hpp that need the CUDA runtime, and the
// backend the ops call for tensors on a GPU.
struct ModuleApi {
  int abi_version;
  // The project version both were built as (TRANSFORMERS_VERSION): the library uses the core's
  // C++ classes, so one left behind by another version must not be loaded.
  const char* version;
  int (*device_count)();
  void* (*allocate)(size_t nbytes, int device);
  void (*deallocate)(void* ptr, size_t nbytes, int device);
  void (*empty_cache)();
  size_t (*cached_bytes)();
  void (*copy_host_to_device)(void* dst, const void* src, size_t nbytes, int device);
  void (*copy_device_to_host)(void* dst, const void* src, size_t nbytes, int device);
  void (*copy_device_to_device)(void* dst, const void* src, size_t nbytes, int device);
  void (*synchronize)(int device);
  backend::Backend& (*backend)();
};

}  // namespace transformers::cuda::detail
