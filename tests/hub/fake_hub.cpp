// The fake Hub of the download tests (cpp-httplib, compiled into the test binary only).
#include "fake_hub.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <nlohmann/json.hpp>
#include <thread>
#include <transformers/hub/hub.hpp>

namespace hub_test {

namespace {

struct RepoState {
  std::string commit = "0123456789abcdef0123456789abcdef01234567";
  std::map<std::string, std::pair<std::string, bool>> files;  // name -> (content, lfs)
  std::vector<std::string> extra_listed;                      // listed again, as a lying Hub would
  std::map<std::string, std::string> etags;                   // name -> ETag sent instead of the real one
  std::string private_token, gated_token;
  std::string renamed_to;
};

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

}  // namespace

struct FakeHub::Impl {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  std::atomic<bool> stopping{false};
  mutable std::mutex mutex;
  std::map<std::string, RepoState> repos;
  std::map<std::string, std::string> blobs;  // sha256 -> content (served at /cdn/<sha>)
  std::map<std::string, std::deque<Fault>> get_faults;
  std::map<std::string, int> head_faults;
  FakeHub* cdn = nullptr;
  std::vector<LoggedRequest> log;

  void record(const httplib::Request& req) {
    std::lock_guard<std::mutex> lock(mutex);
    log.push_back({req.method, req.path, req.get_header_value("Range"), req.get_header_value("Authorization")});
  }

  std::optional<Fault> take_get_fault(const std::string& filename) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = get_faults.find(filename);
    if (it == get_faults.end() || it->second.empty()) return std::nullopt;
    Fault fault = it->second.front();
    it->second.pop_front();
    return fault;
  }

  bool take_head_fault(const std::string& filename) {
    std::lock_guard<std::mutex> lock(mutex);
    auto it = head_faults.find(filename);
    if (it == head_faults.end() || it->second == 0) return false;
    --it->second;
    return true;
  }

  // Serves `content` (ranges applied by httplib), or misbehaves as `fault` says.
  void serve_bytes(const httplib::Request& req, httplib::Response& res, const std::string& content,
                   std::optional<Fault> fault) {
    if (!fault) {
      res.set_content(content, "application/octet-stream");
      return;
    }
    if (*fault == Fault::server_error) {
      res.status = 500;
      res.set_content(
          "{\"error\": \"Internal Error - We're working hard to "
          "fix this as soon as possible!\"}",
          "application/json");
      return;
    }
    const auto shared = std::make_shared<std::string>(content);
    if (*fault == Fault::wrong_bytes) {
      for (char& c : *shared) c = static_cast<char>(~c);
    }
    const Fault kind = *fault;
    res.set_content_provider(shared->size(), "application/octet-stream",
                             [this, shared, kind](size_t offset, size_t length, httplib::DataSink& sink) {
                               if (kind == Fault::wrong_bytes) return sink.write(shared->data() + offset, length);
                               const size_t half = length / 2;
                               if (half > 0) sink.write(shared->data() + offset, half);
                               if (kind == Fault::stall) {
                                 for (int i = 0; i < 200 && !stopping; ++i)
                                   std::this_thread::sleep_for(std::chrono::milliseconds(50));
                               }
                               return false;  // drops the connection
                             });
    (void)req;
  }

  void handle_resolve(const httplib::Request& req, httplib::Response& res) {
    const std::string repo = req.matches[1], revision = req.matches[2], filename = req.matches[3];
    std::unique_lock<std::mutex> lock(mutex);
    auto repo_it = repos.find(repo);
    if (repo_it == repos.end()) {
      res.status = 401;
      res.set_header("X-Error-Code", "RepoNotFound");
      res.set_header("X-Error-Message", "Repository not found");
      return;
    }
    const RepoState& state = repo_it->second;
    if (!state.renamed_to.empty()) {
      res.status = 307;
      res.set_header("Location", "/" + state.renamed_to + "/resolve/" + revision + "/" + filename);
      return;
    }
    const std::string auth = req.get_header_value("Authorization");
    if (!state.private_token.empty() && auth != "Bearer " + state.private_token) {
      res.status = 401;
      res.set_header("X-Error-Code", "RepoNotFound");
      res.set_header("X-Error-Message", "Repository not found");
      return;
    }
    if (!state.gated_token.empty() && auth != "Bearer " + state.gated_token) {
      res.status = 403;
      res.set_header("X-Error-Code", "GatedRepo");
      res.set_header("X-Error-Message",
                     "Access to model " + repo + " is restricted and you are not in the authorized list.");
      return;
    }
    const bool known_revision =
        revision == "main" || revision == "v1.0" || (revision.size() >= 7 && state.commit.rfind(revision, 0) == 0);
    if (!known_revision) {
      res.status = 404;
      res.set_header("X-Error-Code", "RevisionNotFound");
      res.set_header("X-Error-Message", "Invalid rev id: " + revision);
      return;
    }
    res.set_header("X-Repo-Commit", state.commit);
    auto file_it = state.files.find(filename);
    if (file_it == state.files.end()) {
      res.status = 404;
      res.set_header("X-Error-Code", "EntryNotFound");
      res.set_header("X-Error-Message", "Entry not found");
      return;
    }
    const auto [content, lfs] = file_it->second;
    const std::string sha = transformers::hub::sha256_hex(content);
    if (req.method == "HEAD" && head_faults.count(filename)) {
      lock.unlock();
      if (take_head_fault(filename)) {
        res.status = 500;
        return;
      }
      lock.lock();
    }
    if (auto forced = state.etags.find(filename); forced != state.etags.end()) {
      res.set_header("ETag", forced->second);
    } else if (lfs) {
      res.set_header("X-Linked-Etag", quoted(sha));
      res.set_header("X-Linked-Size", std::to_string(content.size()));
      if (cdn != nullptr) {
        res.status = 302;
        res.set_header("Location", cdn->endpoint() + "/cdn/" + sha);
        return;
      }
      res.set_header("ETag", quoted(sha));
    } else {
      res.set_header("ETag", "W/" + quoted(transformers::hub::sha256_hex("blob " + content).substr(0, 40)));
    }
    lock.unlock();
    serve_bytes(req, res, content, req.method == "GET" ? take_get_fault(filename) : std::nullopt);
  }

  void handle_cdn(const httplib::Request& req, httplib::Response& res) {
    std::unique_lock<std::mutex> lock(mutex);
    auto it = blobs.find(req.matches[1]);
    if (it == blobs.end()) {
      res.status = 404;
      return;
    }
    const std::string content = it->second;
    lock.unlock();
    serve_bytes(req, res, content, std::nullopt);
  }

  void handle_api(const httplib::Request& req, httplib::Response& res) {
    const std::string repo = req.matches[1], revision = req.matches[2];
    std::lock_guard<std::mutex> lock(mutex);
    auto repo_it = repos.find(repo);
    const std::string auth = req.get_header_value("Authorization");
    if (repo_it == repos.end() ||
        (!repo_it->second.private_token.empty() && auth != "Bearer " + repo_it->second.private_token)) {
      res.status = 401;
      res.set_header("X-Error-Code", "RepoNotFound");
      res.set_content("{\"error\": \"Repository not found\"}", "application/json");
      return;
    }
    const RepoState& state = repo_it->second;
    if (revision != "main" && revision != "v1.0" && state.commit.rfind(revision, 0) != 0) {
      res.status = 404;
      res.set_header("X-Error-Code", "RevisionNotFound");
      res.set_content("{\"error\": \"Invalid rev id: " + revision + "\"}", "application/json");
      return;
    }
    nlohmann::json siblings = nlohmann::json::array();
    for (const auto& [name, file] : state.files) siblings.push_back({{"rfilename", name}});
    for (const auto& name : state.extra_listed) siblings.push_back({{"rfilename", name}});
    nlohmann::json body = {
        {"id", repo}, {"sha", state.commit}, {"siblings", siblings}, {"pipeline_tag", "text-classification"}};
    res.set_content(body.dump(), "application/json");
  }
};

FakeHub::FakeHub() : impl_(std::make_unique<Impl>()) {
  Impl& impl = *impl_;
  impl.server.set_keep_alive_max_count(1);
  // Every request is counted, whether a route matches it or not.
  impl.server.set_pre_routing_handler([&impl](const httplib::Request& req, httplib::Response&) {
    impl.record(req);
    return httplib::Server::HandlerResponse::Unhandled;
  });
  impl.server.Get(R"(/api/models/(.+)/revision/([^/]+))",
                  [&impl](const httplib::Request& req, httplib::Response& res) { impl.handle_api(req, res); });
  impl.server.Get(R"(/cdn/([0-9a-f]+))",
                  [&impl](const httplib::Request& req, httplib::Response& res) { impl.handle_cdn(req, res); });
  impl.server.Get(R"(/(.+)/resolve/([^/]+)/(.+))",
                  [&impl](const httplib::Request& req, httplib::Response& res) { impl.handle_resolve(req, res); });
  impl.port = impl.server.bind_to_any_port("127.0.0.1");
  if (impl.port <= 0) throw std::runtime_error("the fake Hub cannot bind a loopback port");
  impl.thread = std::thread([&impl] { impl.server.listen_after_bind(); });
  while (!impl.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FakeHub::~FakeHub() {
  impl_->stopping = true;
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeHub::endpoint() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

void FakeHub::add_file(const std::string& repo, const std::string& filename, const std::string& content, bool lfs) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->repos[repo].files[filename] = {content, lfs};
  if (impl_->cdn != nullptr && lfs) {
    std::lock_guard<std::mutex> cdn_lock(impl_->cdn->impl_->mutex);
    impl_->cdn->impl_->blobs[transformers::hub::sha256_hex(content)] = content;
  }
}

void FakeHub::set_commit(const std::string& repo, const std::string& commit) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->repos[repo].commit = commit;
}

std::string FakeHub::commit(const std::string& repo) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->repos.at(repo).commit;
}

void FakeHub::list_extra(const std::string& repo, const std::string& name) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->repos[repo].extra_listed.push_back(name);
}

void FakeHub::set_etag(const std::string& repo, const std::string& filename, const std::string& etag) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->repos[repo].etags[filename] = etag;
}

void FakeHub::make_private(const std::string& repo, const std::string& token) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->repos[repo].private_token = token;
}

void FakeHub::make_gated(const std::string& repo, const std::string& token) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->repos[repo].gated_token = token;
}

void FakeHub::rename(const std::string& old_repo, const std::string& new_repo) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->repos[old_repo].renamed_to = new_repo;
}

void FakeHub::redirect_lfs_to(FakeHub& cdn) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->cdn = &cdn;
  std::lock_guard<std::mutex> cdn_lock(cdn.impl_->mutex);
  for (const auto& [name, repo] : impl_->repos) {
    for (const auto& [file, entry] : repo.files) {
      if (entry.second) cdn.impl_->blobs[transformers::hub::sha256_hex(entry.first)] = entry.first;
    }
  }
}

void FakeHub::fail_next_gets(const std::string& filename, Fault fault, int times) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  for (int i = 0; i < times; ++i) impl_->get_faults[filename].push_back(fault);
}

void FakeHub::fail_next_heads(const std::string& filename, int times) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->head_faults[filename] += times;
}

size_t FakeHub::request_count() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->log.size();
}

std::vector<LoggedRequest> FakeHub::requests() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->log;
}

size_t FakeHub::count(const std::string& method, const std::string& path_part) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  size_t n = 0;
  for (const auto& request : impl_->log)
    n += request.method == method && request.path.find(path_part) != std::string::npos;
  return n;
}

}  // namespace hub_test
