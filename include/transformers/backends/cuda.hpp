#pragma once
// The CUDA runtime as transformers.cpp uses it. Always declared; in a build without CUDA every
// call that needs a GPU throws NotBuilt("transformers.cpp was built without CUDA"), and the
// queries say so (is_built() false, device_count() 0) - no #ifdef needed in user code.
#include <cstddef>

namespace transformers::cuda {

bool is_built();      // compiled with the CUDA backend
bool is_available();  // built, and at least one GPU can be used
int device_count();

// Device memory from the per-device caching allocator (blocks are reused, not freed, until
// empty_cache()).
void* allocate(size_t nbytes, int device);
void deallocate(void* ptr, size_t nbytes, int device);
void empty_cache();
size_t cached_bytes();

void copy_host_to_device(void* dst, const void* src, size_t nbytes, int device);
void copy_device_to_host(void* dst, const void* src, size_t nbytes, int device);
void copy_device_to_device(void* dst, const void* src, size_t nbytes, int device);
void synchronize(int device);

}  // namespace transformers::cuda
