// The CUDA runtime half of the backend library (its table: cuda_module_entry.cpp; the public API,
// include/transformers/backends/cuda.hpp, reaches it through src/backends/cuda_loader.cpp):
// device queries, the caching allocator and copies. All work goes to each device's legacy default stream, which
// cuBLAS and our kernels use too, so a block freed into the cache can be handed out again at
// once: whatever reads or writes it next is queued behind the work that used it before.
#include <bit>
#include <cstdint>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "cuda_check.hpp"
#include "cuda_runtime.hpp"

namespace transformers::cuda {

namespace {

using detail::DeviceGuard;

struct DeviceCount {
  int count = 0;
  cudaError_t status = cudaSuccess;
};

// Asked once: the set of visible devices is fixed for the life of the process. A machine without
// a GPU or without a driver reports an error here, which means "no devices", never an exception.
const DeviceCount& visible_devices() {
  static const DeviceCount devices = [] {
    DeviceCount result;
    result.status = cudaGetDeviceCount(&result.count);
    if (result.status != cudaSuccess) {
      static_cast<void>(cudaGetLastError());
      result.count = 0;
    }
    return result;
  }();
  return devices;
}

void require_device(int device, const char* what) {
  const DeviceCount& devices = visible_devices();
  if (devices.count == 0)
    throw DeviceError(std::string(what) + " on cuda:" + std::to_string(device) + ": no CUDA GPU is available (" +
                      (devices.status == cudaSuccess ? std::string("no devices") : cudaGetErrorString(devices.status)) +
                      ")");
  if (device < 0 || device >= devices.count)
    throw InvalidArgument(std::string(what) + ": device cuda:" + std::to_string(device) + " does not exist (" +
                          std::to_string(devices.count) + " CUDA device(s) visible)");
}

// cudaFree on `device` without throwing (for destructors and cleanup paths); the caller's
// current device is restored.
cudaError_t free_block(void* block, int device) noexcept {
  int previous = device;
  cudaError_t status = cudaGetDevice(&previous);
  if (status == cudaSuccess && previous != device) status = cudaSetDevice(device);
  if (status == cudaSuccess) status = cudaFree(block);
  if (previous != device) static_cast<void>(cudaSetDevice(previous));
  return status;
}

std::string bytes_str(size_t nbytes) { return std::to_string(nbytes) + " bytes"; }

// Block sizes: small requests round up to 512 bytes, larger ones to a quarter of their power of
// two, so at most a quarter is wasted while nearby sizes still share a free list.
constexpr size_t kSmallBlockStep = 512;
constexpr size_t kSmallBlockLimit = size_t{1} << 20;

size_t round_up(size_t value, size_t step) { return (value + step - 1) / step * step; }

size_t block_size_for(size_t nbytes) {
  if (nbytes <= kSmallBlockLimit) return nbytes == 0 ? kSmallBlockStep : round_up(nbytes, kSmallBlockStep);
  return round_up(nbytes, std::bit_floor(nbytes) / 4);
}

class CachingAllocator {
 public:
  void* allocate(size_t nbytes, int device) {
    require_device(device, "cuda::allocate");
    if (nbytes > std::numeric_limits<size_t>::max() / 2)
      throw DeviceError("cuda::allocate: " + bytes_str(nbytes) + " on cuda:" + std::to_string(device) +
                        " is more than any device holds");
    const size_t size = block_size_for(nbytes);
    std::lock_guard<std::mutex> lock(mutex_);
    void* block = take_cached(device, size);
    if (!block) block = malloc_on_device(nbytes, size, device);
    live_blocks_[block] = Block{size, device};
    return block;
  }

  // Runs in Storage's destructor: never throws.
  void deallocate(void* ptr) noexcept {
    if (!ptr) return;
    std::lock_guard<std::mutex> lock(mutex_);
    auto live = live_blocks_.find(ptr);
    if (live == live_blocks_.end()) return;  // not ours: nothing to cache
    const Block block = live->second;
    live_blocks_.erase(live);
    try {
      pools_[block.device][block.size].push_back(ptr);
      cached_bytes_ += block.size;
    } catch (...) {
      static_cast<void>(free_block(ptr, block.device));  // no memory to remember it: give it back
    }
  }

  void empty_cache() {
    std::lock_guard<std::mutex> lock(mutex_);
    release_cached();
  }

  size_t cached_bytes() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return cached_bytes_;
  }

 private:
  struct Block {
    size_t size;
    int device;
  };
  using FreeLists = std::map<size_t, std::vector<void*>>;  // block size -> cached blocks

  void* take_cached(int device, size_t size) {
    auto pool = pools_.find(device);
    if (pool == pools_.end()) return nullptr;
    auto list = pool->second.find(size);
    if (list == pool->second.end() || list->second.empty()) return nullptr;
    void* block = list->second.back();
    list->second.pop_back();
    cached_bytes_ -= size;
    return block;
  }

  // cudaMalloc, and when the device is out of memory, once more after the cache is released.
  void* malloc_on_device(size_t requested, size_t size, int device) {
    DeviceGuard guard(device);
    void* block = nullptr;
    const std::string what = "cudaMalloc of " + bytes_str(size) + " (" + bytes_str(requested) +
                             " requested) on cuda:" + std::to_string(device);
    cudaError_t status = cudaMalloc(&block, size);
    if (status == cudaErrorMemoryAllocation) {
      static_cast<void>(cudaGetLastError());
      const size_t released = release_cached();
      status = cudaMalloc(&block, size);
      if (status != cudaSuccess)
        detail::fail(status, "CUDA out of memory: " + what + ", even after releasing " + bytes_str(released) +
                                 " of cached blocks,");
    }
    if (status != cudaSuccess) detail::fail(status, what);
    return block;
  }

  // Frees every cached block (mutex held) and returns the bytes released. Keeps going past a
  // failed cudaFree so that the cache ends up empty either way, then reports the first failure.
  size_t release_cached() {
    const size_t released = cached_bytes_;
    cudaError_t first_error = cudaSuccess;
    for (auto& [device, lists] : pools_)
      for (auto& [size, blocks] : lists)
        for (void* block : blocks) {
          const cudaError_t status = free_block(block, device);
          if (first_error == cudaSuccess) first_error = status;
        }
    pools_.clear();
    cached_bytes_ = 0;
    if (first_error != cudaSuccess) detail::fail(first_error, "cudaFree while releasing the CUDA cache");
    return released;
  }

  mutable std::mutex mutex_;
  std::unordered_map<int, FreeLists> pools_;      // device -> its free lists
  std::unordered_map<void*, Block> live_blocks_;  // handed out, not yet returned
  size_t cached_bytes_ = 0;
};

// Never destroyed: tensors in static storage may return blocks after main() ends, and freeing
// device memory while the CUDA runtime shuts down is an error. The driver reclaims it all at exit.
CachingAllocator& allocator() {
  static auto* instance = new CachingAllocator();
  return *instance;
}

void copy(void* dst, const void* src, size_t nbytes, int device, cudaMemcpyKind kind, const char* what) {
  if (nbytes == 0) return;
  require_device(device, what);
  DeviceGuard guard(device);
  const cudaError_t status = cudaMemcpy(dst, src, nbytes, kind);
  if (status != cudaSuccess)
    detail::fail(status,
                 std::string(what) + ": cudaMemcpy of " + bytes_str(nbytes) + " on cuda:" + std::to_string(device));
}

}  // namespace

namespace runtime {

int device_count() { return visible_devices().count; }

void* allocate(size_t nbytes, int device) { return allocator().allocate(nbytes, device); }

void deallocate(void* ptr, size_t /*nbytes: the allocator remembers each block's size*/, int /*device: likewise*/) {
  allocator().deallocate(ptr);
}

void empty_cache() { allocator().empty_cache(); }

size_t cached_bytes() { return allocator().cached_bytes(); }

void copy_host_to_device(void* dst, const void* src, size_t nbytes, int device) {
  copy(dst, src, nbytes, device, cudaMemcpyHostToDevice, "cuda::copy_host_to_device");
}

void copy_device_to_host(void* dst, const void* src, size_t nbytes, int device) {
  copy(dst, src, nbytes, device, cudaMemcpyDeviceToHost, "cuda::copy_device_to_host");
}

void copy_device_to_device(void* dst, const void* src, size_t nbytes, int device) {
  copy(dst, src, nbytes, device, cudaMemcpyDeviceToDevice, "cuda::copy_device_to_device");
}

void synchronize(int device) {
  require_device(device, "cuda::synchronize");
  DeviceGuard guard(device);
  TRANSFORMERS_CUDA_CHECK(cudaDeviceSynchronize());
}

}  // namespace runtime

}  // namespace transformers::cuda
