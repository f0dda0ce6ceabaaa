// Linked instead of the CUDA backend when transformers.cpp is built without CUDA: the API is the
// same, every call that needs a GPU throws NotBuilt, and the queries report no GPU.
#include "transformers/backends/cuda.hpp"
#include "transformers/core/error.hpp"
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

}  // namespace transformers
