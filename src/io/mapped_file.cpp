#include "mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "transformers/core/error.hpp"

namespace transformers::detail {

namespace {

[[noreturn]] void fail_with_errno(const std::string& path, const std::string& action, int error) {
  throw FileError(path + ": cannot " + action + ": " + std::strerror(error));
}

// Closes the descriptor on every path out of map_file_read_only: the mapping outlives it.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() { ::close(fd_); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

MappedFile map_file_read_only(const std::string& path) {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer before the type check below can
  // refuse it; it changes nothing for regular files.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) fail_with_errno(path, "open", errno);
  Descriptor descriptor(fd);

  struct stat status {};
  if (::fstat(descriptor.get(), &status) != 0) fail_with_errno(path, "stat", errno);
  if (!S_ISREG(status.st_mode)) throw FileError(path + ": not a regular file");

  MappedFile file;
  file.size = static_cast<uint64_t>(status.st_size);
  if (file.size == 0) return file;  // mmap rejects length 0; the caller reports the size

  // PROT_READ: tensors borrow these pages, and a read-only mapping of a model larger than RAM
  // still works (a writable private one is charged against memory up front).
  void* address = ::mmap(nullptr, file.size, PROT_READ, MAP_PRIVATE, descriptor.get(), 0);
  if (address == MAP_FAILED) fail_with_errno(path, "mmap", errno);
  const size_t length = file.size;
  file.mapping = std::shared_ptr<const void>(
      address, [length](const void* mapped) { ::munmap(const_cast<void*>(mapped), length); });
  file.bytes = static_cast<const unsigned char*>(address);
  return file;
}

namespace {

Tensor copy_of_bytes(const unsigned char* bytes, size_t nbytes, const Shape& shape, DType dtype) {
  Tensor out = Tensor::empty(shape, dtype);
  if (nbytes != 0) std::memcpy(out.data_ptr(), bytes, nbytes);
  return out;
}

bool is_aligned(const void* pointer, size_t alignment) { return reinterpret_cast<uintptr_t>(pointer) % alignment == 0; }

// A C++ bool object may only hold 0 or 1, but nothing stops a writer from storing other bytes in
// a BOOL tensor; those are read as true (what a cast to bool gives) in a copy.
bool holds_only_zero_and_one(const unsigned char* bytes, size_t nbytes) {
  for (size_t i = 0; i < nbytes; ++i)
    if (bytes[i] > 1) return false;
  return true;
}

Tensor normalized_bools(const unsigned char* bytes, size_t nbytes, const Shape& shape) {
  Tensor out = Tensor::empty(shape, DType::Bool);
  auto* values = static_cast<bool*>(out.data_ptr());
  for (size_t i = 0; i < nbytes; ++i) values[i] = bytes[i] != 0;
  return out;
}

}  // namespace

// Files from other writers need not align their tensors: those are copied.
Tensor mapped_tensor(const std::shared_ptr<const void>& mapping, const unsigned char* bytes, size_t nbytes,
                     const Shape& shape, DType dtype) {
  if (dtype == DType::Bool && !holds_only_zero_and_one(bytes, nbytes)) return normalized_bools(bytes, nbytes, shape);
  if (!is_aligned(bytes, dtype_size(dtype))) return copy_of_bytes(bytes, nbytes, shape, dtype);
  // The mapping is read-only: Storage's interface takes a mutable pointer, but writing through a
  // borrowed tensor would fault, which the header documents.
  auto storage = Storage::borrow(const_cast<unsigned char*>(bytes), nbytes, mapping);
  return Tensor(std::move(storage), dtype, shape, contiguous_strides(shape), 0);
}

}  // namespace transformers::detail
