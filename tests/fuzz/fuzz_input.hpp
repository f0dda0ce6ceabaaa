#pragma once
// What the fuzz targets share: the libFuzzer entry point's declaration, and fuzzed bytes as a file
// (memfd_create: in memory, a regular file to the parsers that take a path).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "transformers/core/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace fuzz {

class MemoryFile {
 public:
  MemoryFile(const uint8_t* data, size_t size) : fd_(memfd_create("fuzz-input", MFD_CLOEXEC)) {
    if (fd_ < 0) throw std::runtime_error("memfd_create failed");
    for (size_t written = 0; written < size;) {
      const ssize_t n = ::write(fd_, data + written, size - written);
      if (n <= 0) throw std::runtime_error("writing the memory file failed");
      written += static_cast<size_t>(n);
    }
  }
  ~MemoryFile() { ::close(fd_); }
  MemoryFile(const MemoryFile&) = delete;
  MemoryFile& operator=(const MemoryFile&) = delete;
  std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

 private:
  int fd_;
};

// Runs `read` on the bytes as a file: a result or one of the library's typed errors is the expected
// outcome; anything else escapes to libFuzzer (or the replay) as a finding.
template <typename Read>
int read_as_file(const uint8_t* data, size_t size, Read read) {
  const MemoryFile file(data, size);
  try {
    read(file.path());
  } catch (const transformers::Error&) {
  }
  return 0;
}

inline std::string text(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace fuzz
