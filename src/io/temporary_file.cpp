#include "temporary_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "transformers/core/error.hpp"

namespace transformers::detail {

namespace {

std::string random_hex() {
  std::random_device device;
  const uint64_t value = (static_cast<uint64_t>(device()) << 32) | device();
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(value));
  return text;
}

// After a rename the new directory entry is durable only once the directory itself is synced.
// Some filesystems refuse to sync directories; the file's own bytes are synced either way, so a
// failure here is not reported.
void sync_parent_directory(const std::string& path) {
  std::string folder = std::filesystem::path(path).parent_path().string();
  if (folder.empty()) folder = ".";
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

TemporaryFile::TemporaryFile(std::string target)
    : target_(std::move(target)), temporary_path_(target_ + ".tmp." + std::to_string(::getpid()) + "." + random_hex()) {
  fd_ = ::open(temporary_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd_ < 0) fail("create " + temporary_path_, errno);
}

TemporaryFile::~TemporaryFile() {
  if (committed_) return;
  if (fd_ >= 0) ::close(fd_);
  ::unlink(temporary_path_.c_str());
}

void TemporaryFile::fail(const std::string& action, int error) const {
  throw FileError(target_ + ": cannot " + action + ": " + std::strerror(error));
}

void TemporaryFile::write(const void* data, size_t nbytes) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  while (nbytes > 0) {
    const ssize_t written = ::write(fd_, bytes, nbytes);
    if (written < 0 && errno == EINTR) continue;
    if (written < 0) fail("write " + temporary_path_, errno);
    bytes += written;
    nbytes -= static_cast<size_t>(written);
  }
}

void TemporaryFile::commit() {
  if (::fsync(fd_) != 0) fail("sync " + temporary_path_, errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("close " + temporary_path_, errno);
  if (::rename(temporary_path_.c_str(), target_.c_str()) != 0) fail("rename " + temporary_path_ + " onto it", errno);
  committed_ = true;
  sync_parent_directory(target_);
}

}  // namespace transformers::detail
