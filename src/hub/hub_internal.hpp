#pragma once
// Helpers shared by the hub sources (not installed).
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace transformers::hub {
struct HubOptions;
}

namespace transformers::hub::detail {

namespace fs = std::filesystem;

bool is_hex(const std::string& text);
// A full commit sha: 40 lowercase or uppercase hex digits.
bool is_full_commit(const std::string& text);
// A possible short sha: 7 to 39 hex digits.
bool is_short_commit(const std::string& text);

// Throws RevisionNotFound (what == "revision") or InvalidArgument for names that could escape
// the repo folder: empty, absolute, or with "." / ".." / empty components.
void check_relative_name(const std::string& name, const char* what, const std::string& repo_id,
                         const std::string& revision, const std::string& filename);

// Throws UnsafeName unless `name`, sent by the Hub as `what` ("file name", ...), is a safe relative path.
void check_hub_name(const std::string& name, const char* what, const std::string& repo_id, const std::string& revision);
// An ETag usable as a blob name, as huggingface_hub stores them: a git sha1 (40 hex) or a sha256 (64 hex).
bool is_blob_name(const std::string& etag);
// Throws CacheError unless `path` (which need not exist) lands inside `repo_dir` once the symlinks of its
// existing parent folders are followed.
void check_inside_repo(const fs::path& repo_dir, const fs::path& path);

// Reads refs/<name>: the commit, with trailing whitespace (a newline a user added) dropped. nullopt
// when the file does not exist; CacheError when it holds no commit sha.
std::optional<std::string> read_ref(const fs::path& repo_dir, const std::string& ref, const std::string& repo_id);

// The cache root for these options: options' cache_dir, else default_cache_dir().
std::string cache_root(const std::optional<std::string>& cache_dir);

// Writes `content` to `path` through a process-unique temporary file in the same folder and an
// atomic rename (folders created).
void write_file_atomically(const fs::path& path, const std::string& content);

// HF_HOME as huggingface_hub computes it (expanded).
std::string hf_home();
// A boolean environment variable as huggingface_hub reads it (1/ON/YES/TRUE, any case).
bool env_is_true(const char* name);
std::string lowercase(std::string text);

// Offline lookups (resolve.cpp). `network_error` says why the Hub was not asked: empty when offline
// (the error is then OfflineModeNoCache), else the failure (the error is HubUnreachable).
std::string file_from_cache(const std::string& repo_id, const std::string& filename, const HubOptions& options,
                            const std::string& network_error);
std::string snapshot_from_cache(const std::string& repo_id, const HubOptions& options,
                                const std::string& network_error);

// Online lookups: one file (download.cpp), the files of a snapshot that `select` picks from the
// repo's listing (snapshot.cpp).
using FileSelection = std::function<std::vector<std::string>(const std::vector<std::string>& listing)>;
std::string download_file(const std::string& repo_id, const std::string& filename, const HubOptions& options);
std::string download_snapshot(const std::string& repo_id, const HubOptions& options, const FileSelection& select,
                              int max_workers);

// Writing into a repo folder, under the blob's lock (cache_write.cpp): snapshots/<commit>/<filename>
// becomes a relative symlink to blobs/<blob_name> (replaced atomically), and refs/<ref> = commit
// unless `ref` is empty or is the commit itself.
void link_snapshot_file(const fs::path& repo_dir, const std::string& commit, const std::string& filename,
                        const std::string& blob_name);
void update_ref(const fs::path& repo_dir, const std::string& ref, const std::string& commit,
                const std::string& repo_id);

// "<8 hex>" unique enough for temporary names (pid, time, counter, random device).
std::string unique_suffix();

}  // namespace transformers::hub::detail
