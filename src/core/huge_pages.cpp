#include "huge_pages.hpp"

#include <sys/mman.h>

namespace transformers::detail {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

size_t whole_huge_pages(size_t nbytes) { return (nbytes + kHugePage - 1) / kHugePage * kHugePage; }

}  // namespace

void* map_huge_pages(size_t nbytes) {
  const size_t size = whole_huge_pages(nbytes);
  void* block = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) return nullptr;
  ::madvise(block, size, MADV_HUGEPAGE);  // a hint: kernels without THP simply ignore it
  return block;
}

void unmap_huge_pages(void* block, size_t nbytes) { ::munmap(block, whole_huge_pages(nbytes)); }

}  // namespace transformers::detail
