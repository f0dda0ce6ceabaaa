#pragma once
// Writing a file so that it appears complete or not at all: bytes go to a temporary file beside
// the target, which is renamed over the target only once everything is written and synced.
#include <cstddef>
#include <string>

namespace transformers::detail {

class TemporaryFile {
 public:
  // Creates `<target>.tmp.<pid>.<random>`; throws FileError naming `target` if it can't.
  explicit TemporaryFile(std::string target);
  // Removes the temporary file unless commit() succeeded.
  ~TemporaryFile();
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;

  void write(const void* data, size_t nbytes);
  // fsync, close and rename onto the target.
  void commit();

  const std::string& temporary_path() const { return temporary_path_; }

 private:
  [[noreturn]] void fail(const std::string& action, int error) const;

  std::string target_;
  std::string temporary_path_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace transformers::detail
