#pragma once
// Host memory kept for reuse. Tensors of 1 MiB and more return their blocks to a cache when freed
// (up to TRANSFORMERS_HOST_CACHE_MB, default 1024), so repeated forward passes reuse warm pages
// instead of faulting in fresh ones. The CUDA equivalent is transformers::cuda::empty_cache().
#include <cstddef>

namespace transformers {

void empty_host_cache();     // returns every cached block to the system
size_t host_cached_bytes();  // bytes held by the cache (not in use by tensors)

}  // namespace transformers
