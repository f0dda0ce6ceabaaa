// The CUDA API of a CUDA build (include/transformers/backends/cuda.hpp): each call goes to the
// backend library, loaded on first need (see cuda_module.hpp). Calls that can only concern memory
// the library handed out (deallocate, empty_cache, cached_bytes) never load it.
#include <dlfcn.h>

#include <atomic>
#include <string>

#include "../core/device_runtime.hpp"
#include "backend.hpp"
#include "cuda_module.hpp"
#include "transformers/backends/cuda.hpp"
#include "transformers/core/error.hpp"

namespace transformers {

namespace {

using cuda::detail::ModuleApi;

struct LoadResult {
  const ModuleApi* api = nullptr;
  std::string error;  // why the library could not be loaded
};

std::atomic<const ModuleApi*> g_loaded{nullptr};

// Next to this library, where the build and `cmake --install` put it.
std::string module_path() {
  Dl_info info{};
  if (!dladdr(reinterpret_cast<const void*>(&module_path), &info) || !info.dli_fname)
    return TRANSFORMERS_CUDA_MODULE_FILE;
  const std::string self = info.dli_fname;
  const size_t slash = self.rfind('/');
  return slash == std::string::npos ? std::string(TRANSFORMERS_CUDA_MODULE_FILE)
                                    : self.substr(0, slash + 1) + TRANSFORMERS_CUDA_MODULE_FILE;
}

LoadResult load_module() {
  const std::string path = module_path();
  // Kept loaded for the life of the process: its allocations and handles outlive any caller.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return {nullptr, dlerror()};
  const auto entry = reinterpret_cast<const ModuleApi* (*)()>(dlsym(handle, cuda::detail::kModuleEntry));
  if (!entry) return {nullptr, path + " has no " + cuda::detail::kModuleEntry};
  const ModuleApi* api = entry();
  if (!api || api->abi_version != cuda::detail::kModuleAbiVersion || std::string(api->version) != TRANSFORMERS_VERSION)
    return {nullptr, path + " was built for another version of transformers.cpp (this is " TRANSFORMERS_VERSION ")"};
  return {api, ""};
}

const LoadResult& module() {
  static const LoadResult result = [] {
    LoadResult loaded = load_module();
    g_loaded.store(loaded.api, std::memory_order_release);
    return loaded;
  }();
  return result;
}

const ModuleApi& require_module(const char* what) {
  const LoadResult& loaded = module();
  if (!loaded.api) throw DeviceError(std::string(what) + ": the CUDA backend could not be loaded: " + loaded.error);
  return *loaded.api;
}

const ModuleApi* loaded_module() { return g_loaded.load(std::memory_order_acquire); }

}  // namespace

namespace cuda {

bool is_built() { return true; }
bool is_available() { return device_count() > 0; }
// No loadable library means no usable GPU, as a machine without a driver does.
int device_count() { return module().api ? module().api->device_count() : 0; }
void* allocate(size_t nbytes, int device) { return require_module("cuda::allocate").allocate(nbytes, device); }
void deallocate(void* ptr, size_t nbytes, int device) {
  if (const ModuleApi* api = loaded_module()) api->deallocate(ptr, nbytes, device);
}
void empty_cache() {
  if (const ModuleApi* api = loaded_module()) api->empty_cache();
}
size_t cached_bytes() {
  const ModuleApi* api = loaded_module();
  return api ? api->cached_bytes() : 0;
}
void copy_host_to_device(void* dst, const void* src, size_t nbytes, int device) {
  require_module("cuda::copy_host_to_device").copy_host_to_device(dst, src, nbytes, device);
}
void copy_device_to_host(void* dst, const void* src, size_t nbytes, int device) {
  require_module("cuda::copy_device_to_host").copy_device_to_host(dst, src, nbytes, device);
}
void copy_device_to_device(void* dst, const void* src, size_t nbytes, int device) {
  require_module("cuda::copy_device_to_device").copy_device_to_device(dst, src, nbytes, device);
}
void synchronize(int device) { require_module("cuda::synchronize").synchronize(device); }

}  // namespace cuda

namespace backend {
Backend& cuda_backend() { return require_module("the CUDA backend").backend(); }
}  // namespace backend

namespace {
// The core reaches GPU memory through this registration (src/core/device_runtime.hpp).
[[maybe_unused]] const bool g_registered = [] {
  detail::register_device_runtime(
      DeviceType::CUDA,
      {&cuda::allocate, &cuda::deallocate, &cuda::copy_device_to_host, &cuda::copy_host_to_device,
       &cuda::copy_device_to_device, [](const Tensor& src, Tensor& dst) { backend::cuda_backend().copy(src, dst); }});
  return true;
}();
}  // namespace

}  // namespace transformers
