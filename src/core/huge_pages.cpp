#include "huge_pages.hpp"

#include <sys/mman.h>

#include <cstdint>

namespace transformers::detail {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t whole_huge_pages(size_t nbytes) { return (nbytes + kHugePage - 1) / kHugePage * kHugePage; }

}  // namespace

void* map_huge_pages(size_t nbytes) {
  const size_t size = whole_huge_pages(nbytes);
  // Mapped one huge page larger and trimmed to a 2 MiB boundary: mmap only promises 4 KiB
  // alignment, and a huge page can back only an aligned 2 MiB range.
  void* mapped = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mapped == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<uintptr_t>(mapped);
  const uintptr_t aligned = (start + kHugePage - 1) / kHugePage * kHugePage;
  if (aligned > start) ::munmap(mapped, aligned - start);
  if (const uintptr_t tail = start + size + kHugePage - (aligned + size); tail > 0)
    ::munmap(reinterpret_cast<void*>(aligned + size), tail);
  void* block = reinterpret_cast<void*>(aligned);
  ::madvise(block, size, MADV_HUGEPAGE);  // a hint: kernels without THP simply ignore it
  return block;
}

void unmap_huge_pages(void* block, size_t nbytes) { ::munmap(block, whole_huge_pages(nbytes)); }

}  // namespace transformers::detail
