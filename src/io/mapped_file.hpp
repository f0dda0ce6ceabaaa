#pragma once
// A whole file mapped read-only into memory, and tensors that borrow its bytes.
#include <cstdint>
#include <memory>
#include <string>

#include "transformers/core/tensor.hpp"

namespace transformers::detail {

struct MappedFile {
  // Unmaps when the last copy dies; tensors that borrow the bytes hold a copy.
  std::shared_ptr<const void> mapping;
  const unsigned char* bytes = nullptr;  // null for an empty file, which cannot be mapped
  uint64_t size = 0;
};

// Maps the regular file at `path`; throws FileError naming it when it can't be opened or mapped.
MappedFile map_file_read_only(const std::string& path);

// `nbytes` of a mapping as a contiguous tensor of `dtype` (little-endian, as the bytes are):
// borrowed from the mapping when they can be read in place, copied when they sit at an address
// unaligned for the element type or are bools other than 0 and 1 (read as true, as a cast gives).
Tensor mapped_tensor(const std::shared_ptr<const void>& mapping, const unsigned char* bytes, size_t nbytes,
                     const Shape& shape, DType dtype);

}  // namespace transformers::detail
