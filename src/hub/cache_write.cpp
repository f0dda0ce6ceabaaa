// Writing one file into the cache the way huggingface_hub's _hf_hub_download_to_cache_dir does:
// blob through a temporary file and a rename, relative symlink, ref, all under the etag's lock.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "file_lock.hpp"
#include "hub_internal.hpp"
#include "sha256.hpp"
#include "transformers/hub/hub.hpp"

namespace transformers::hub {

namespace {

namespace fs = std::filesystem;
using detail::FileDescriptor;
using detail::FileLock;

std::string errno_text(int err) { return std::strerror(err); }

// create_directories that records the folders it made (outermost first), to undo them on failure.
void make_dirs(const fs::path& dir, std::vector<fs::path>& created) {
  std::vector<fs::path> missing;
  for (fs::path p = dir; !p.empty() && !fs::exists(fs::symlink_status(p)); p = p.parent_path()) {
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    std::error_code ec;
    if (fs::create_directory(*it, ec)) created.push_back(*it);
    if (ec) throw CacheError("cannot create the folder '" + it->string() + "': " + ec.message());
  }
}

void remove_empty_dirs(const std::vector<fs::path>& created) {
  for (auto it = created.rbegin(); it != created.rend(); ++it) {
    std::error_code ec;
    if (fs::is_empty(*it, ec)) fs::remove(*it, ec);
  }
}

// Copies `source` to a new `target` (which must not exist) and returns the sha256 of the content.
std::string copy_and_hash(const std::string& source, const fs::path& target) {
  FileDescriptor in(::open(source.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) throw FileError("cannot open '" + source + "' to install it into the cache: " + errno_text(errno));
  FileDescriptor out(::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
  if (out.get() < 0) throw CacheError("cannot create '" + target.string() + "': " + errno_text(errno));
  detail::Sha256 hash;
  std::vector<char> buffer(size_t(1) << 20);
  for (;;) {
    const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw FileError("cannot read '" + source + "' to install it into the cache: " + errno_text(errno));
    }
    if (n == 0) break;
    hash.update(buffer.data(), size_t(n));
    for (ssize_t written = 0; written < n;) {
      const ssize_t w = ::write(out.get(), buffer.data() + written, size_t(n - written));
      if (w < 0) {
        if (errno == EINTR) continue;
        throw CacheError("cannot write '" + target.string() + "': " + errno_text(errno));
      }
      written += w;
    }
  }
  if (::fsync(out.get()) != 0 || out.close() != 0) {
    throw CacheError("cannot write '" + target.string() + "': " + errno_text(errno));
  }
  return hash.hex_digest();
}

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

namespace detail {

void link_snapshot_file(const fs::path& repo_dir, const std::string& commit, const std::string& filename,
                        const std::string& blob_name) {
  const fs::path pointer = repo_dir / "snapshots" / commit / filename;
  check_inside_repo(repo_dir, pointer);
  std::error_code ec;
  fs::create_directories(pointer.parent_path(), ec);
  if (ec) throw CacheError("cannot create the folder '" + pointer.parent_path().string() + "': " + ec.message());
  std::string target;
  for (size_t i = 0, depth = size_t(std::count(filename.begin(), filename.end(), '/')) + 2; i < depth; ++i)
    target += "../";
  target += "blobs/" + blob_name;
  // A new link under a temporary name renamed over the old one: readers never see no file.
  const fs::path tmp_link =
      pointer.parent_path() / ("." + pointer.filename().string() + "." + unique_suffix() + ".link");
  if (::symlink(target.c_str(), tmp_link.c_str()) != 0) {
    throw CacheError("cannot create the symlink '" + tmp_link.string() + "': " + errno_text(errno));
  }
  if (::rename(tmp_link.c_str(), pointer.c_str()) != 0) {
    const int err = errno;
    fs::remove(tmp_link, ec);
    throw CacheError("cannot create '" + pointer.string() + "' (" + errno_text(err) + ")", "", commit, filename);
  }
}

void update_ref(const fs::path& repo_dir, const std::string& ref, const std::string& commit,
                const std::string& repo_id) {
  if (ref.empty() || ref == commit) return;
  check_relative_name(ref, "revision", repo_id, ref, "");
  check_inside_repo(repo_dir, repo_dir / "refs" / ref);
  const auto current = read_ref(repo_dir, ref, repo_id);
  if (!current || *current != commit) write_file_atomically(repo_dir / "refs" / ref, commit);
}

}  // namespace detail

std::string install_into_cache(const std::string& repo_id, const std::string& commit_in, const std::string& filename,
                               const std::string& source_file_path, const std::string& cache_dir,
                               const std::string& ref, const std::optional<std::string>& etag,
                               const std::string& repo_type) {
  if (!is_valid_repo_id(repo_id))
    throw InvalidArgument("cannot install into the cache: '" + repo_id + "' is not a valid Hub repo id");
  if (!detail::is_full_commit(commit_in)) {
    throw InvalidArgument("cannot install '" + filename + "' of '" + repo_id +
                          "' into the cache: the commit must be a full " + "40-hex sha, got '" + commit_in + "'");
  }
  const std::string commit = lower(commit_in);
  detail::check_relative_name(filename, "filename", repo_id, commit, filename);
  if (!ref.empty()) detail::check_relative_name(ref, "revision", repo_id, ref, filename);
  if (etag && !detail::is_blob_name(*etag)) {
    throw InvalidArgument("cannot install '" + filename + "' of '" + repo_id + "': invalid etag '" + *etag +
                          "' (expected a git sha1 or sha256: 40 or 64 hex digits)");
  }

  const fs::path root = cache_dir.empty() ? default_cache_dir() : cache_dir;
  const std::string folder = repo_folder_name(repo_id, repo_type);
  const fs::path repo_dir = root / folder;
  const fs::path blobs = repo_dir / "blobs";
  detail::check_inside_repo(repo_dir, blobs / "x");
  detail::check_inside_repo(repo_dir, repo_dir / "snapshots" / commit / filename);
  std::vector<fs::path> created;  // folders this call made, removed again if it fails
  try {
    make_dirs(blobs, created);
  } catch (...) {
    remove_empty_dirs(created);
    throw;
  }

  // 1. The content goes to a process-unique temporary file next to the blobs, outside any lock.
  const fs::path tmp = blobs / (etag.value_or("sha256") + "." + detail::unique_suffix() + ".incomplete");
  std::string content_sha;
  try {
    content_sha = copy_and_hash(source_file_path, tmp);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    remove_empty_dirs(created);
    throw;
  }
  const std::string blob_name = etag ? lower(*etag) : content_sha;
  if (etag && etag->size() == 64 && detail::is_hex(*etag) && lower(*etag) != content_sha) {
    std::error_code ec;
    fs::remove(tmp, ec);
    remove_empty_dirs(created);
    throw CacheError("cannot install '" + source_file_path + "' as '" + filename + "' of '" + repo_id +
                         "': its sha256 " + content_sha + " differs from the etag " + *etag +
                         " (an LFS etag is the content's sha256)",
                     repo_id, commit, filename);
  }

  // 2. Under the lock: blob, link, ref.
  const fs::path blob = blobs / blob_name;
  const fs::path pointer = repo_dir / "snapshots" / commit / filename;
  bool new_blob = false;
  try {
    make_dirs(root / ".locks" / folder, created);
    FileLock lock(root / ".locks" / folder / (blob_name + ".lock"));
    std::error_code ec;
    if (fs::exists(blob, ec)) {
      fs::remove(tmp, ec);
    } else {
      fs::rename(tmp, blob, ec);
      if (ec) throw CacheError("cannot move '" + tmp.string() + "' to '" + blob.string() + "': " + ec.message());
      new_blob = true;
    }

    make_dirs(pointer.parent_path(), created);
    detail::link_snapshot_file(repo_dir, commit, filename, blob_name);
    detail::update_ref(repo_dir, ref, commit, repo_id);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    if (new_blob && !fs::is_symlink(fs::symlink_status(pointer, ec))) fs::remove(blob, ec);
    remove_empty_dirs(created);
    throw;
  }
  return pointer.string();
}

}  // namespace transformers::hub
