#pragma once
// Helpers for the hub tests: environment save/restore, temporary folders, the fixture cache.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace hub_test {

namespace fs = std::filesystem;

// The cache huggingface_hub wrote (scripts/make_hub_fixtures.py).
inline fs::path fixture_cache() { return fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "hub" / "cache"; }
inline fs::path fixture_dir() { return fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "hub"; }

constexpr const char* kTiny = "hf-internal-testing/tiny-cache";
constexpr const char* kCommitA = "abcdef12202e2712c73451b692a3e4eaee93bfcc";  // tag v1.0
constexpr const char* kCommitB = "299af23ab9cc4cc6852cd81b269edd055827c326";  // main
constexpr const char* kCommitC = "abcdef19cd660d76151a81dec334f5e1188e95ef";  // refs/pr/1

constexpr const char* kUnreachableEndpoint = "http://127.0.0.1:9";

// Every variable the hub reads; the guard saves them, clears them, and restores them at the end.
class EnvGuard {
 public:
  EnvGuard() {
    for (const char* name : {"HF_HUB_CACHE",
                             "HUGGINGFACE_HUB_CACHE",
                             "HF_HOME",
                             "XDG_CACHE_HOME",
                             "HOME",
                             "TRANSFORMERS_CACHE",
                             "PYTORCH_TRANSFORMERS_CACHE",
                             "PYTORCH_PRETRAINED_BERT_CACHE",
                             "HF_HUB_OFFLINE",
                             "TRANSFORMERS_OFFLINE",
                             "HF_ENDPOINT",
                             "HF_TOKEN",
                             "HUGGING_FACE_HUB_TOKEN",
                             "HF_TOKEN_PATH",
                             "HF_HUB_DISABLE_IMPLICIT_TOKEN",
                             "HF_HUB_ETAG_TIMEOUT",
                             "HF_HUB_DOWNLOAD_TIMEOUT",
                             "HF_HUB_DISABLE_PROGRESS_BARS",
                             "TRANSFORMERS_HUB_BACKOFF_MS",
                             "TRANSFORMERS_HUB_MAX_ATTEMPTS",
                             "http_proxy",
                             "HTTP_PROXY",
                             "https_proxy",
                             "HTTPS_PROXY",
                             "all_proxy",
                             "ALL_PROXY"}) {
      const char* value = std::getenv(name);
      saved_[name] = value ? std::optional<std::string>(value) : std::nullopt;
      if (std::string(name) != "HOME") ::unsetenv(name);
    }
    // Tests never reach the real Hub: "online" lookups go to a closed loopback port (connection
    // refused at once) unless a test points HF_ENDPOINT at its fake Hub. Retries are quick.
    ::setenv("HF_ENDPOINT", kUnreachableEndpoint, 1);
    ::setenv("TRANSFORMERS_HUB_BACKOFF_MS", "5", 1);
  }
  ~EnvGuard() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  void set(const char* name, const std::string& value) { ::setenv(name, value.c_str(), 1); }
  void unset(const char* name) { ::unsetenv(name); }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("transformers_hub_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

// A writable copy of the fixture cache (symlinks copied as symlinks).
inline void copy_fixture_cache(const fs::path& to) {
  fs::copy(fixture_cache(), to, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

inline void write_file(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

// Every symlink under `root` whose target does not exist.
inline std::vector<std::string> dangling_links(const fs::path& root) {
  std::vector<std::string> dangling;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_symlink() && !fs::exists(it->path())) dangling.push_back(it->path().string());
  }
  return dangling;
}

// Files under `root` whose name contains `needle`.
inline std::vector<std::string> files_named(const fs::path& root, const std::string& needle) {
  std::vector<std::string> found;
  if (!fs::exists(root)) return found;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().filename().string().find(needle) != std::string::npos) found.push_back(it->path().string());
  }
  return found;
}

}  // namespace hub_test
