#pragma once
// The backend library's runtime functions (cuda_runtime.cpp), which its entry table exports.
#include <cstddef>

namespace transformers::cuda::runtime {

int device_count();
void* allocate(size_t nbytes, int device);
void deallocate(void* ptr, size_t nbytes, int device);
void empty_cache();
size_t cached_bytes();
void copy_host_to_device(void* dst, const void* src, size_t nbytes, int device);
void copy_device_to_host(void* dst, const void* src, size_t nbytes, int device);
void copy_device_to_device(void* dst, const void* src, size_t nbytes, int device);
void synchronize(int device);

}  // namespace transformers::cuda::runtime

namespace transformers::backend {
class Backend;
Backend& cuda_module_backend();  // cuda_backend.cpp
}  // namespace transformers::backend
