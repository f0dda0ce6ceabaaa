#pragma once
// An owned file descriptor and the cache's lock files (not installed).
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "transformers/hub/hub.hpp"

namespace transformers::hub::detail {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { close(); }
  int get() const { return fd_; }
  int close() {
    int result = 0;
    if (fd_ >= 0) result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// An exclusive flock on a lock file, as filelock.UnixFileLock (what huggingface_hub's WeakFileLock uses on
// Linux) takes it, so Python and C++ writers exclude each other. The file is left in place. flock locks
// belong to the open file description, so two threads of one process exclude each other too.
class FileLock {
 public:
  explicit FileLock(const std::filesystem::path& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664)) {
    if (fd_.get() < 0) throw CacheError("cannot open the lock file '" + path.string() + "': " + std::strerror(errno));
    // Group-writable like huggingface_hub's WeakFileLock (mode=0o664), so users sharing a cache can wait on
    // each other's locks; failing (not the owner) is fine.
    (void)::fchmod(fd_.get(), 0664);
    while (::flock(fd_.get(), LOCK_EX) != 0) {
      if (errno != EINTR) throw CacheError("cannot lock '" + path.string() + "': " + std::strerror(errno));
    }
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock() { ::flock(fd_.get(), LOCK_UN); }

 private:
  FileDescriptor fd_;
};

}  // namespace transformers::hub::detail
