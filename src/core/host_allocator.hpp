#pragma once
// Host memory for tensors. Small blocks come from malloc; blocks of 1 MiB and more are mapped
// once, backed by huge pages where the kernel allows, and kept on free lists for reuse: glibc
// returns large blocks to the kernel on free, so every op writing a fresh output would otherwise
// take a page fault per 4 KiB (12,000 per call on a BERT feed-forward output).
#include <cstddef>

namespace transformers::detail {

void* host_allocate(size_t nbytes);               // 64-byte aligned
void host_deallocate(void* data, size_t nbytes);  // nbytes as allocated

}  // namespace transformers::detail
