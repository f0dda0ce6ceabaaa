#pragma once
// The bytes behind tensors. A Storage either owns 64-byte-aligned memory (host or device) or
// borrows bytes owned by something else, typically a memory-mapped safetensors file; the owner is
// kept alive for as long as any tensor views the storage.
#include <cstddef>
#include <memory>

#include "transformers/core/device.hpp"

namespace transformers {

class Storage {
 public:
  // Fresh, uninitialized memory on `device` (CPU: 64-byte aligned; CUDA: from the caching allocator).
  static std::shared_ptr<Storage> allocate(size_t nbytes, Device device = Device::cpu());
  // Bytes owned by `owner` (for example a file mapping); no copy is made.
  static std::shared_ptr<Storage> borrow(void* data, size_t nbytes, std::shared_ptr<const void> owner,
                                         Device device = Device::cpu());

  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();

  void* data() const { return data_; }
  size_t nbytes() const { return nbytes_; }
  Device device() const { return device_; }
  bool owns_memory() const { return owner_ == nullptr; }

 private:
  Storage(void* data, size_t nbytes, Device device, std::shared_ptr<const void> owner)
      : data_(data), nbytes_(nbytes), device_(device), owner_(std::move(owner)) {}
  void* data_;
  size_t nbytes_;
  Device device_;
  std::shared_ptr<const void> owner_;  // null: we allocated data_ and free it
};

}  // namespace transformers
