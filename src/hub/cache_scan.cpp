// Scanning the cache and deleting revisions, as huggingface_hub's scan_cache_dir / delete_revisions.
#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "hub_internal.hpp"
#include "transformers/hub/hub.hpp"
#include "transformers/io/safe_path.hpp"

namespace transformers::hub {

namespace {

namespace fs = std::filesystem;

struct Corrupted {
  std::string what;
};

const std::map<std::string, std::string>& repo_types() {
  static const std::map<std::string, std::string> types = {
      {"models", "model"}, {"datasets", "dataset"}, {"spaces", "space"}, {"kernels", "kernel"}};
  return types;
}

bool ignored_name(const std::string& name) { return name == ".DS_Store"; }

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

// One repo folder, as huggingface_hub's _scan_cached_repo reads it. Throws Corrupted.
CachedRepo scan_repo(const fs::path& repo_path) {
  std::error_code ec;
  const std::string folder = repo_path.filename().string();
  if (!fs::is_directory(repo_path, ec)) throw Corrupted{"repo path is not a directory: " + repo_path.string()};
  const size_t separator = folder.find("--");
  if (separator == std::string::npos) throw Corrupted{"not a Hugging Face cache folder: " + repo_path.string()};
  auto type = repo_types().find(folder.substr(0, separator));
  if (type == repo_types().end()) {
    throw Corrupted{"repo type must be models, datasets, spaces or kernels: " + repo_path.string()};
  }
  CachedRepo repo;
  repo.repo_type = type->second;
  repo.repo_id = folder.substr(separator + 2);
  for (size_t at = repo.repo_id.find("--"); at != std::string::npos; at = repo.repo_id.find("--", at + 1)) {
    repo.repo_id.replace(at, 2, "/");
  }
  repo.path = repo_path.string();

  const fs::path snapshots = repo_path / "snapshots";
  if (!fs::is_directory(snapshots, ec)) throw Corrupted{"no snapshots folder in cached repo: " + snapshots.string()};

  std::map<std::string, std::set<std::string>> refs_by_commit;
  const fs::path refs = repo_path / "refs";
  if (fs::exists(fs::symlink_status(refs, ec))) {
    if (!fs::is_directory(refs, ec)) throw Corrupted{"refs is not a folder: " + refs.string()};
    for (fs::recursive_directory_iterator it(refs, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_directory(ec) || ignored_name(it->path().filename().string())) continue;
      refs_by_commit[read_text(it->path())].insert(it->path().lexically_relative(refs).generic_string());
    }
  }

  std::map<std::string, uint64_t> blob_sizes;  // blob path -> size, each blob once
  for (fs::directory_iterator it(snapshots, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string commit = it->path().filename().string();
    if (ignored_name(commit)) continue;
    if (!it->is_directory(ec)) throw Corrupted{"snapshots folder holds a file: " + it->path().string()};
    CachedRevision revision;
    revision.commit = commit;
    revision.snapshot_path = it->path().string();
    std::set<std::string> revision_blobs;
    std::error_code walk_ec;
    for (fs::recursive_directory_iterator file(it->path(), walk_ec), file_end; !walk_ec && file != file_end;
         file.increment(walk_ec)) {
      if (fs::is_directory(file->path(), ec)) continue;
      CachedFile cached;
      cached.file_path = file->path().string();
      cached.name = file->path().lexically_relative(it->path()).generic_string();
      fs::path blob = file->path();
      if (fs::is_symlink(file->symlink_status(ec))) {
        // The first hop only: a repo blob may itself link into a shared store.
        blob = (file->path().parent_path() / fs::read_symlink(file->path(), ec)).lexically_normal();
      }
      if (!fs::exists(blob, ec)) throw Corrupted{"blob missing (broken symlink): " + blob.string()};
      cached.blob_path = blob.string();
      auto known = blob_sizes.find(cached.blob_path);
      if (known == blob_sizes.end()) known = blob_sizes.emplace(cached.blob_path, fs::file_size(blob, ec)).first;
      cached.size_on_disk = known->second;
      if (revision_blobs.insert(cached.blob_path).second) revision.size_on_disk += cached.size_on_disk;
      revision.files.push_back(std::move(cached));
    }
    if (walk_ec) throw Corrupted{"cannot read " + it->path().string() + ": " + walk_ec.message()};
    std::sort(revision.files.begin(), revision.files.end(),
              [](const CachedFile& a, const CachedFile& b) { return a.name < b.name; });
    if (auto found = refs_by_commit.find(commit); found != refs_by_commit.end()) {
      revision.refs.assign(found->second.begin(), found->second.end());
      refs_by_commit.erase(found);
    }
    repo.revisions.push_back(std::move(revision));
  }
  if (!refs_by_commit.empty()) {
    std::string list;
    for (const auto& [commit, names] : refs_by_commit) {
      for (const auto& name : names) list += (list.empty() ? "" : ", ") + name + " -> " + commit;
    }
    throw Corrupted{"ref(s) point to commits without a snapshot (" + list + ") in " + repo_path.string()};
  }
  std::sort(repo.revisions.begin(), repo.revisions.end(),
            [](const CachedRevision& a, const CachedRevision& b) { return a.commit < b.commit; });
  for (const auto& [blob, size] : blob_sizes) repo.size_on_disk += size;
  repo.nb_files = blob_sizes.size();
  return repo;
}

bool lexically_inside(const fs::path& child, const fs::path& parent) {
  const std::string c = child.lexically_normal().generic_string(), p = parent.lexically_normal().generic_string() + "/";
  return c.rfind(p, 0) == 0;
}

// Inside `parent` as written, and inside the repo folder once the symlinks of its parent folders are
// followed: a blobs/ folder that is itself a link out of the cache does not make its targets deletable
// (a blob that is a link into a shared store is deleted as a link, never followed).
bool is_inside(const fs::path& child, const fs::path& parent, const fs::path& repo_dir) {
  return lexically_inside(child, parent) && io::stays_inside(repo_dir, child);
}

}  // namespace

std::vector<CachedRepo> scan_cache(const std::string& cache_dir, std::vector<std::string>* warnings) {
  const fs::path root = cache_dir.empty() ? default_cache_dir() : cache_dir;
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw CacheError("Hugging Face cache folder not found: '" + root.string() +
                     "'; pass the cache folder or set HF_HUB_CACHE (or HF_HOME) to it");
  }
  std::vector<CachedRepo> repos;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // .locks, CACHEDIR.TAG and huggingface_hub's cache-wide shared blob store are not repos.
    if (ignored_name(name) || name == ".locks" || name == "CACHEDIR.TAG" || name == "blobs") continue;
    try {
      repos.push_back(scan_repo(it->path()));
    } catch (const Corrupted& corrupted) {
      if (warnings) warnings->push_back(corrupted.what);
    }
  }
  if (ec) throw CacheError("cannot list the Hugging Face cache '" + root.string() + "': " + ec.message());
  std::sort(repos.begin(), repos.end(), [](const CachedRepo& a, const CachedRepo& b) {
    return a.repo_type != b.repo_type ? a.repo_type < b.repo_type : a.repo_id < b.repo_id;
  });
  return repos;
}

void delete_cached_revision(const std::string& repo_id, const std::string& revision, const std::string& cache_dir,
                            const std::string& repo_type) {
  const std::string root = cache_dir.empty() ? default_cache_dir() : cache_dir;
  if (!is_valid_repo_id(repo_id)) {
    throw InvalidArgument("cannot delete '" + repo_id +
                          "' from the cache: it is not a valid Hub repo id (\"name\" or "
                          "\"org/name\")");
  }
  detail::check_relative_name(revision, "revision", repo_id, revision, "");
  const fs::path repo_dir = fs::path(root) / repo_folder_name(repo_id, repo_type);
  std::error_code ec;
  if (!fs::is_directory(repo_dir, ec)) {
    throw RevisionNotFound(
        "cannot delete revision '" + revision + "' of '" + repo_id + "': the repo is not in the cache '" + root + "'",
        repo_id, revision);
  }
  CachedRepo repo;
  try {
    repo = scan_repo(repo_dir);
  } catch (const Corrupted& corrupted) {
    throw CacheError("cannot delete revision '" + revision + "' of '" + repo_id + "': the cached repo is damaged (" +
                         corrupted.what + "); delete the folder '" + repo_dir.string() + "' by hand",
                     repo_id, revision);
  }
  const std::optional<std::string> commit = cached_commit(repo_id, revision, root, repo_type);
  auto target = std::find_if(repo.revisions.begin(), repo.revisions.end(),
                             [&](const CachedRevision& r) { return commit && r.commit == *commit; });
  if (target == repo.revisions.end()) {
    throw RevisionNotFound("cannot delete revision '" + revision + "' of '" + repo_id +
                               "': no cached snapshot matches it in '" + repo_dir.string() + "'",
                           repo_id, revision);
  }
  if (!is_inside(target->snapshot_path, repo_dir / "snapshots", repo_dir)) {
    throw CacheError("cannot delete revision '" + revision + "' of '" + repo_id + "': its snapshot '" +
                         target->snapshot_path + "' leads outside the cache folder '" + repo_dir.string() +
                         "' (a symlinked folder); delete it by hand",
                     repo_id, revision);
  }
  if (repo.revisions.size() == 1) {  // the last one: the whole repo goes, as huggingface_hub does
    // remove_all deletes a symlinked repo folder's link, never what it points to.
    fs::remove_all(repo_dir, ec);
    if (ec) throw CacheError("cannot delete '" + repo_dir.string() + "': " + ec.message(), repo_id, revision);
    return;
  }

  std::set<std::string> kept_blobs;
  for (const auto& other : repo.revisions) {
    if (other.commit == target->commit) continue;
    for (const auto& file : other.files) kept_blobs.insert(file.blob_path);
  }
  // Refs first, then the links, then the blobs: no step leaves a link or ref to something missing.
  for (const auto& ref : target->refs) fs::remove(repo_dir / "refs" / ref, ec);
  fs::remove_all(target->snapshot_path, ec);
  if (ec) throw CacheError("cannot delete '" + target->snapshot_path + "': " + ec.message(), repo_id, revision);
  fs::remove_all(repo_dir / ".no_exist" / target->commit, ec);
  const fs::path blobs = repo_dir / "blobs";
  for (const auto& file : target->files) {
    if (kept_blobs.count(file.blob_path) || lexically_inside(file.blob_path, target->snapshot_path)) continue;
    if (!is_inside(file.blob_path, blobs, repo_dir)) continue;  // never delete outside the repo's blobs/
    fs::remove(file.blob_path, ec);                             // a link into a shared store: only the link goes
  }
}

}  // namespace transformers::hub
