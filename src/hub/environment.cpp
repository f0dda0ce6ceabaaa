// Environment variables, names and small helpers of the hub client.
#include <pwd.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "hub_internal.hpp"
#include "transformers/hub/hub.hpp"
#include "transformers/io/safe_path.hpp"

namespace transformers::hub {

namespace {

std::optional<std::string> env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// Python's os.path.expanduser on POSIX: "~" and "~/..." use $HOME (else the password database),
// "~user/..." that user's home; anything it can't resolve is returned unchanged.
std::string expand_user(const std::string& path) {
  if (path.empty() || path[0] != '~') return path;
  const size_t slash = path.find('/');
  const size_t end = slash == std::string::npos ? path.size() : slash;
  std::string home;
  if (end == 1) {
    if (auto value = env("HOME")) {
      home = *value;
    } else if (const passwd* pw = ::getpwuid(::getuid())) {
      home = pw->pw_dir;
    } else {
      return path;
    }
  } else {
    const passwd* pw = ::getpwnam(path.substr(1, end - 1).c_str());
    if (pw == nullptr) return path;
    home = pw->pw_dir;
  }
  while (home.size() > 1 && home.back() == '/') home.pop_back();
  std::string rest = path.substr(end);
  if (home == "/" && !rest.empty()) return rest;
  return home + rest;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Python's os.path.expandvars on POSIX: $name and ${name} are replaced by the variable's value;
// unknown variables are left as they are.
std::string expand_vars(const std::string& path) {
  std::string out;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] != '$') {
      out += path[i++];
      continue;
    }
    size_t name_begin = i + 1, name_end = name_begin, next = name_begin;
    if (name_begin < path.size() && path[name_begin] == '{') {
      const size_t close = path.find('}', name_begin + 1);
      if (close == std::string::npos) {
        out += path[i++];
        continue;
      }
      name_begin += 1;
      name_end = close;
      next = close + 1;
    } else {
      while (name_end < path.size() && is_word_char(path[name_end])) ++name_end;
      next = name_end;
    }
    if (name_end == name_begin && next == name_end) {  // a lone '$'
      out += path[i++];
      continue;
    }
    if (auto value = env(path.substr(name_begin, name_end - name_begin).c_str())) {
      out += *value;
    } else {
      out += path.substr(i, next - i);
    }
    i = next;
  }
  return out;
}

std::string expand(const std::string& path) { return expand_vars(expand_user(path)); }

// os.path.join(a, b) for a relative b.
std::string join(const std::string& a, const std::string& b) {
  if (a.empty() || a.back() == '/') return a + b;
  return a + "/" + b;
}

bool is_true(const std::optional<std::string>& value) {
  if (!value) return false;
  std::string upper;
  for (char c : *value) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper == "1" || upper == "ON" || upper == "YES" || upper == "TRUE";
}

}  // namespace

// Where the cache is, in this order (the first that is set wins; "set" includes set to an empty
// string, as os.getenv sees it):
//   1. an explicit cache_dir argument (HubOptions::cache_dir);
//   2. TRANSFORMERS_CACHE, then PYTORCH_TRANSFORMERS_CACHE, then PYTORCH_PRETRAINED_BERT_CACHE:
//      transformers v4's utils/hub.py read these (deprecated; transformers v5 dropped them) and passed
//      the value as cache_dir to huggingface_hub, so they beat every HF_* variable. Used unexpanded,
//      as transformers did;
//   3. HF_HUB_CACHE                                   (huggingface_hub constants.py)
//   4. HUGGINGFACE_HUB_CACHE (legacy name)
//   5. $HF_HOME/hub
//   6. $XDG_CACHE_HOME/huggingface/hub
//   7. ~/.cache/huggingface/hub
// constants.py computes HF_HOME = expand(getenv("HF_HOME", join(getenv("XDG_CACHE_HOME", "~/.cache"),
// "huggingface"))) and HF_HUB_CACHE = expand(getenv("HF_HUB_CACHE", getenv("HUGGINGFACE_HUB_CACHE",
// join(HF_HOME, "hub")))), where expand = expandvars(expanduser(.)); the code below is that.
std::string default_cache_dir() {
  for (const char* name : {"TRANSFORMERS_CACHE", "PYTORCH_TRANSFORMERS_CACHE", "PYTORCH_PRETRAINED_BERT_CACHE"}) {
    if (auto value = env(name)) return *value;
  }
  const std::string legacy = env("HUGGINGFACE_HUB_CACHE").value_or(join(detail::hf_home(), "hub"));
  return expand(env("HF_HUB_CACHE").value_or(legacy));
}

// constants.py: ENDPOINT = os.getenv("HF_ENDPOINT", "https://huggingface.co").rstrip("/").
std::string hub_endpoint() {
  std::string endpoint = env("HF_ENDPOINT").value_or("https://huggingface.co");
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  return endpoint;
}

// utils/_auth.py get_token, less the OIDC exchange and Colab secrets: HF_TOKEN, then the legacy
// HUGGING_FACE_HUB_TOKEN, then the token file; each value stripped, an empty one skipped.
std::optional<std::string> hub_token() {
  if (detail::env_is_true("HF_HUB_DISABLE_IMPLICIT_TOKEN")) return std::nullopt;
  auto clean = [](std::string text) -> std::optional<std::string> {
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    size_t begin = 0;
    while (begin < text.size() && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
    text = text.substr(begin);
    if (text.empty()) return std::nullopt;
    return text;
  };
  for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"}) {
    if (auto value = env(name)) {
      if (auto token = clean(*value)) return token;
    }
  }
  const std::string token_path = expand(env("HF_TOKEN_PATH").value_or(join(detail::hf_home(), "token")));
  std::ifstream in(token_path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return clean(buffer.str());
}

// constants.py: HF_HUB_OFFLINE = _is_true(os.environ.get("HF_HUB_OFFLINE") or
// os.environ.get("TRANSFORMERS_OFFLINE")): an unset or empty HF_HUB_OFFLINE defers to
// TRANSFORMERS_OFFLINE; HF_HUB_OFFLINE=0 wins over TRANSFORMERS_OFFLINE=1.
bool is_offline_mode() {
  auto value = env("HF_HUB_OFFLINE");
  if (!value || value->empty()) value = env("TRANSFORMERS_OFFLINE");
  return is_true(value);
}

std::string repo_folder_name(const std::string& repo_id, const std::string& repo_type) {
  if (repo_type != "model" && repo_type != "dataset" && repo_type != "space") {
    throw InvalidArgument("unknown Hub repo type '" + repo_type + "' for '" + repo_id +
                          "': expected \"model\", \"dataset\" or \"space\"");
  }
  std::string name = repo_type + "s";
  size_t start = 0;
  for (;;) {
    const size_t slash = repo_id.find('/', start);
    name += "--" + repo_id.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return name;
}

// huggingface_hub's validate_repo_id: "name" or "namespace/name" made of letters, digits, '_', '-'
// and '.', each part starting and ending with a letter, digit or '_', no "--" or "..", at most 96
// characters.
bool is_valid_repo_id(const std::string& repo_id) {
  if (repo_id.empty() || repo_id.size() > 96) return false;
  if (repo_id.find("--") != std::string::npos || repo_id.find("..") != std::string::npos) return false;
  const size_t slash = repo_id.find('/');
  if (slash != std::string::npos && repo_id.find('/', slash + 1) != std::string::npos) return false;
  auto part_ok = [](const std::string& part) {
    if (part.empty() || !is_word_char(part.front()) || !is_word_char(part.back())) return false;
    for (char c : part) {
      if (!is_word_char(c) && c != '-' && c != '.') return false;
    }
    return true;
  };
  if (slash == std::string::npos) return part_ok(repo_id);
  return part_ok(repo_id.substr(0, slash)) && part_ok(repo_id.substr(slash + 1));
}

namespace detail {

std::string hf_home() {
  const std::string default_home = join(expand_user("~"), ".cache");
  return expand(env("HF_HOME").value_or(join(env("XDG_CACHE_HOME").value_or(default_home), "huggingface")));
}

bool env_is_true(const char* name) { return is_true(env(name)); }

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool is_hex(const std::string& text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool is_full_commit(const std::string& text) { return text.size() == 40 && is_hex(text); }

bool is_short_commit(const std::string& text) { return text.size() >= 7 && text.size() < 40 && is_hex(text); }

void check_relative_name(const std::string& name, const char* what, const std::string& repo_id,
                         const std::string& revision, const std::string& filename) {
  const auto problem = io::relative_path_problem(name);
  if (!problem) return;
  const std::string message = std::string("invalid ") + what + " '" + io::printable(name) + "' for Hub repo '" +
                              repo_id + "': " + *problem + "; it must be a relative path inside the repo";
  if (std::string(what) == "revision") throw RevisionNotFound(message, repo_id, revision, filename);
  throw InvalidArgument(message);
}

void check_hub_name(const std::string& name, const char* what, const std::string& repo_id,
                    const std::string& revision) {
  const auto problem = io::relative_path_problem(name);
  if (!problem) return;
  throw UnsafeName("the Hub (" + hub_endpoint() + ") named the " + what + " '" + io::printable(name) + "' in '" +
                       repo_id + "' at revision '" + revision + "': " + *problem +
                       ". It would leave the cache folder, so nothing was downloaded; check HF_ENDPOINT and the mirror",
                   repo_id, revision, name);
}

bool is_blob_name(const std::string& etag) { return (etag.size() == 40 || etag.size() == 64) && is_hex(etag); }

void check_inside_repo(const fs::path& repo_dir, const fs::path& path) {
  try {
    io::check_stays_inside(repo_dir, path, "writing into the Hugging Face cache");
  } catch (const FileError& e) {
    throw CacheError(e.what());
  }
}

std::optional<std::string> read_ref(const fs::path& repo_dir, const std::string& ref, const std::string& repo_id) {
  const fs::path path = repo_dir / "refs" / ref;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string commit = buffer.str();
  while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back()))) commit.pop_back();
  if (!in || !is_full_commit(commit)) {
    throw CacheError("the Hugging Face cache is damaged: '" + path.string() + "' (ref '" + ref + "' of '" + repo_id +
                         "') should hold a 40-hex commit sha but holds '" + commit.substr(0, 80) +
                         "'; delete that file (or the whole '" + repo_dir.string() + "' folder) and download again",
                     repo_id, ref);
  }
  return commit;
}

std::string cache_root(const std::optional<std::string>& cache_dir) {
  return cache_dir ? *cache_dir : default_cache_dir();
}

std::string unique_suffix() {
  static std::atomic<uint64_t> counter{0};
  static const uint64_t seed = [] {
    std::random_device device;
    return (uint64_t(device()) << 32) ^ device();
  }();
  uint64_t x = seed ^ (uint64_t(::getpid()) << 40) ^
               uint64_t(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               (counter.fetch_add(1) * 0x9e3779b97f4a7c15ULL);
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(x & 0xffffffffu));
  return text;
}

void write_file_atomically(const fs::path& path, const std::string& content) {
  fs::create_directories(path.parent_path());
  const fs::path tmp = path.parent_path() / (path.filename().string() + "." + unique_suffix() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw CacheError("cannot write '" + tmp.string() + "'");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw CacheError("cannot rename '" + tmp.string() + "' to '" + path.string() + "': " + ec.message());
  }
}

}  // namespace detail
}  // namespace transformers::hub
