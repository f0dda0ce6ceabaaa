#pragma once
// Memory for big tables that are filled once and then read in random order (tokenizer vocabularies
// and merge maps, megabytes each): mapped whole with a transparent-huge-page hint, so that filling
// them takes a fault per 2 MiB instead of per 4 KiB and probing them misses the TLB far less.
#include <cstddef>
#include <memory>
#include <new>

namespace transformers::detail {

// Anonymous, zero-filled memory of at least `nbytes`, rounded up to whole huge pages; null when
// none can be had.
void* map_huge_pages(size_t nbytes);
void unmap_huge_pages(void* block, size_t nbytes);  // nbytes as mapped

// A standard allocator that maps blocks of 2 MiB and more as above and leaves smaller ones to
// std::allocator (a whole huge page for a few bytes would waste it).
template <typename T>
class HugePageAllocator {
 public:
  using value_type = T;
  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(size_t count) {
    if (count * sizeof(T) < kMappedFrom) return std::allocator<T>().allocate(count);
    void* block = map_huge_pages(count * sizeof(T));
    if (!block) throw std::bad_alloc();
    return static_cast<T*>(block);
  }
  void deallocate(T* block, size_t count) {
    if (count * sizeof(T) < kMappedFrom) return std::allocator<T>().deallocate(block, count);
    unmap_huge_pages(block, count * sizeof(T));
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }

 private:
  static constexpr size_t kMappedFrom = size_t{2} << 20;
};

}  // namespace transformers::detail
