#pragma once
// Error checks and the device guard shared by the CUDA runtime and backend sources. Internal: it
// includes CUDA headers, so only src/backends/cuda/*.cpp may include it.
#include <cublas_v2.h>
#include <cuda_runtime_api.h>

#include <string>

#include "transformers/core/error.hpp"

namespace transformers::cuda::detail {

// Throws DeviceError naming what failed and CUDA's description of the status.
[[noreturn]] inline void fail(cudaError_t status, const std::string& what) {
  static_cast<void>(cudaGetLastError());  // a non-sticky error must not resurface in the next check
  throw DeviceError(what + " failed: " + cudaGetErrorName(status) + ": " + cudaGetErrorString(status));
}

inline void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) fail(status, call);
}

inline void check(cublasStatus_t status, const std::string& call) {
  if (status == CUBLAS_STATUS_SUCCESS) return;
  throw DeviceError(call + " failed: " + cublasGetStatusName(status) + ": " + cublasGetStatusString(status));
}

// Makes `device` current for the guard's lifetime, then restores the caller's device: CUDA keeps
// the current device per host thread, and user code may rely on it.
class DeviceGuard {
 public:
  explicit DeviceGuard(int device) : device_(device) {
    check(cudaGetDevice(&previous_), "cudaGetDevice");
    if (previous_ != device_) check(cudaSetDevice(device_), "cudaSetDevice");
  }
  ~DeviceGuard() {
    if (previous_ != device_) static_cast<void>(cudaSetDevice(previous_));  // destructors must not throw
  }
  DeviceGuard(const DeviceGuard&) = delete;
  DeviceGuard& operator=(const DeviceGuard&) = delete;

 private:
  int device_;
  int previous_ = 0;
};

}  // namespace transformers::cuda::detail

// Checks a CUDA runtime or cuBLAS call, naming it (with its arguments) in the error.
#define TRANSFORMERS_CUDA_CHECK(call) ::transformers::cuda::detail::check((call), #call)
