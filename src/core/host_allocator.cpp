#include "host_allocator.hpp"

#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "huge_pages.hpp"
#include "transformers/core/error.hpp"
#include "transformers/core/memory.hpp"

namespace transformers {

namespace {

constexpr size_t kAlignment = 64;                // a cache line, and an AVX-512 register
constexpr size_t kLargeBlock = size_t{1} << 20;  // from here on, blocks are mapped and cached
constexpr size_t kHugePage = size_t{2} << 20;

// Large sizes round up to a quarter of their power of two (at most 25% waste), so that the
// slightly different sizes of one model's activations share blocks.
size_t bucket_size(size_t nbytes) {
  size_t power = kLargeBlock;
  while (power < nbytes) power <<= 1;
  const size_t quarter = std::max(power / 4, kHugePage);
  return (nbytes + quarter - 1) / quarter * quarter;
}

size_t default_limit() {
  if (const char* env = std::getenv("TRANSFORMERS_HOST_CACHE_MB")) return std::strtoull(env, nullptr, 10) << 20;
  return size_t{1} << 30;  // 1 GiB of freed blocks kept at most
}

class LargeBlockCache {
 public:
  void* allocate(size_t nbytes) {
    const size_t size = bucket_size(nbytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(size);
      if (it != free_.end() && !it->second.empty()) {
        void* block = it->second.back();
        it->second.pop_back();
        cached_ -= size;
        return block;
      }
    }
    void* block = detail::map_huge_pages(size);
    if (!block) {
      release_all();
      block = detail::map_huge_pages(size);
      if (!block) throw Error("out of host memory allocating " + std::to_string(nbytes) + " bytes");
    }
    return block;
  }

  void deallocate(void* block, size_t nbytes) {
    const size_t size = bucket_size(nbytes);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (cached_ + size <= limit_) {
        free_[size].push_back(block);
        cached_ += size;
        return;
      }
    }
    detail::unmap_huge_pages(block, size);
  }

  void release_all() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [size, blocks] : free_)
      for (void* block : blocks) detail::unmap_huge_pages(block, size);
    free_.clear();
    cached_ = 0;
  }

  size_t cached() {
    std::lock_guard<std::mutex> lock(mutex_);
    return cached_;
  }

 private:
  std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_;
  size_t cached_ = 0;
  const size_t limit_ = default_limit();
};

// Never destroyed: tensors released during static destruction still find it.
LargeBlockCache& large_blocks() {
  static auto* cache = new LargeBlockCache();
  return *cache;
}

}  // namespace

namespace detail {

void* host_allocate(size_t nbytes) {
  if (nbytes >= kLargeBlock) return large_blocks().allocate(nbytes);
  const size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
  void* data = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
  if (!data) throw Error("out of host memory allocating " + std::to_string(nbytes) + " bytes");
  return data;
}

void host_deallocate(void* data, size_t nbytes) {
  if (nbytes >= kLargeBlock) {
    large_blocks().deallocate(data, nbytes);
  } else {
    std::free(data);
  }
}

}  // namespace detail

void empty_host_cache() { large_blocks().release_all(); }
size_t host_cached_bytes() { return large_blocks().cached(); }

}  // namespace transformers
