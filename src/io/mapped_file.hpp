#pragma once
// A whole file mapped read-only into memory.
#include <cstdint>
#include <memory>
#include <string>

namespace transformers::detail {

struct MappedFile {
  // Unmaps when the last copy dies; tensors that borrow the bytes hold a copy.
  std::shared_ptr<const void> mapping;
  const unsigned char* bytes = nullptr;  // null for an empty file, which cannot be mapped
  uint64_t size = 0;
};

// Maps the regular file at `path`; throws FileError naming it when it can't be opened or mapped.
MappedFile map_file_read_only(const std::string& path);

}  // namespace transformers::detail
