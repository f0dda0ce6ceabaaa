// Whole repos: the file list from the Hub's API, glob filters, and snapshot_download (the files of a revision
// fetched a few at a time, each through download_file).
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <set>
#include <nlohmann/json.hpp>
#include <thread>

#include "hub_http.hpp"
#include "transformers/io/safe_path.hpp"
#include "hub_internal.hpp"
#include "progress.hpp"

namespace transformers::hub {

namespace {

namespace fs = std::filesystem;

// fnmatch's bracket expression at pattern[p] ('[' included): sets `end` past ']' and returns whether `c` is
// in the set; nullopt when the bracket never closes (then '[' is a plain character).
std::optional<bool> match_bracket(const std::string& pattern, size_t p, char c, size_t& end) {
  size_t i = p + 1;
  const bool negate = i < pattern.size() && pattern[i] == '!';
  if (negate) ++i;
  const size_t first = i;
  bool found = false;
  for (; i < pattern.size() && (pattern[i] != ']' || i == first); ++i) {
    if (i + 2 < pattern.size() && pattern[i + 1] == '-' && pattern[i + 2] != ']') {
      found = found || (pattern[i] <= c && c <= pattern[i + 2]);
      i += 2;
    } else {
      found = found || pattern[i] == c;
    }
  }
  if (i >= pattern.size()) return std::nullopt;
  end = i + 1;
  return found != negate;
}

RepoInfo parse_repo_info(const std::string& body, const detail::HubTarget& target) {
  const auto json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object() || !json.contains("sha") || !json["sha"].is_string() ||
      !detail::is_full_commit(json["sha"].get<std::string>())) {
    throw HubError("the Hub's description of '" + target.repo_id + "' at revision '" + target.revision +
                       "' is not what was expected (no commit \"sha\"); check HF_ENDPOINT",
                   target.repo_id, target.revision);
  }
  RepoInfo info;
  info.repo_id = target.repo_id;
  info.sha = detail::lowercase(json["sha"].get<std::string>());
  if (json.contains("siblings") && json["siblings"].is_array()) {
    std::set<std::string> seen;
    for (const auto& sibling : json["siblings"]) {
      if (!sibling.is_object() || !sibling.contains("rfilename") || !sibling["rfilename"].is_string()) continue;
      RepoSibling file{sibling["rfilename"].get<std::string>(), std::nullopt};
      // Every name is checked before anything is downloaded: one bad name refuses the whole listing.
      detail::check_hub_name(file.name, "file", target.repo_id, target.revision);
      if (!seen.insert(file.name).second) {
        throw UnsafeName("the Hub (" + hub_endpoint() + ") lists the file '" + io::printable(file.name) + "' of '" +
                             target.repo_id + "' at revision '" + target.revision +
                             "' twice; a real listing names each file once, "
                             "so nothing was downloaded; check HF_ENDPOINT and the mirror",
                         target.repo_id, target.revision, file.name);
      }
      if (sibling.contains("size") && sibling["size"].is_number_unsigned()) file.size = sibling["size"].get<uint64_t>();
      info.siblings.push_back(std::move(file));
    }
  }
  for (auto [key, field] :
       {std::pair{"pipeline_tag", &info.pipeline_tag}, std::pair{"library_name", &info.library_name}}) {
    if (json.contains(key) && json[key].is_string()) *field = json[key].get<std::string>();
  }
  return info;
}

// Downloads `names` (each through download_file at the fixed commit), `workers` at a time; the first failure
// is rethrown once the running downloads have ended.
void download_all(const std::string& repo_id, const std::vector<std::string>& names, const HubOptions& options,
                  int workers) {
  detail::ProgressBar progress("Fetching " + std::to_string(names.size()) + " files", names.size(), options.quiet);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr first_error;
  std::mutex error_mutex;
  HubOptions per_file = options;
  per_file.quiet = true;  // one bar for the whole snapshot
  auto work = [&] {
    for (size_t i = next++; i < names.size() && !failed; i = next++) {
      try {
        detail::download_file(repo_id, names[i], per_file);
        progress.add(1);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!first_error) first_error = std::current_exception();
        failed = true;
      }
    }
  };
  const size_t count = std::min<size_t>(size_t(std::max(1, workers)), names.size());
  std::vector<std::thread> threads;
  for (size_t t = 1; t < count; ++t) threads.emplace_back(work);
  work();
  for (auto& thread : threads) thread.join();
  if (first_error) std::rethrow_exception(first_error);
  progress.finish();
}

}  // namespace

bool matches_glob(const std::string& name, const std::string& pattern_in) {
  const std::string pattern = !pattern_in.empty() && pattern_in.back() == '/' ? pattern_in + "*" : pattern_in;
  // Iterative matching with one backtrack point: the last '*' and where it started to match.
  size_t n = 0, p = 0, star = std::string::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      star_n = n;
      continue;
    }
    if (p < pattern.size()) {
      size_t end = p + 1;
      bool ok = false;
      if (pattern[p] == '?') {
        ok = true;
      } else if (pattern[p] == '[') {
        const auto in_set = match_bracket(pattern, p, name[n], end);
        ok = in_set ? *in_set : name[n] == '[';
        if (!in_set) end = p + 1;
      } else {
        ok = pattern[p] == name[n];
      }
      if (ok) {
        p = end;
        ++n;
        continue;
      }
    }
    if (star == std::string::npos) return false;
    p = star + 1;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

RepoInfo repo_info(const std::string& repo_id, const HubOptions& options) {
  detail::HubTarget target{repo_id, options.repo_type, options.revision.value_or("main"), ""};
  if (!is_valid_repo_id(repo_id)) {
    throw RepositoryNotFound("'" + repo_id + "' is not a valid Hub repo id (\"name\" or \"org/name\")", repo_id,
                             target.revision);
  }
  detail::check_relative_name(target.revision, "revision", repo_id, target.revision, "");
  if (options.local_files_only || is_offline_mode()) {
    throw OfflineModeNoCache("cannot ask the Hub about '" + repo_id + "' at revision '" + target.revision +
                                 "': offline mode is on (HF_HUB_OFFLINE / "
                                 "TRANSFORMERS_OFFLINE / local_files_only); "
                                 "unset it to go online",
                             repo_id, target.revision);
  }
  detail::HttpRequest request;
  request.url = detail::api_revision_url(target);
  request.headers = detail::hub_headers(options);
  request.timeout_s = detail::etag_timeout();
  std::string body, error_body;
  detail::HttpResponse response;
  try {
    response = detail::request_with_retries(request, &body, &error_body);
  } catch (const detail::TransportError& e) {
    throw HubUnreachable("cannot ask " + hub_endpoint() + " about '" + repo_id + "' at revision '" + target.revision +
                             "': " + e.what() + ". Check your connection (and HF_ENDPOINT / proxy settings)",
                         repo_id, target.revision);
  }
  detail::raise_for_status(response, error_body, target);
  return parse_repo_info(body, target);
}

namespace detail {

std::string download_snapshot(const std::string& repo_id, const HubOptions& options, const FileSelection& select,
                              int max_workers) {
  const std::string revision = options.revision.value_or("main");
  check_relative_name(revision, "revision", repo_id, revision, "");
  RepoInfo info;
  try {
    info = repo_info(repo_id, options);
  } catch (const RevisionNotFound&) {
    throw;
  } catch (const RepositoryNotFound& e) {
    // A private or gated repo may still be cached; if not, say what the Hub said.
    const std::exception_ptr original = std::current_exception();
    try {
      return snapshot_from_cache(repo_id, options, e.what());
    } catch (const LocalEntryNotFound&) {
      std::rethrow_exception(original);
    }
  } catch (const HubUnreachable& e) {
    return snapshot_from_cache(repo_id, options, e.what());
  } catch (const HubHttpError& e) {
    return snapshot_from_cache(repo_id, options, e.what());
  }

  std::vector<std::string> listing;
  for (const RepoSibling& sibling : info.siblings) listing.push_back(sibling.name);
  const std::vector<std::string> names = select(listing);
  HubOptions at_commit = options;
  at_commit.revision = info.sha;
  download_all(repo_id, names, at_commit, max_workers);

  const fs::path repo_dir = fs::path(cache_root(options.cache_dir)) / repo_folder_name(repo_id, options.repo_type);
  const fs::path snapshot = repo_dir / "snapshots" / info.sha;
  std::error_code ec;
  check_inside_repo(repo_dir, snapshot / "x");
  fs::create_directories(snapshot, ec);
  if (ec) throw CacheError("cannot create '" + snapshot.string() + "': " + ec.message(), repo_id, revision);
  if (!is_full_commit(revision)) update_ref(repo_dir, revision, info.sha, repo_id);
  return snapshot.string();
}

}  // namespace detail

}  // namespace transformers::hub
