#include "transformers/core/storage.hpp"

#include "device_runtime.hpp"
#include "host_allocator.hpp"
#include "transformers/core/error.hpp"

namespace transformers {

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  void* data = nullptr;
  if (device.is_cpu()) {
    data = detail::host_allocate(nbytes);
  } else {
    data = detail::device_runtime(device).allocate(nbytes, device.index);
  }
  return std::shared_ptr<Storage>(new Storage(data, nbytes, device, nullptr));
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t nbytes, std::shared_ptr<const void> owner, Device device) {
  if (!owner) throw InvalidArgument("Storage::borrow needs an owner that keeps the bytes alive");
  return std::shared_ptr<Storage>(new Storage(data, nbytes, device, std::move(owner)));
}

Storage::~Storage() {
  if (owner_) return;  // borrowed: the owner frees
  if (device_.is_cpu()) {
    detail::host_deallocate(data_, nbytes_);
  } else {
    detail::device_runtime(device_).deallocate(data_, nbytes_, device_.index);
  }
}

}  // namespace transformers
