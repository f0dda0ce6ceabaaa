// Downloading one file into the cache, as huggingface_hub's hf_hub_download does: HEAD for the commit, etag
// and size; the cache answers when it already has them; else GET into blobs/<etag>.incomplete (resumed with
// Range when a previous attempt left one), check the size and, for LFS files, the sha256, rename to
// blobs/<etag>, link snapshots/<commit>/<file>, write refs/. The transfer holds the etag's lock file, so
// concurrent downloaders of one blob wait for each other.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include "file_lock.hpp"
#include "hub_http.hpp"
#include "transformers/io/safe_path.hpp"
#include "hub_internal.hpp"
#include "progress.hpp"
#include "sha256.hpp"

namespace transformers::hub::detail {

namespace {

namespace fs = std::filesystem;

// What the HEAD answer says about a file (huggingface_hub's HfFileMetadata).
struct FileMetadata {
  std::string commit;    // X-Repo-Commit
  std::string etag;      // X-Linked-Etag or ETag, quotes and W/ removed: sha256 (LFS) or git sha1
  uint64_t size = 0;     // X-Linked-Size, or Content-Length of a non-redirect answer
  std::string location;  // where to GET the bytes: the Location of an absolute redirect, else the URL
};

std::string normalize_etag(std::string etag) {
  if (etag.rfind("W/", 0) == 0) etag = etag.substr(2);
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return etag;
}

bool is_lfs_etag(const std::string& etag) { return etag.size() == 64 && is_hex(etag); }

uint64_t parse_size(const std::string& text, const HubTarget& target) {
  char* end = nullptr;
  const unsigned long long size = std::strtoull(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0') {
    throw HubError("the Hub gave no usable size for " + describe_target(target) + " ('" + text + "')", target.repo_id,
                   target.revision, target.filename);
  }
  return size;
}

FileMetadata read_metadata(const HttpResponse& response, const std::string& url, const HubTarget& target) {
  FileMetadata meta;
  meta.commit = response.header("x-repo-commit");
  if (!is_full_commit(meta.commit)) {
    throw HubError("cannot download " + describe_target(target) + ": " + url +
                       " did not answer with a commit (X-Repo-Commit '" + meta.commit +
                       "'); it does not seem to be a Hugging Face Hub: check "
                       "HF_ENDPOINT and proxy settings",
                   target.repo_id, target.revision, target.filename);
  }
  meta.commit = lowercase(meta.commit);
  std::string etag = response.header("x-linked-etag");
  if (etag.empty()) etag = response.header("etag");
  meta.etag = normalize_etag(etag);
  if (!is_blob_name(meta.etag)) {  // it names the blob file: anything but a hex digest could be a path
    throw UnsafeName("cannot download " + describe_target(target) + ": the Hub's ETag '" +
                         io::printable(etag.substr(0, 200)) +
                         "' is not a git sha1 or sha256 hex digest, so the file can't be stored in the cache; "
                         "check HF_ENDPOINT and the mirror",
                     target.repo_id, target.revision, target.filename);
  }
  meta.etag = lowercase(meta.etag);
  const bool redirect = response.status >= 300 && response.status < 400;
  std::string size = response.header("x-linked-size");
  if (size.empty() && !redirect) size = response.header("content-length");
  meta.size = parse_size(size, target);
  meta.location = redirect && !response.header("location").empty() ? response.header("location") : url;
  return meta;
}

// The empty marker huggingface_hub writes when the Hub says a file does not exist at a commit.
void write_no_exist_marker(const fs::path& repo_dir, const std::string& commit, const std::string& filename) {
  const fs::path marker = repo_dir / ".no_exist" / commit / filename;
  std::error_code ec;
  check_inside_repo(repo_dir, marker);
  fs::create_directories(marker.parent_path(), ec);
  if (!ec) FileDescriptor(::open(marker.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0666));
}

struct DownloadJob {
  HubTarget target;
  FileMetadata meta;
  std::map<std::string, std::string> headers;  // without Authorization when the bytes are on another host
  fs::path blob;
  bool quiet = false;
};

// A write into the cache failed (a full disk, a read-only cache): the error names the file being
// downloaded, and what is already in `incomplete` stays for the next call to resume from.
[[noreturn]] void throw_write_failed(const DownloadJob& job, const fs::path& incomplete, int error) {
  throw CacheError("cannot write '" + incomplete.string() + "' while downloading " + describe_target(job.target) +
                       ": " + std::strerror(error) + " (the next call resumes from what was written)",
                   job.target.repo_id, job.target.revision, job.target.filename);
}

// Appends what the server sends to `incomplete`, starting at `offset` (a Range request) or over everything
// when the server ignores the range (200 instead of 206). Returns the answer; an error answer (4xx/5xx) wrote
// nothing.
HttpResponse fetch_into(const DownloadJob& job, const fs::path& incomplete, uint64_t offset, std::string& error_body,
                        ProgressBar& progress) {
  FileDescriptor out(::open(incomplete.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666));
  if (out.get() < 0) throw_write_failed(job, incomplete, errno);
  HttpRequest request;
  request.method = "GET";
  request.url = job.meta.location;
  request.headers = job.headers;
  request.headers["Accept-Encoding"] = "identity";
  if (offset > 0) request.headers["Range"] = "bytes=" + std::to_string(offset) + "-";
  // The CDN may redirect again; curl drops Authorization when that changes the host.
  request.follow_redirects = true;
  request.timeout_s = download_timeout();

  bool started = false;
  uint64_t position = offset;
  auto sink = [&](long status, const char* data, size_t size) {
    if (!started) {
      started = true;
      if (status != 206) position = 0;  // the whole file comes: start over
      if (::ftruncate(out.get(), off_t(position)) != 0 || ::lseek(out.get(), off_t(position), SEEK_SET) < 0)
        throw_write_failed(job, incomplete, errno);
      progress.set(position);
    }
    if (position + size > job.meta.size) {
      throw DownloadFailed("the Hub sent more bytes than the " + std::to_string(job.meta.size) + " announced for " +
                               describe_target(job.target) + "; try again later",
                           job.target.repo_id, job.target.revision, job.target.filename);
    }
    for (size_t done = 0; done < size;) {
      const ssize_t n = ::write(out.get(), data + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_write_failed(job, incomplete, errno);
      done += size_t(n);
    }
    position += size;
    progress.add(size);
    return true;
  };
  HttpResponse response = http_request(request, sink, &error_body);
  if (::fsync(out.get()) != 0 || out.close() != 0) throw_write_failed(job, incomplete, errno);
  return response;
}

uint64_t file_size_or_zero(const fs::path& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  return ec ? 0 : uint64_t(size);
}

// Checks a complete .incomplete file: its size, and its sha256 for an LFS etag. On a mismatch the file is
// deleted (its bytes can't be trusted) and the reason returned.
std::optional<std::string> verify(const DownloadJob& job, const fs::path& incomplete) {
  const uint64_t size = file_size_or_zero(incomplete);
  std::optional<std::string> problem;
  if (size != job.meta.size) {
    problem = "it has " + std::to_string(size) + " bytes instead of the " + std::to_string(job.meta.size) +
              " the Hub announced";
  } else if (is_lfs_etag(job.meta.etag)) {
    const std::string sha = sha256_file(incomplete.string());
    if (sha != lowercase(job.meta.etag)) problem = "its sha256 is " + sha + " instead of " + lowercase(job.meta.etag);
  }
  if (problem) {
    std::error_code ec;
    fs::remove(incomplete, ec);
  }
  return problem;
}

// The GET loop: resumes after dropped connections and stalls, retries 5xx with backoff, restarts once from
// scratch when resumed bytes fail the check. Leaves blobs/<etag> complete and verified.
void download_blob(const DownloadJob& job, bool force) {
  const fs::path incomplete = job.blob.string() + ".incomplete";
  std::error_code ec;
  if (force) fs::remove(incomplete, ec);
  const int attempts = max_attempts();
  ProgressBar progress(job.target.filename, job.meta.size, job.quiet);
  bool restarted = false;
  try {
    for (int attempt = 1;; ++attempt) {
      uint64_t offset = file_size_or_zero(incomplete);
      if (offset > job.meta.size) {
        fs::remove(incomplete, ec);
        offset = 0;
      }
      std::string failure;
      if (offset < job.meta.size || job.meta.size == 0) {
        std::string error_body;
        try {
          const HttpResponse response = fetch_into(job, incomplete, offset, error_body, progress);
          if (response.status == 416) {  // our offset is past the server's file: start over
            fs::remove(incomplete, ec);
            failure = "HTTP 416";
          } else if (response.status >= 400) {
            if (!is_retryable_status(response.status) || attempt >= attempts)
              raise_for_status(response, error_body, job.target);
            failure = "HTTP " + std::to_string(response.status);
          }
        } catch (const DownloadFailed&) {
          fs::remove(incomplete, ec);  // more bytes than announced: none of them can be trusted
          throw;
        } catch (const TransportError& e) {
          failure = e.what();
          if (!e.retryable()) {
            throw HubUnreachable("cannot download " + describe_target(job.target) + ": " + failure +
                                     ". Check your connection and try again; what arrived is "
                                     "kept and the next attempt resumes",
                                 job.target.repo_id, job.target.revision, job.target.filename);
          }
        }
      }
      if (failure.empty()) {
        const auto problem = verify(job, incomplete);
        if (!problem) break;
        if (offset > 0 && !restarted) {  // the bytes kept from before may be what is wrong: once more from 0
          restarted = true;
          continue;
        }
        throw DownloadFailed("the download of " + describe_target(job.target) + " is corrupt: " + *problem +
                                 ". It was deleted; try again "
                                 "(force_download=true starts afresh)",
                             job.target.repo_id, job.target.revision, job.target.filename);
      }
      if (attempt >= attempts) {
        throw DownloadFailed("the download of " + describe_target(job.target) + " broke off " +
                                 std::to_string(attempts) + " times (last: " + failure + "); the " +
                                 std::to_string(file_size_or_zero(incomplete)) + " bytes received are kept in '" +
                                 incomplete.string() + "' and the next attempt resumes there",
                             job.target.repo_id, job.target.revision, job.target.filename);
      }
      backoff_sleep(attempt);
    }
  } catch (...) {
    if (file_size_or_zero(incomplete) == 0) fs::remove(incomplete, ec);  // nothing worth resuming
    throw;
  }
  fs::rename(incomplete, job.blob, ec);
  if (ec) throw CacheError("cannot move '" + incomplete.string() + "' to '" + job.blob.string() + "': " + ec.message());
  progress.finish();
}

// HEAD, with the fallbacks huggingface_hub applies: the caller gets either metadata or the cache's answer
// (`cached`), or an exception when neither works.
struct HeadOutcome {
  std::optional<FileMetadata> meta;
  std::optional<std::string> cached;
};

HeadOutcome head(const HubTarget& target, const HubOptions& options, const fs::path& repo_dir) {
  const std::string url = resolve_url(target);
  HttpRequest request;
  request.method = "HEAD";
  request.url = url;
  request.headers = hub_headers(options);
  request.headers["Accept-Encoding"] = "identity";
  request.timeout_s = etag_timeout();
  std::exception_ptr failure;
  std::string network_error;
  try {
    const HttpResponse response = request_with_retries(request);
    if (response.status < 400) return {read_metadata(response, response.url, target), std::nullopt};
    const std::string commit = response.header("x-repo-commit");
    try {
      raise_for_status(response, "", target);
    } catch (const EntryNotFound&) {
      if (is_full_commit(commit)) write_no_exist_marker(repo_dir, lowercase(commit), target.filename);
      throw;
    }
  } catch (const RevisionNotFound&) {
    throw;  // the Hub knows better than the cache
  } catch (const UnsafeName&) {
    throw;  // a lying Hub is not an unreachable one
  } catch (const EntryNotFound&) {
    throw;
  } catch (const RepositoryNotFound& e) {
    failure = std::current_exception();  // a private or gated repo may still be cached
    network_error = e.what();
  } catch (const HubError& e) {
    network_error = e.what();
  } catch (const TransportError& e) {
    network_error = e.what();
  }
  // The Hub could not answer: the cache may (not for force_download, which asks for fresh bytes).
  try {
    return {std::nullopt, file_from_cache(target.repo_id, target.filename, options, network_error)};
  } catch (const LocalEntryNotFound&) {
    if (failure) std::rethrow_exception(failure);
    throw;
  }
}

}  // namespace

std::string download_file(const std::string& repo_id, const std::string& filename, const HubOptions& options) {
  HubTarget target{repo_id, options.repo_type, options.revision.value_or("main"), filename};
  if (!is_valid_repo_id(repo_id)) {
    throw RepositoryNotFound("'" + repo_id + "' is not a valid Hub repo id (\"name\" or \"org/name\")", repo_id,
                             target.revision, filename);
  }
  check_relative_name(target.revision, "revision", repo_id, target.revision, filename);
  check_relative_name(filename, "filename", repo_id, target.revision, filename);
  const fs::path cache = cache_root(options.cache_dir);
  const std::string folder = repo_folder_name(repo_id, options.repo_type);
  const fs::path repo_dir = cache / folder;
  std::error_code ec;

  // A full commit that is cached needs no network at all.
  if (!options.force_download && is_full_commit(target.revision)) {
    const fs::path pointer = repo_dir / "snapshots" / lowercase(target.revision) / filename;
    if (fs::is_regular_file(pointer, ec)) return pointer.string();
  }
  HeadOutcome outcome = head(target, options, repo_dir);
  if (outcome.cached) return *outcome.cached;
  const FileMetadata& meta = *outcome.meta;

  const fs::path pointer = repo_dir / "snapshots" / meta.commit / filename;
  const std::string ref = is_full_commit(target.revision) ? std::string() : target.revision;
  const fs::path blob = repo_dir / "blobs" / meta.etag;
  if (!options.force_download && fs::is_regular_file(pointer, ec)) {
    try {
      update_ref(repo_dir, ref, meta.commit, repo_id);
    } catch (const Error&) {
      // Best effort, as huggingface_hub: the file itself is there.
    }
    return pointer.string();
  }

  check_inside_repo(repo_dir, blob);
  check_inside_repo(repo_dir, pointer);
  fs::create_directories(repo_dir / "blobs", ec);
  fs::create_directories(cache / ".locks" / folder, ec);
  if (ec) throw CacheError("cannot create folders in the cache '" + cache.string() + "': " + ec.message(), repo_id);
  {
    FileLock lock(cache / ".locks" / folder / (meta.etag + ".lock"));
    // Another process may have finished this blob while we waited for the lock.
    if (options.force_download || !fs::is_regular_file(blob, ec)) {
      DownloadJob job{target, meta, hub_headers(options), blob, options.quiet};
      if (url_origin(meta.location) != url_origin(resolve_url(target))) job.headers.erase("Authorization");
      download_blob(job, options.force_download);
    }
    link_snapshot_file(repo_dir, meta.commit, filename, meta.etag);
    update_ref(repo_dir, ref, meta.commit, repo_id);
  }
  return pointer.string();
}

}  // namespace transformers::hub::detail
