// Downloads from a fake Hub on a loopback port: the cache layout they leave, resumes, retries, faults,
// errors, tokens and redirects, offline mode, and concurrent downloaders.
#include <sys/wait.h>
#include <unistd.h>

#include <sys/resource.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <random>
#include <set>
#include <transformers/hub/hub.hpp>

#include "hub/fake_hub.hpp"
#include "hub/hub_test_support.hpp"

using namespace transformers::hub;
using namespace hub_test;

namespace {

constexpr const char* kRepo = "fake-org/tiny-model";

std::string random_bytes(size_t size, unsigned seed) {
  std::mt19937 generator(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(generator() & 0xff);
  return bytes;
}

// A repo like a small model's: configs and tokenizer files in git, weights in LFS, and files that
// resolve_model_path does not need.
struct TinyModel {
  std::string config = R"({"architectures": ["BertModel"], "model_type": "bert", "hidden_size": 32})";
  std::string tokenizer = R"({"version": "1.0", "model": {"type": "WordPiece"}})";
  std::string weights = random_bytes(300 * 1024, 1);
  std::string onnx = random_bytes(1000, 2);
  std::string pooling = R"({"pooling_mode_mean_tokens": true})";

  void publish(FakeHub& hub, const std::string& repo = kRepo) const {
    hub.add_file(repo, "config.json", config, false);
    hub.add_file(repo, "tokenizer.json", tokenizer, false);
    hub.add_file(repo, "model.safetensors", weights, true);
    hub.add_file(repo, "onnx/model.onnx", onnx, true);
    hub.add_file(repo, "pytorch_model.bin", onnx, true);
    hub.add_file(repo, "1_Pooling/config.json", pooling, false);
    hub.add_file(repo, "README.md", "---\nlicense: mit\n---\n# tiny\n", false);
  }
};

// The environment of a download test: the fake Hub as endpoint, a fresh cache, quick retries.
struct Online {
  EnvGuard env;
  TempDir cache{"download"};
  Online(const FakeHub& hub) {
    env.set("HF_ENDPOINT", hub.endpoint());
    env.set("HF_HUB_CACHE", cache.str());
    env.set("HF_HUB_DOWNLOAD_TIMEOUT", "1");
    env.set("HF_HUB_ETAG_TIMEOUT", "2");
    env.set("TRANSFORMERS_HUB_BACKOFF_MS", "5");
    env.set("HF_HOME", (cache.path() / "home").string());
  }
  fs::path repo_dir(const std::string& repo = kRepo) const { return cache.path() / repo_folder_name(repo); }
};

// Everything wrong a cache could hold after a download: dangling links, blobs whose content does not match
// their LFS name or that no snapshot links to, temporary files. `.incomplete` files are listed separately:
// they are the resumable leftovers of a broken transfer.
struct CacheAudit {
  std::vector<std::string> problems, incomplete;
};

CacheAudit audit_cache(const fs::path& root) {
  CacheAudit audit;
  if (!fs::exists(root)) return audit;
  for (const auto& link : dangling_links(root)) audit.problems.push_back("dangling link " + link);
  for (const auto& repo : fs::directory_iterator(root)) {
    if (!repo.is_directory() || repo.path().filename().string().rfind(".", 0) == 0) continue;
    std::set<std::string> linked;
    if (fs::exists(repo.path() / "snapshots")) {
      for (auto it = fs::recursive_directory_iterator(repo.path() / "snapshots");
           it != fs::recursive_directory_iterator(); ++it) {
        if (it->is_symlink()) linked.insert(fs::read_symlink(it->path()).filename().string());
        if (it->path().filename().string().find(".link") != std::string::npos)
          audit.problems.push_back("temporary link " + it->path().string());
      }
    }
    if (!fs::exists(repo.path() / "blobs")) continue;
    for (const auto& blob : fs::directory_iterator(repo.path() / "blobs")) {
      const std::string name = blob.path().filename().string();
      if (name.size() > 11 && name.substr(name.size() - 11) == ".incomplete") {
        audit.incomplete.push_back(blob.path().string());
        continue;
      }
      if (name.size() == 64 && sha256_file(blob.path().string()) != name)
        audit.problems.push_back("wrong bytes in " + name);
      if (!linked.count(name)) audit.problems.push_back("orphaned blob " + name);
    }
  }
  return audit;
}

void require_clean_cache(const fs::path& root) {
  const CacheAudit audit = audit_cache(root);
  INFO("problems: " << audit.problems.size() << (audit.problems.empty() ? "" : " first: " + audit.problems.front()));
  CHECK(audit.problems.empty());
  CHECK(audit.incomplete.empty());
}

std::vector<std::string> ranges_seen(const FakeHub& hub, const std::string& path_part) {
  std::vector<std::string> ranges;
  for (const auto& request : hub.requests()) {
    if (request.method == "GET" && request.path.find(path_part) != std::string::npos) ranges.push_back(request.range);
  }
  return ranges;
}

}  // namespace

TEST_CASE(
    "a download leaves huggingface_hub's layout: blob, relative link, "
    "ref; then the cache answers",
    "[hub][download]") {
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  Online online(hub);
  const std::string commit = hub.commit(kRepo);

  const std::string weights = hub_file(kRepo, "model.safetensors");
  CHECK(weights == (online.repo_dir() / "snapshots" / commit / "model.safetensors").string());
  CHECK(read_file(weights) == model.weights);
  CHECK(fs::read_symlink(weights) == fs::path("../../blobs/" + sha256_hex(model.weights)));
  CHECK(read_file(online.repo_dir() / "refs" / "main") == commit);  // no newline
  const std::string pooling = hub_file(kRepo, "1_Pooling/config.json");
  CHECK(fs::read_symlink(pooling).string().rfind("../../../blobs/", 0) == 0);
  CHECK(read_file(pooling) == model.pooling);
  CHECK(fs::exists(online.cache.path() / ".locks" / repo_folder_name(kRepo)));
  require_clean_cache(online.cache.path());

  // A branch asks the Hub again (HEAD) but the bytes come from the cache; a full commit asks nothing.
  const size_t gets = hub.count("GET", "/resolve/");
  CHECK(hub_file(kRepo, "model.safetensors") == weights);
  CHECK(hub.count("GET", "/resolve/") == gets);
  const size_t before = hub.request_count();
  HubOptions at_commit;
  at_commit.revision = commit;
  CHECK(hub_file(kRepo, "model.safetensors", at_commit) == weights);
  CHECK(hub.request_count() == before);

  // force_download fetches the bytes again and leaves the same layout.
  CHECK(read_file(hub_file(kRepo, "config.json")) == model.config);
  HubOptions force;
  force.force_download = true;
  CHECK(hub_file(kRepo, "config.json", force) == (online.repo_dir() / "snapshots" / commit / "config.json").string());
  CHECK(hub.count("GET", "/resolve/main/config.json") == 2);
  require_clean_cache(online.cache.path());
}

TEST_CASE("resolve_model_path fetches pytorch_model.bin shards from a repo without safetensors", "[hub][download]") {
  FakeHub hub;
  const std::string old_repo = "fake-org/old-model";
  hub.add_file(old_repo, "config.json", TinyModel{}.config, false);
  hub.add_file(old_repo, "pytorch_model.bin.index.json", R"({"weight_map": {}})", false);
  hub.add_file(old_repo, "pytorch_model-00001-of-00002.bin", random_bytes(2000, 3), true);
  hub.add_file(old_repo, "pytorch_model-00002-of-00002.bin", random_bytes(2000, 4), true);
  hub.add_file(old_repo, "tf_model.h5", random_bytes(2000, 5), true);
  Online online(hub);
  const fs::path snapshot = resolve_model_path(old_repo);
  CHECK(fs::exists(snapshot / "pytorch_model.bin.index.json"));
  CHECK(fs::exists(snapshot / "pytorch_model-00001-of-00002.bin"));
  CHECK(fs::exists(snapshot / "pytorch_model-00002-of-00002.bin"));
  CHECK(!fs::exists(snapshot / "tf_model.h5"));
  require_clean_cache(online.cache.path());
}

TEST_CASE(
    "snapshot_download filters with globs; resolve_model_path fetches "
    "what loading needs",
    "[hub][download]") {
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  Online online(hub);
  const fs::path snapshot = online.repo_dir() / "snapshots" / hub.commit(kRepo);

  CHECK(snapshot_download(kRepo, {}, {"*.json"}) == snapshot.string());
  CHECK(fs::exists(snapshot / "config.json"));
  CHECK(fs::exists(snapshot / "tokenizer.json"));
  CHECK(fs::exists(snapshot / "1_Pooling" / "config.json"));  // fnmatch's '*' crosses '/'
  CHECK(!fs::exists(snapshot / "model.safetensors"));
  CHECK(hub.count("GET", "/api/models/" + std::string(kRepo) + "/revision/main") == 1);

  CHECK(resolve_model_path(kRepo) == snapshot.string());
  CHECK(read_file(snapshot / "model.safetensors") == model.weights);
  CHECK(!fs::exists(snapshot / "onnx"));  // not a format transformers.cpp reads
  CHECK(!fs::exists(snapshot / "README.md"));
  CHECK(!fs::exists(snapshot / "pytorch_model.bin"));  // safetensors are there: as transformers, not fetched
  require_clean_cache(online.cache.path());

  CHECK(snapshot_download(kRepo, {}, {"onnx/"}) == snapshot.string());
  CHECK(read_file(snapshot / "onnx" / "model.onnx") == model.onnx);

  CHECK(matches_glob("a/b.json", "*.json"));
  CHECK(matches_glob("model-00001-of-00002.safetensors", "model-*-of-?????.safetensors"));
  CHECK(matches_glob("vocab.txt", "[uv]ocab.*"));
  CHECK(!matches_glob("vocab.txt", "[!v]ocab.*"));
  CHECK(!matches_glob("config.json", "*.safetensors"));
}

TEST_CASE("a dropped connection is resumed with Range; the bytes end up right", "[hub][download][faults]") {
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  Online online(hub);

  SECTION("within one call") {
    hub.fail_next_gets("model.safetensors", Fault::drop_midway, 2);
    CHECK(read_file(hub_file(kRepo, "model.safetensors")) == model.weights);
    const auto ranges = ranges_seen(hub, "model.safetensors");
    REQUIRE(ranges.size() == 3);
    CHECK(ranges[0].empty());
    CHECK(ranges[1].rfind("bytes=", 0) == 0);
    CHECK(ranges[1] != "bytes=0-");
    require_clean_cache(online.cache.path());
  }
  SECTION(
      "across calls: the .incomplete file is kept and the next call "
      "resumes from it") {
    online.env.set("TRANSFORMERS_HUB_MAX_ATTEMPTS", "2");
    hub.fail_next_gets("model.safetensors", Fault::drop_midway, 2);
    try {
      hub_file(kRepo, "model.safetensors");
      FAIL("expected DownloadFailed");
    } catch (const DownloadFailed& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("model.safetensors") && Catch::Contains(kRepo) &&
                                            Catch::Contains("main") && Catch::Contains("resumes"));
    }
    CacheAudit audit = audit_cache(online.cache.path());
    CHECK(audit.problems.empty());
    REQUIRE(audit.incomplete.size() == 1);
    CHECK(!fs::exists(online.repo_dir() / "snapshots" / hub.commit(kRepo) / "model.safetensors"));
    const auto kept = fs::file_size(audit.incomplete.front());
    CHECK(kept > 0);

    CHECK(read_file(hub_file(kRepo, "model.safetensors")) == model.weights);
    CHECK(ranges_seen(hub, "model.safetensors").back() == "bytes=" + std::to_string(kept) + "-");
    require_clean_cache(online.cache.path());
  }
  SECTION("a stalled transfer times out (HF_HUB_DOWNLOAD_TIMEOUT) and resumes") {
    hub.fail_next_gets("model.safetensors", Fault::stall, 1);
    CHECK(read_file(hub_file(kRepo, "model.safetensors")) == model.weights);
    CHECK(ranges_seen(hub, "model.safetensors").size() == 2);
    require_clean_cache(online.cache.path());
  }
}

namespace {

// A full disk, as the process sees it: writes past `bytes` fail with EFBIG (RLIMIT_FSIZE, with
// SIGXFSZ ignored so that the write returns an error instead of killing the process). Root passes
// every permission check, so this is how a test running as root can make the cache unwritable.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    saved_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limited = saved_;
    limited.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limited);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, saved_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*saved_handler_)(int) = nullptr;
};

}  // namespace

TEST_CASE("a full disk fails a download with nothing half-written in the snapshot; with room it resumes",
          "[hub][download][faults]") {
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  Online online(hub);
  online.env.set("TRANSFORMERS_HUB_MAX_ATTEMPTS", "1");
  // Full partway through the weights (300 KiB), or unable to take a single byte (a cache that is
  // read-only as far as files go).
  const rlim_t room = GENERATE(rlim_t{100 * 1024}, rlim_t{0});
  {
    const FileSizeLimit full_disk(room);
    CHECK_THROWS_WITH(hub_file(kRepo, "model.safetensors"), Catch::Contains("model.safetensors"));
    CHECK_THROWS_AS(resolve_model_path(kRepo), transformers::Error);
  }
  const fs::path snapshot = online.repo_dir() / "snapshots" / hub.commit(kRepo);
  CHECK(!fs::exists(snapshot / "model.safetensors"));
  CacheAudit audit = audit_cache(online.cache.path());
  CHECK(audit.problems.empty());  // no blob without its full bytes, no dangling link
  CHECK(read_file(hub_file(kRepo, "model.safetensors")) == model.weights);
  CHECK(resolve_model_path(kRepo) == snapshot.string());
  require_clean_cache(online.cache.path());
}

TEST_CASE("wrong bytes are never kept; server errors are retried", "[hub][download][faults]") {
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  Online online(hub);

  SECTION(
      "bytes that fail the sha256 check: a clear error, nothing left, the "
      "next call succeeds") {
    hub.fail_next_gets("model.safetensors", Fault::wrong_bytes, 1);
    try {
      hub_file(kRepo, "model.safetensors");
      FAIL("expected DownloadFailed");
    } catch (const DownloadFailed& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("corrupt") && Catch::Contains("sha256") &&
                                            Catch::Contains("model.safetensors") && Catch::Contains(kRepo));
    }
    require_clean_cache(online.cache.path());
    CHECK(!fs::exists(online.repo_dir() / "snapshots" / hub.commit(kRepo) / "model.safetensors"));
    CHECK(read_file(hub_file(kRepo, "model.safetensors")) == model.weights);
    require_clean_cache(online.cache.path());
  }
  SECTION("a resumed transfer whose earlier bytes were wrong starts over once") {
    hub.fail_next_gets("model.safetensors", Fault::drop_midway, 1);
    online.env.set("TRANSFORMERS_HUB_MAX_ATTEMPTS", "1");
    CHECK_THROWS_AS(hub_file(kRepo, "model.safetensors"), DownloadFailed);
    const auto incomplete = audit_cache(online.cache.path()).incomplete;
    REQUIRE(incomplete.size() == 1);
    std::string corrupted = read_file(incomplete.front());
    corrupted[0] = static_cast<char>(~corrupted[0]);
    write_file(incomplete.front(), corrupted);
    CHECK(read_file(hub_file(kRepo, "model.safetensors")) == model.weights);
    require_clean_cache(online.cache.path());
  }
  SECTION("500s on GET and HEAD are retried with backoff") {
    hub.fail_next_gets("model.safetensors", Fault::server_error, 2);
    hub.fail_next_heads("config.json", 2);
    CHECK(read_file(hub_file(kRepo, "model.safetensors")) == model.weights);
    CHECK(hub.count("GET", "model.safetensors") == 3);
    CHECK(read_file(hub_file(kRepo, "config.json")) == model.config);
    CHECK(hub.count("HEAD", "config.json") == 3);
    require_clean_cache(online.cache.path());
  }
  SECTION(
      "500s beyond the retries: the cache answers if it can, else "
      "HubUnreachable") {
    online.env.set("TRANSFORMERS_HUB_MAX_ATTEMPTS", "2");
    hub.fail_next_heads("config.json", 2);
    try {
      hub_file(kRepo, "config.json");
      FAIL("expected HubUnreachable");
    } catch (const HubUnreachable& e) {
      CHECK_THAT(std::string(e.what()),
                 Catch::Contains("config.json") && Catch::Contains(kRepo) && Catch::Contains("500"));
    }
    const std::string path = hub_file(kRepo, "config.json");
    hub.fail_next_heads("config.json", 2);
    CHECK(hub_file(kRepo, "config.json") == path);
    require_clean_cache(online.cache.path());
  }
  SECTION("500s on every GET: a clear error and nothing half-written") {
    online.env.set("TRANSFORMERS_HUB_MAX_ATTEMPTS", "3");
    hub.fail_next_gets("model.safetensors", Fault::server_error, 3);
    try {
      hub_file(kRepo, "model.safetensors");
      FAIL("expected HubHttpError");
    } catch (const HubHttpError& e) {
      CHECK(e.status() == 500);
      CHECK_THAT(std::string(e.what()), Catch::Contains("model.safetensors") && Catch::Contains("try again later"));
    }
    require_clean_cache(online.cache.path());
  }
}

TEST_CASE(
    "the Hub's error answers become the Hub's exceptions, naming repo, "
    "revision and file",
    "[hub][download][errors]") {
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  Online online(hub);

  SECTION(
      "404 EntryNotFound writes a .no_exist marker, which then answers "
      "offline") {
    try {
      hub_file(kRepo, "generation_config.json");
      FAIL("expected EntryNotFound");
    } catch (const EntryNotFound& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("generation_config.json") && Catch::Contains(kRepo) &&
                                            Catch::Contains("main") && Catch::Contains("does not exist"));
    }
    CHECK(fs::exists(online.repo_dir() / ".no_exist" / hub.commit(kRepo) / "generation_config.json"));
    CHECK(try_hub_file(kRepo, "generation_config.json") == std::nullopt);
  }
  SECTION("unknown revision") {
    HubOptions options;
    options.revision = "no-such-branch";
    try {
      hub_file(kRepo, "config.json", options);
      FAIL("expected RevisionNotFound");
    } catch (const RevisionNotFound& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("no-such-branch") && Catch::Contains(kRepo));
    }
    CHECK_THROWS_AS(snapshot_download(kRepo, options), RevisionNotFound);
  }
  SECTION("unknown repo (401 RepoNotFound)") {
    try {
      hub_file("fake-org/missing", "config.json");
      FAIL("expected RepositoryNotFound");
    } catch (const RepositoryNotFound& e) {
      CHECK_THAT(std::string(e.what()),
                 Catch::Contains("fake-org/missing") && Catch::Contains("config.json") && Catch::Contains("HF_TOKEN"));
    }
    CHECK_THROWS_AS(resolve_model_path("fake-org/missing"), RepositoryNotFound);
  }
  SECTION(
      "private repo: the token comes from options, HF_TOKEN or the token "
      "file") {
    hub.make_private(kRepo, "hf_secret");
    CHECK_THROWS_AS(hub_file(kRepo, "config.json"), RepositoryNotFound);
    HubOptions with_token;
    with_token.token = "hf_secret";
    CHECK(read_file(hub_file(kRepo, "config.json", with_token)) == model.config);
    online.env.set("HF_TOKEN", "hf_secret");
    CHECK(read_file(hub_file(kRepo, "tokenizer.json")) == model.tokenizer);
    online.env.unset("HF_TOKEN");
    write_file(online.cache.path() / "home" / "token", "hf_secret\n");
    CHECK(read_file(hub_file(kRepo, "model.safetensors")) == model.weights);
    online.env.set("HF_HUB_DISABLE_IMPLICIT_TOKEN", "1");
    HubOptions forced;
    forced.force_download = true;
    CHECK_THROWS_AS(hub_file(kRepo, "config.json", forced), RepositoryNotFound);
  }
  SECTION("gated repo (403 GatedRepo)") {
    hub.make_gated(kRepo, "hf_accepted");
    try {
      hub_file(kRepo, "config.json");
      FAIL("expected GatedRepo");
    } catch (const GatedRepo& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("gated") && Catch::Contains(kRepo) &&
                                            Catch::Contains("config.json") && Catch::Contains("Accept its terms"));
    }
    HubOptions options;
    options.token = "hf_accepted";
    CHECK(read_file(hub_file(kRepo, "config.json", options)) == model.config);
  }
  require_clean_cache(online.cache.path());
}

TEST_CASE(
    "redirects: relative ones are followed, absolute ones don't carry "
    "the token",
    "[hub][download][redirects]") {
  FakeHub hub, cdn;
  TinyModel model;
  model.publish(hub);
  model.publish(hub, "old-org/tiny-model");
  hub.rename("old-org/tiny-model", kRepo);
  hub.redirect_lfs_to(cdn);
  Online online(hub);
  HubOptions options;
  options.token = "hf_secret";

  CHECK(read_file(hub_file(kRepo, "model.safetensors", options)) == model.weights);
  REQUIRE(cdn.request_count() == 1);
  CHECK(cdn.requests().front().authorization.empty());
  for (const auto& request : hub.requests()) CHECK(request.authorization == "Bearer hf_secret");

  CHECK(read_file(hub_file("old-org/tiny-model", "config.json", options)) == model.config);
  CHECK(hub.count("HEAD", "/" + std::string(kRepo) + "/resolve/main/config.json") == 1);
  require_clean_cache(online.cache.path());
}

TEST_CASE("offline: no request at all, from the cache only", "[hub][download][offline]") {
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  Online online(hub);
  const std::string config = hub_file(kRepo, "config.json");
  const std::string snapshot = resolve_model_path(kRepo);
  const size_t before = hub.request_count();

  online.env.set("HF_HUB_OFFLINE", "1");
  CHECK(hub_file(kRepo, "config.json") == config);
  CHECK(resolve_model_path(kRepo) == snapshot);
  CHECK(snapshot_download(kRepo) == snapshot);
  HubOptions short_sha;
  short_sha.revision = hub.commit(kRepo).substr(0, 7);
  CHECK(hub_file(kRepo, "config.json", short_sha) == config);
  CHECK_THROWS_AS(hub_file(kRepo, "onnx/model.onnx"), OfflineModeNoCache);
  CHECK_THROWS_AS(repo_info(kRepo), OfflineModeNoCache);
  online.env.unset("HF_HUB_OFFLINE");
  online.env.set("TRANSFORMERS_OFFLINE", "1");
  CHECK_THROWS_AS(resolve_model_path("fake-org/other"), OfflineModeNoCache);
  online.env.unset("TRANSFORMERS_OFFLINE");
  HubOptions local;
  local.local_files_only = true;
  CHECK(hub_file(kRepo, "config.json", local) == config);
  CHECK_THROWS_AS(hub_file(kRepo, "onnx/model.onnx", local), OfflineModeNoCache);
  CHECK(hub.request_count() == before);

  // Online with the Hub unreachable: the cache answers too.
  online.env.set("HF_ENDPOINT", kUnreachableEndpoint);
  CHECK(hub_file(kRepo, "config.json") == config);
  CHECK(resolve_model_path(kRepo) == snapshot);
  CHECK_THROWS_AS(hub_file(kRepo, "onnx/model.onnx"), HubUnreachable);
}

TEST_CASE("a cache written by huggingface_hub is used as is when online", "[hub][download][fixture]") {
  FakeHub hub;
  hub.set_commit(kTiny, kCommitB);
  const fs::path fixture_snapshot = fixture_cache() / repo_folder_name(kTiny) / "snapshots" / kCommitB;
  hub.add_file(kTiny, "config.json", read_file(fixture_snapshot / "config.json"), false);
  Online online(hub);
  copy_fixture_cache(online.cache.path() / "copy");
  online.env.set("HF_HUB_CACHE", (online.cache.path() / "copy").string());
  const std::string path = hub_file(kTiny, "config.json");
  CHECK(path ==
        (online.cache.path() / "copy" / repo_folder_name(kTiny) / "snapshots" / kCommitB / "config.json").string());
  CHECK(hub.count("GET", "") == 0);
  CHECK(hub.count("HEAD", "config.json") == 1);
}

TEST_CASE(
    "two processes downloading one model at once both succeed with one "
    "blob per file",
    "[hub][download][processes]") {
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  Online online(hub);

  std::vector<pid_t> children;
  for (int i = 0; i < 2; ++i) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int status = 0;
      try {
        const fs::path snapshot = snapshot_download(kRepo);
        status = read_file(snapshot / "model.safetensors") == model.weights ? 0 : 3;
      } catch (...) {
        status = 4;
      }
      ::_exit(status);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  require_clean_cache(online.cache.path());
  size_t blobs = 0;
  for (const auto& entry : fs::directory_iterator(online.repo_dir() / "blobs")) blobs += entry.is_regular_file();
  CHECK(blobs == 6);
  CHECK(hub.count("GET", "model.safetensors") == 1);  // the second waited on the lock, then found the blob
}

// Not run by default: leaves a cache written by our downloader in $TRANSFORMERS_HUB_KEEP_CACHE, to check by
// hand that Python's huggingface_hub reads it (scan_cache_dir, hf_hub_download offline).
TEST_CASE("write a cache for huggingface_hub to read", "[.][python-check]") {
  const char* keep = std::getenv("TRANSFORMERS_HUB_KEEP_CACHE");
  REQUIRE(keep != nullptr);
  FakeHub hub;
  TinyModel model;
  model.publish(hub);
  EnvGuard env;
  env.set("HF_ENDPOINT", hub.endpoint());
  HubOptions options;
  options.cache_dir = keep;
  snapshot_download(kRepo, options);
  options.revision = "v1.0";
  CHECK_THROWS_AS(hub_file(kRepo, "missing.json", options), EntryNotFound);
}
