#pragma once
// Helpers shared by the hub sources (not installed).
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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

// Reads refs/<name>: the commit, with trailing whitespace (a newline a user added) dropped. nullopt
// when the file does not exist; CacheError when it holds no commit sha.
std::optional<std::string> read_ref(const fs::path& repo_dir, const std::string& ref, const std::string& repo_id);

// The cache root for these options: options' cache_dir, else default_cache_dir().
std::string cache_root(const std::optional<std::string>& cache_dir);

// Writes `content` to `path` through a process-unique temporary file in the same folder and an
// atomic rename (folders created).
void write_file_atomically(const fs::path& path, const std::string& content);

// "<8 hex>" unique enough for temporary names (pid, time, counter, random device).
std::string unique_suffix();

}  // namespace transformers::hub::detail
