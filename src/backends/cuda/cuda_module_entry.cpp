// The one symbol the backend library exports: its table of functions (see ../cuda_module.hpp).
#include "../cuda_module.hpp"
#include "cuda_runtime.hpp"

extern "C" __attribute__((visibility("default"))) const transformers::cuda::detail::ModuleApi*
transformers_cuda_module() {
  namespace runtime = transformers::cuda::runtime;
  static const transformers::cuda::detail::ModuleApi api{
      transformers::cuda::detail::kModuleAbiVersion,
      TRANSFORMERS_VERSION,
      &runtime::device_count,
      &runtime::allocate,
      &runtime::deallocate,
      &runtime::empty_cache,
      &runtime::cached_bytes,
      &runtime::copy_host_to_device,
      &runtime::copy_device_to_host,
      &runtime::copy_device_to_device,
      &runtime::synchronize,
      &transformers::backend::cuda_module_backend,
  };
  return &api;
}
