// Linked instead of the CUDA backend when transformers.cpp is built without CUDA: the API is the
// same, every call that needs a GPU throws NotBuilt, and the queries report no GPU.
#include "transformers/backends/cuda.hpp"
#include "transformers/core/error.hpp"
#include "../core/device_runtime.hpp"
#include "backend.hpp"

namespace transformers {

namespace {
[[noreturn]] void not_built() { throw NotBuilt("transformers.cpp was built without CUDA"); }
}  // namespace

namespace cuda {
bool is_built() { return false; }
bool is_available() { return false; }
int device_count() { return 0; }
void* allocate(size_t, int) { not_built(); }
void deallocate(void*, size_t, int) {}
void empty_cache() {}
size_t cached_bytes() { return 0; }
void copy_host_to_device(void*, const void*, size_t, int) { not_built(); }
void copy_device_to_host(void*, const void*, size_t, int) { not_built(); }
void copy_device_to_device(void*, const void*, size_t, int) { not_built(); }
void synchronize(int) { not_built(); }
}  // namespace cuda

namespace backend {
Backend& cuda_backend() { not_built(); }
}  // namespace backend

namespace {
// GPU tensors can't be made in this build: every memory call says so (src/core/device_runtime.hpp).
[[maybe_unused]] const bool g_registered = [] {
  detail::register_device_runtime(
      DeviceType::CUDA, {&cuda::allocate, &cuda::deallocate, &cuda::copy_device_to_host, &cuda::copy_host_to_device,
                         &cuda::copy_device_to_device, [](const Tensor&, Tensor&) { not_built(); }});
  return true;
}();
}  // namespace

}  // namespace transformers
