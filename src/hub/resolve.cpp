// Resolving repo ids, revisions and files in the huggingface_hub cache, and choosing between the
// cache alone (offline) and asking the Hub (download.cpp, snapshot.cpp).
#include <algorithm>
#include <cctype>

#include "hub_internal.hpp"
#include "transformers/hub/hub.hpp"
#include "transformers/io/safe_path.hpp"

namespace transformers::hub {

namespace {

using detail::fs::path;
namespace fs = std::filesystem;

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string describe(const std::string& repo_id, const std::string& revision, const std::string& filename) {
  std::string text = filename.empty() ? std::string() : "'" + filename + "' of ";
  return text + "'" + repo_id + "' at revision '" + revision + "'";
}

std::string download_hint(const std::string& repo_id, const std::string& revision, const std::string& filename,
                          const std::string& repo_type) {
  std::string command = "hf download " + repo_id;
  if (!filename.empty()) command += " " + filename;
  if (revision != "main") command += " --revision " + revision;
  if (repo_type != "model") command += " --repo-type " + repo_type;
  return "`" + command + "` (Python huggingface_hub)";
}

// The file (or the snapshot, when filename is empty) is not in the cache and can't be downloaded:
// offline when `network_error` is empty, else the Hub could not be asked.
[[noreturn]] void throw_not_cached(const std::string& repo_id, const std::string& revision, const std::string& filename,
                                   const std::string& cache, const std::string& found, const HubOptions& options,
                                   const std::string& network_error) {
  const std::string what = describe(repo_id, revision, filename);
  const std::string hint = download_hint(repo_id, revision, filename, options.repo_type);
  if (network_error.empty()) {
    std::string why = options.local_files_only ? "local_files_only is set"
                                               : "offline mode is on (HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE)";
    throw OfflineModeNoCache(
        "cannot find " + what + " in the Hugging Face cache '" + cache + "': " + why +
            " and it has not been downloaded (" + found + "). Download it first while online, e.g. " + hint +
            ", or unset HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE / local_files_only to allow downloading",
        repo_id, revision, filename);
  }
  throw HubUnreachable("cannot find " + what + " in the Hugging Face cache '" + cache + "' (" + found +
                           ") and could not download it from " + hub_endpoint() + ": " + network_error +
                           ". Check your connection (and HF_ENDPOINT / proxy settings) and try again, download it "
                           "elsewhere with " +
                           hint + " into the same cache, or pass a local folder instead",
                       repo_id, revision, filename);
}

void check_repo_id(const std::string& repo_id, const std::string& revision) {
  if (!is_valid_repo_id(repo_id)) {
    throw RepositoryNotFound("'" + repo_id +
                                 "' is not a valid Hub repo id (expected \"name\" or \"org/name\" of letters, "
                                 "digits, '-', '_' and '.'; no '--' or '..'; at most 96 characters)",
                             repo_id, revision);
  }
}

struct Lookup {
  std::string cache, revision;
  path repo_dir;
  std::optional<std::string> commit;
  std::string found;  // what was missing, for the error
};

Lookup look_up(const std::string& repo_id, const HubOptions& options, const std::string& filename,
               const std::string& network_error) {
  Lookup lookup;
  lookup.revision = options.revision.value_or("main");
  check_repo_id(repo_id, lookup.revision);
  detail::check_relative_name(lookup.revision, "revision", repo_id, lookup.revision, filename);
  lookup.cache = detail::cache_root(options.cache_dir);
  lookup.repo_dir = path(lookup.cache) / repo_folder_name(repo_id, options.repo_type);

  if (options.force_download) {
    if (options.local_files_only) {
      throw InvalidArgument("cannot use force_download and local_files_only together for " +
                            describe(repo_id, lookup.revision, filename));
    }
    throw_not_cached(repo_id, lookup.revision, filename, lookup.cache, "force_download asks for a fresh download",
                     options, network_error);
  }
  std::error_code ec;
  if (!fs::is_directory(lookup.repo_dir, ec)) {
    lookup.found = "no folder '" + lookup.repo_dir.filename().string() + "' there";
    return lookup;
  }
  lookup.commit = cached_commit(repo_id, lookup.revision, lookup.cache, options.repo_type);
  if (!lookup.commit) {
    lookup.found =
        "no refs/" + lookup.revision + " and no snapshot for that revision in '" + lookup.repo_dir.string() + "'";
  }
  return lookup;
}

}  // namespace

std::optional<std::string> cached_commit(const std::string& repo_id, const std::string& revision,
                                         const std::string& cache_dir, const std::string& repo_type) {
  detail::check_relative_name(revision, "revision", repo_id, revision, "");
  const path repo_dir =
      path(cache_dir.empty() ? default_cache_dir() : cache_dir) / repo_folder_name(repo_id, repo_type);
  if (detail::is_full_commit(revision)) return lower(revision);
  // A ref first: huggingface_hub caches short shas it resolved online as refs too.
  if (auto commit = detail::read_ref(repo_dir, revision, repo_id)) return lower(*commit);
  if (!detail::is_short_commit(revision)) return std::nullopt;

  const std::string prefix = lower(revision);
  std::vector<std::string> candidates;
  std::error_code ec;
  for (fs::directory_iterator it(repo_dir / "snapshots", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (detail::is_full_commit(name) && lower(name).rfind(prefix, 0) == 0 && it->is_directory(ec)) {
      candidates.push_back(name);
    }
  }
  std::sort(candidates.begin(), candidates.end());
  if (candidates.size() == 1) return candidates.front();
  if (candidates.size() > 1) {
    std::string list;
    for (const auto& candidate : candidates) list += (list.empty() ? "" : ", ") + candidate;
    throw AmbiguousRevision("short commit sha '" + revision + "' of '" + repo_id + "' matches " +
                                std::to_string(candidates.size()) + " cached snapshots: " + list +
                                "; pass more digits or the full 40-character sha",
                            repo_id, revision);
  }
  return std::nullopt;
}

namespace detail {

std::string file_from_cache(const std::string& repo_id, const std::string& filename, const HubOptions& options,
                            const std::string& network_error) {
  Lookup lookup = look_up(repo_id, options, filename, network_error);
  if (!lookup.commit) {
    throw_not_cached(repo_id, lookup.revision, filename, lookup.cache, lookup.found, options, network_error);
  }
  const std::string& commit = *lookup.commit;
  std::error_code ec;
  if (fs::is_regular_file(lookup.repo_dir / ".no_exist" / commit / filename, ec)) {
    throw EntryNotFound(describe(repo_id, lookup.revision, filename) +
                            " does not exist on the Hub: the cache recorded " + "that commit " + commit +
                            " has no such file (" + (lookup.repo_dir / ".no_exist" / commit / filename).string() +
                            "). Check the file name, or use another revision",
                        repo_id, lookup.revision, filename);
  }
  const path pointer = lookup.repo_dir / "snapshots" / commit / filename;
  const fs::file_status status = fs::status(pointer, ec);
  if (fs::is_regular_file(status)) return pointer.string();
  if (fs::is_directory(status)) {
    throw EntryNotFound(
        describe(repo_id, lookup.revision, filename) + " is a folder, not a file (" + pointer.string() + ")", repo_id,
        lookup.revision, filename);
  }
  if (fs::is_symlink(fs::symlink_status(pointer, ec))) {
    throw CacheError("the Hugging Face cache is damaged: " + pointer.string() + " (" +
                         describe(repo_id, lookup.revision, filename) + ") is a symlink to a missing blob '" +
                         fs::read_symlink(pointer, ec).string() + "'; delete that link and download the file again",
                     repo_id, lookup.revision, filename);
  }
  throw_not_cached(repo_id, lookup.revision, filename, lookup.cache,
                   "snapshot " + commit + " in '" + lookup.repo_dir.string() + "' has no such file", options,
                   network_error);
}

std::string snapshot_from_cache(const std::string& repo_id, const HubOptions& options,
                                const std::string& network_error) {
  Lookup lookup = look_up(repo_id, options, "", network_error);
  if (!lookup.commit)
    throw_not_cached(repo_id, lookup.revision, "", lookup.cache, lookup.found, options, network_error);
  const path snapshot = lookup.repo_dir / "snapshots" / *lookup.commit;
  std::error_code ec;
  if (fs::is_directory(snapshot, ec)) return snapshot.string();
  throw_not_cached(
      repo_id, lookup.revision, "", lookup.cache,
      "refs/" + lookup.revision + " names commit " + *lookup.commit + " but there is no snapshot folder for it",
      options, network_error);
}

}  // namespace detail

namespace {

bool offline(const HubOptions& options) { return options.local_files_only || is_offline_mode(); }

// The files transformers.cpp reads from a model repo: top-level configs, weights and tokenizer files,
// and the sentence-transformers module folders ("1_Pooling/config.json", "2_Dense/model.safetensors").
// Other formats (onnx/, tf_model.h5, ...) are left on the Hub.
bool wanted_for_loading(const std::string& name) {
  const size_t slash = name.find('/');
  if (slash != std::string::npos) {
    size_t digits = 0;
    while (digits < slash && std::isdigit(static_cast<unsigned char>(name[digits]))) ++digits;
    const bool module_folder =
        digits > 0 && digits < slash && name[digits] == '_' && name.find('/', slash + 1) == std::string::npos;
    if (!module_folder) return false;
  }
  const size_t dot = name.rfind('.');
  const std::string extension = dot == std::string::npos ? "" : lower(name.substr(dot + 1));
  return extension == "json" || extension == "safetensors" || extension == "model" || extension == "txt" ||
         extension == "tiktoken";
}

// pytorch_model.bin, pytorch_model-00001-of-00002.bin: fetched only from a repo without safetensors
// weights, as transformers falls back to them only then.
bool is_pytorch_weights(const std::string& name) {
  return name.starts_with("pytorch_model") && name.ends_with(".bin") && name.find('/') == std::string::npos;
}

std::vector<std::string> files_for_loading(const std::vector<std::string>& listing) {
  const bool has_safetensors = std::any_of(listing.begin(), listing.end(), [](const std::string& name) {
    return name.find('/') == std::string::npos && name.ends_with(".safetensors");
  });
  std::vector<std::string> files;
  for (const std::string& name : listing)
    if (wanted_for_loading(name) || (!has_safetensors && is_pytorch_weights(name))) files.push_back(name);
  return files;
}

}  // namespace

std::string hub_file(const std::string& repo_id, const std::string& filename, const HubOptions& options) {
  detail::check_relative_name(filename, "filename", repo_id, options.revision.value_or("main"), filename);
  if (offline(options)) return detail::file_from_cache(repo_id, filename, options, "");
  return detail::download_file(repo_id, filename, options);
}

std::optional<std::string> try_hub_file(const std::string& repo_id, const std::string& filename,
                                        const HubOptions& options) {
  try {
    return hub_file(repo_id, filename, options);
  } catch (const EntryNotFound&) {
    return std::nullopt;
  } catch (const LocalEntryNotFound&) {
    return std::nullopt;
  }
}

std::string resolve_model_path(const std::string& path_or_id, const HubOptions& options) {
  std::error_code ec;
  if (!path_or_id.empty() && fs::is_directory(path_or_id, ec)) return path_or_id;
  if (!is_valid_repo_id(path_or_id)) {
    throw RepositoryNotFound(
        "'" + path_or_id +
            "' is not a local folder and is not a valid model identifier on the Hub "
            "(\"name\" or \"org/name\"); pass an existing folder holding config.json or a Hub repo id",
        path_or_id, options.revision.value_or("main"));
  }
  if (offline(options)) return detail::snapshot_from_cache(path_or_id, options, "");
  return detail::download_snapshot(path_or_id, options, files_for_loading, 4);
}

std::optional<std::string> resolve_gguf_file(const std::string& path_or_id, const HubOptions& options) {
  std::error_code ec;
  const fs::path given(path_or_id);
  if (given.extension() == ".gguf" && !fs::is_directory(given, ec))
    return path_or_id;  // opening it says if it is missing
  if (!options.gguf_file) return std::nullopt;
  if (fs::is_directory(given, ec)) {
    const fs::path file = io::join_inside(given, *options.gguf_file, "gguf_file");  // never outside the folder
    if (!fs::is_regular_file(file, ec))
      throw FileError(path_or_id + ": no GGUF file '" + *options.gguf_file + "' in this folder");
    return file.string();
  }
  return hub_file(path_or_id, *options.gguf_file, options);
}

std::string resolve_model_source(const std::string& path_or_id, const HubOptions& options) {
  if (std::optional<std::string> gguf = resolve_gguf_file(path_or_id, options)) return *gguf;
  return resolve_model_path(path_or_id, options);
}

std::string snapshot_download(const std::string& repo_id, const HubOptions& options,
                              const std::vector<std::string>& allow_patterns, int max_workers) {
  check_repo_id(repo_id, options.revision.value_or("main"));
  if (offline(options)) return detail::snapshot_from_cache(repo_id, options, "");
  auto allowed = [&allow_patterns](const std::vector<std::string>& listing) {
    std::vector<std::string> files;
    for (const std::string& name : listing)
      if (allow_patterns.empty() ||
          std::any_of(allow_patterns.begin(), allow_patterns.end(),
                      [&name](const std::string& pattern) { return matches_glob(name, pattern); }))
        files.push_back(name);
    return files;
  };
  return detail::download_snapshot(repo_id, options, allowed, max_workers);
}

}  // namespace transformers::hub
