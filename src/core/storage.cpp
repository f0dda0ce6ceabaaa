#include "transformers/core/storage.hpp"

#include <cstdlib>
#include <new>
#include <string>

#include "transformers/backends/cuda.hpp"
#include "transformers/core/error.hpp"

namespace transformers {

namespace {
constexpr size_t kAlignment = 64;  // a cache line, and an AVX-512 register
}

std::shared_ptr<Storage> Storage::allocate(size_t nbytes, Device device) {
  void* data = nullptr;
  if (device.is_cpu()) {
    size_t rounded = (nbytes + kAlignment - 1) / kAlignment * kAlignment;
    data = std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded);
    if (!data) throw Error("out of host memory allocating " + std::to_string(nbytes) + " bytes");
  } else {
    data = cuda::allocate(nbytes, device.index);
  }
  return std::shared_ptr<Storage>(new Storage(data, nbytes, device, nullptr));
}

std::shared_ptr<Storage> Storage::borrow(void* data, size_t nbytes, std::shared_ptr<const void> owner,
                                         Device device) {
  if (!owner) throw InvalidArgument("Storage::borrow needs an owner that keeps the bytes alive");
  return std::shared_ptr<Storage>(new Storage(data, nbytes, device, std::move(owner)));
}

Storage::~Storage() {
  if (owner_) return;  // borrowed: the owner frees
  if (device_.is_cpu()) {
    std::free(data_);
  } else {
    cuda::deallocate(data_, nbytes_, device_.index);
  }
}

}  // namespace transformers
