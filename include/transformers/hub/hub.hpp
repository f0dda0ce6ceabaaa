#pragma once
// The Hugging Face Hub client: turns "org/name" (or a local folder) into local files, sharing the
// huggingface_hub cache with Python users of the same machine.
//
// Cache layout (written by huggingface_hub, read and written here the same way):
//   <cache>/models--org--name/blobs/<etag>                 file contents, one per distinct etag
//   <cache>/models--org--name/snapshots/<commit>/<file>    relative symlink to ../../blobs/<etag>
//   <cache>/models--org--name/refs/<branch or tag>         the 40-hex commit, no trailing newline
//   <cache>/models--org--name/.no_exist/<commit>/<file>    empty marker: "<file> does not exist at <commit>"
//   <cache>/.locks/models--org--name/<etag>.lock           flock'ed while a blob is being written
//
// Online (the default), a file missing from the cache is downloaded from {HF_ENDPOINT}/{repo}/resolve/
// {revision}/{file} with libcurl; offline (HF_HUB_OFFLINE, TRANSFORMERS_OFFLINE, local_files_only) only
// the cache is read and no connection is made.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transformers/core/error.hpp"

namespace transformers::hub {

// ---------------------------------------------------------------------------------------------------
// Errors. Every message names the repo, the revision and the file where they apply, says what was
// found and what to do. All are FileErrors, so callers that catch file problems catch these too.

class HubError : public FileError {
 public:
  HubError(const std::string& message, std::string repo_id = {}, std::string revision = {}, std::string filename = {})
      : FileError(message),
        repo_id_(std::move(repo_id)),
        revision_(std::move(revision)),
        filename_(std::move(filename)) {}
  const std::string& repo_id() const { return repo_id_; }
  const std::string& revision() const { return revision_; }
  const std::string& filename() const { return filename_; }

 private:
  std::string repo_id_, revision_, filename_;
};

// The repository does not exist, is private or the token can't see it (online: 404/401), or the
// argument is neither a local folder nor a valid repo id.
class RepositoryNotFound : public HubError {
 public:
  using HubError::HubError;
};
// A gated repo whose terms were not accepted by the token's user (online only).
class GatedRepo : public RepositoryNotFound {
 public:
  using RepositoryNotFound::RepositoryNotFound;
};
// The branch/tag/commit does not exist in the repository (online), or is malformed.
class RevisionNotFound : public HubError {
 public:
  using HubError::HubError;
};
// A short commit sha matches several cached snapshots.
class AmbiguousRevision : public RevisionNotFound {
 public:
  using RevisionNotFound::RevisionNotFound;
};
// The file does not exist in the repository at that revision: known from the server (online) or from
// a .no_exist marker in the cache (offline). Not worth retrying.
class EntryNotFound : public HubError {
 public:
  using HubError::HubError;
};
// The file is not in the local cache and could not be fetched (huggingface_hub's
// LocalEntryNotFoundError). The subclasses say why.
class LocalEntryNotFound : public HubError {
 public:
  using HubError::HubError;
};
// ... because offline mode is on (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE / local_files_only).
class OfflineModeNoCache : public LocalEntryNotFound {
 public:
  using LocalEntryNotFound::LocalEntryNotFound;
};
// ... because the Hub could not be reached or answered with a server error (5xx) after retries.
class HubUnreachable : public LocalEntryNotFound {
 public:
  using LocalEntryNotFound::LocalEntryNotFound;
};
// Any other HTTP error answer from the Hub (400, 5xx after retries, ...); status() is the HTTP status.
class HubHttpError : public HubError {
 public:
  HubHttpError(const std::string& message, long status, std::string repo_id = {}, std::string revision = {},
               std::string filename = {})
      : HubError(message, std::move(repo_id), std::move(revision), std::move(filename)), status_(status) {}
  long status() const { return status_; }

 private:
  long status_;
};
// A transfer broke off (dropped connection, stall) more often than the retries allow, or delivered
// bytes that fail the size or sha256 check. What arrived intact is kept as blobs/<etag>.incomplete
// and the next attempt resumes from it.
class DownloadFailed : public HubError {
 public:
  using HubError::HubError;
};
// A name the Hub sent that cannot become a path in the cache: a file in a listing that is absolute,
// climbs out with "..", holds control characters or appears twice; an ETag that is not a hex digest; a
// commit that is not 40 hex digits. Nothing was written. (A mirror or HF_ENDPOINT that lies.)
class UnsafeName : public HubError {
 public:
  using HubError::HubError;
};
// The cache is damaged (broken symlink, unreadable ref) or could not be written.
class CacheError : public HubError {
 public:
  using HubError::HubError;
};

// ---------------------------------------------------------------------------------------------------
// Options shared by every lookup, named as in huggingface_hub / transformers.

struct HubOptions {
  std::optional<std::string> cache_dir;  // default: default_cache_dir()
  std::optional<std::string> revision;   // branch, tag or commit sha (full or ≥ 7 hex); default "main"
  std::optional<std::string> token;      // default: HF_TOKEN, else the token file (see hub_token()); "" sends none
  bool local_files_only = false;         // never touch the network (like HF_HUB_OFFLINE for one call)
  bool force_download = false;           // download again even when cached
  std::string repo_type = "model";       // "model", "dataset" or "space"
  bool quiet = false;                    // no progress bar (there is none anyway when stderr is no terminal)
  // transformers' gguf_file: the model and its tokenizer come from this GGUF file of the folder or
  // repo instead of config.json / safetensors / tokenizer.json (see resolve_gguf_file).
  std::optional<std::string> gguf_file;
};

// ---------------------------------------------------------------------------------------------------
// Environment.

// The cache root as huggingface_hub (and transformers v4) compute it from the environment; see the
// precedence in src/hub/environment.cpp. `~` and $VARS are expanded as Python does.
std::string default_cache_dir();
// HF_HUB_OFFLINE, or TRANSFORMERS_OFFLINE when HF_HUB_OFFLINE is unset or empty, is one of
// 1/ON/YES/TRUE (case-insensitive).
bool is_offline_mode();

// HF_ENDPOINT without trailing '/', default "https://huggingface.co".
std::string hub_endpoint();
// The token sent to the Hub when HubOptions::token is not given, in huggingface_hub's order: HF_TOKEN,
// HUGGING_FACE_HUB_TOKEN, then the file HF_TOKEN_PATH (default $HF_HOME/token). nullopt when none is
// set or HF_HUB_DISABLE_IMPLICIT_TOKEN is true.
std::optional<std::string> hub_token();

// "models--org--name" (also "datasets--..." and "spaces--..."): the repo's folder in the cache.
std::string repo_folder_name(const std::string& repo_id, const std::string& repo_type = "model");
// Whether `repo_id` is a valid Hub id ("name" or "org/name", as huggingface_hub validates them).
bool is_valid_repo_id(const std::string& repo_id);

// ---------------------------------------------------------------------------------------------------
// Resolution.

// A local folder is returned unchanged. Anything else must be a Hub id, resolved to its snapshot folder
// snapshots/<commit> for options.revision. Online, the files transformers.cpp reads (top-level *.json,
// *.safetensors, tokenizer files *.model / *.txt / *.tiktoken, and the sentence-transformers module
// folders "1_Pooling/..." ...) are downloaded first when missing, as snapshot_download would. Throws
// RepositoryNotFound when it is neither, LocalEntryNotFound (OfflineModeNoCache / HubUnreachable) when
// it is not cached and can't be downloaded.
std::string resolve_model_path(const std::string& path_or_id, const HubOptions& options = {});

// The GGUF file a load reads, or nullopt when it reads a Hugging Face folder: `path_or_id` itself
// when it ends in ".gguf" and is not a folder, else options.gguf_file inside the folder `path_or_id`, or in
// the Hub repo `path_or_id` (hub_file: only that file is fetched). Throws when gguf_file leaves the
// folder (io::join_inside), FileError when a local gguf_file does not exist, and what hub_file throws for a repo.
std::optional<std::string> resolve_gguf_file(const std::string& path_or_id, const HubOptions& options = {});

// What from_pretrained reads: resolve_gguf_file's GGUF file when there is one, else
// resolve_model_path's folder.
std::string resolve_model_source(const std::string& path_or_id, const HubOptions& options = {});

// The local path of one file of a Hub repo: snapshots/<commit>/<filename> in the cache (a relative
// symlink into blobs/), downloaded first when allowed (huggingface_hub's hf_hub_download). `filename`
// may have subfolders ("onnx/model.onnx"). Online it asks the Hub which commit the revision names
// (HEAD), unless the revision is a full commit already cached; when the Hub can't be reached it falls
// back to the cache. Throws EntryNotFound when the Hub (or a .no_exist marker) says the file does not
// exist at that commit, RepositoryNotFound / GatedRepo / RevisionNotFound as the Hub answers,
// LocalEntryNotFound when it is not cached and can't be downloaded, AmbiguousRevision for a short sha
// matching several snapshots, CacheError for a broken link, DownloadFailed for a broken transfer.
std::string hub_file(const std::string& repo_id, const std::string& filename, const HubOptions& options = {});

// Like hub_file for optional files (generation_config.json, tokenizer.json, ...): nullopt where
// hub_file would throw EntryNotFound or LocalEntryNotFound; other errors still throw.
std::optional<std::string> try_hub_file(const std::string& repo_id, const std::string& filename,
                                        const HubOptions& options = {});

// The cached commit sha that `revision` (branch, tag, full or short sha) names, or nullopt when the
// cache can't tell. Throws AmbiguousRevision / CacheError.
std::optional<std::string> cached_commit(const std::string& repo_id, const std::string& revision,
                                         const std::string& cache_dir, const std::string& repo_type = "model");

// ---------------------------------------------------------------------------------------------------
// Listing and downloading whole repos.

struct RepoSibling {
  std::string name;              // "config.json", "onnx/model.onnx"
  std::optional<uint64_t> size;  // when the listing gives it
};
struct RepoInfo {
  std::string repo_id;
  std::string sha;                    // the commit the revision names
  std::vector<RepoSibling> siblings;  // every file of the repo at that commit
  std::optional<std::string> pipeline_tag, library_name;
};

// GET {endpoint}/api/{models|datasets|spaces}/{repo}/revision/{revision}: the commit and the file list.
// Throws RepositoryNotFound / GatedRepo / RevisionNotFound, HubUnreachable when the Hub can't be
// reached, OfflineModeNoCache when offline.
RepoInfo repo_info(const std::string& repo_id, const HubOptions& options = {});

// Whether `name` matches a glob as huggingface_hub's filter_repo_objects matches it (fnmatch: '*'
// also crosses '/', '?' one character, [...] a set; a pattern ending in '/' means everything under it).
bool matches_glob(const std::string& name, const std::string& pattern);

// Downloads the files of a repo at a revision (those matching any of `allow_patterns`, or all when it
// is empty) into the cache, `max_workers` at a time, and returns the snapshot folder. Offline, or when
// the Hub can't be reached, the cached snapshot for that revision is returned when there is one
// (as huggingface_hub's snapshot_download does).
std::string snapshot_download(const std::string& repo_id, const HubOptions& options = {},
                              const std::vector<std::string>& allow_patterns = {}, int max_workers = 4);

// ---------------------------------------------------------------------------------------------------
// Scanning and deleting, as huggingface_hub's scan_cache_dir does (sizes are those of the blobs,
// each counted once per repo).

struct CachedFile {
  std::string name;       // path inside the snapshot, "/"-separated ("onnx/model.onnx")
  std::string file_path;  // snapshots/<commit>/<name>
  std::string blob_path;  // what the link points to (blobs/<etag>), or file_path if it is no link
  uint64_t size_on_disk = 0;
};

struct CachedRevision {
  std::string commit;             // snapshot folder name
  std::vector<std::string> refs;  // sorted: "main", "v1.0", "refs/pr/1"
  std::string snapshot_path;
  uint64_t size_on_disk = 0;      // its distinct blobs
  std::vector<CachedFile> files;  // sorted by name
};

struct CachedRepo {
  std::string repo_id;                    // "org/name"
  std::string repo_type;                  // "model", "dataset", "space"
  std::string path;                       // <cache>/models--org--name
  uint64_t size_on_disk = 0;              // distinct blobs of all revisions
  uint64_t nb_files = 0;                  // distinct blobs of all revisions
  std::vector<CachedRevision> revisions;  // sorted by commit
};

// Every repo in the cache, sorted by (repo_type, repo_id). A damaged repo folder (no snapshots/,
// broken link, a ref to a missing snapshot) is skipped and described in *warnings when given.
std::vector<CachedRepo> scan_cache(const std::string& cache_dir = {}, std::vector<std::string>* warnings = nullptr);

// Removes one revision (a commit sha, full or short, or a ref name) of a cached repo: its snapshot
// folder, its .no_exist markers, the refs pointing at it and every blob no other snapshot uses. When
// it was the last revision the whole repo folder goes, as huggingface_hub's delete_revisions does.
// No dangling symlink is ever left. Throws RevisionNotFound when nothing matches.
void delete_cached_revision(const std::string& repo_id, const std::string& revision, const std::string& cache_dir = {},
                            const std::string& repo_type = "model");

// ---------------------------------------------------------------------------------------------------
// Writing into the cache (setup scripts, tests; the downloader writes the same way).

// Copies `source_file_path` into blobs/<etag> (etag: the given one, else the sha256 of the content,
// which is what the Hub uses for LFS files) through a process-unique temporary file and an atomic
// rename, links snapshots/<commit>/<filename> to it with a relative symlink (subfolders created), and
// writes refs/<ref> = commit without newline (skipped when `ref` is empty or equals the commit). The
// whole update holds an exclusive flock on <cache>/.locks/<repo folder>/<etag>.lock, the same lock
// file huggingface_hub uses. On failure nothing is left behind (no temporary file, no new blob
// without its link). Returns the snapshot path.
std::string install_into_cache(const std::string& repo_id, const std::string& commit, const std::string& filename,
                               const std::string& source_file_path, const std::string& cache_dir = {},
                               const std::string& ref = "main", const std::optional<std::string>& etag = {},
                               const std::string& repo_type = "model");

// ---------------------------------------------------------------------------------------------------
// SHA-256 (FIPS 180-4), lowercase hex.

std::string sha256_hex(const std::string& data);
std::string sha256_file(const std::string& path);

}  // namespace transformers::hub
