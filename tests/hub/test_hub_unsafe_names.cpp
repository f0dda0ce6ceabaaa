// A lying Hub (a compromised mirror, a malicious HF_ENDPOINT) and hostile revisions: every name that would
// become a path outside the cache is refused before anything is written, and the tests look at the file
// system around the cache, not only at the exceptions.
#include <catch2/catch.hpp>
#include <transformers/hub/hub.hpp>

#include "hub/fake_hub.hpp"
#include "hub/hub_test_support.hpp"

using namespace transformers::hub;
using namespace hub_test;

namespace {

constexpr const char* kRepo = "acme/evil";

// A sandbox: <root>/cache is the Hugging Face cache, <root>/outside a folder that must stay empty; the
// escaping names below point at both, from every depth the snapshot folder could be climbed out of.
struct Sandbox {
  EnvGuard env;
  TempDir root{"unsafe"};
  fs::path cache = root.path() / "cache";
  fs::path outside = root.path() / "outside";

  explicit Sandbox(const FakeHub& hub) {
    fs::create_directories(cache);
    fs::create_directories(outside);
    env.set("HF_ENDPOINT", hub.endpoint());
    env.set("HF_HUB_CACHE", cache.string());
    env.set("HF_HOME", (root.path() / "home").string());
    env.set("HF_HUB_ETAG_TIMEOUT", "2");
    env.set("HF_HUB_DOWNLOAD_TIMEOUT", "2");
  }

  // Every file or link below the root that is not inside the cache folder.
  std::vector<std::string> written_outside_cache() const {
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(root.path()); it != fs::recursive_directory_iterator(); ++it) {
      const fs::path relative = it->path().lexically_relative(root.path());
      if (*relative.begin() == "cache") continue;
      if (!it->is_directory() || it->is_symlink()) found.push_back(it->path().string());
      if (it->is_directory() && it->path() != outside) found.push_back(it->path().string());
    }
    return found;
  }
  // Files and links anywhere in the cache (folders alone are not content).
  std::vector<std::string> cache_entries() const {
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(cache); it != fs::recursive_directory_iterator(); ++it) {
      if (!it->is_directory() || it->is_symlink()) found.push_back(it->path().string());
    }
    return found;
  }
};

// Names a lying listing could hold: absolute, ".." at every position and depth, encoded forms, control
// characters, backslashes, empty and "." segments, names too long for a file system.
std::vector<std::string> escaping_names(const fs::path& outside) {
  std::vector<std::string> names = {
      (outside / "escape2.txt").string(),
      "/escape-root.txt",
      "..",
      "../escape.txt",
      "../../../../escape1.txt",
      "../../../../outside/escape.txt",
      "../../../../../outside/escape.txt",
      "sub/../../../../escape3.txt",
      "sub/../../../../../outside/escape3.txt",
      "sub/..",
      "a/./b.txt",
      "./a.txt",
      "a//b.txt",
      "a/",
      "%2e%2e/%2e%2e/%2e%2e/%2e%2e/outside/escape.txt",
      "%2E%2E/escape.txt",
      "..%2F..%2F..%2F..%2Foutside%2Fescape.txt",
      "sub/..%2f..%2fescape.txt",
      "..\\..\\..\\..\\outside\\escape.txt",
      "name\nwith-newline.txt",
      "tab\there.txt",
      std::string("nul\0inside.txt", 15),
      std::string(300, 'a') + ".txt",
  };
  std::string deep;
  for (int i = 0; i < 1100; ++i) deep += "abc/";
  names.push_back(deep + "x.txt");
  return names;
}

}  // namespace

TEST_CASE("a listing naming a file outside the snapshot is refused and nothing is written", "[hub][security]") {
  FakeHub hub;
  Sandbox sandbox(hub);
  const auto names = escaping_names(sandbox.outside);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& bad = names[i];
    const std::string repo = "acme/evil" + std::to_string(i);
    hub.add_file(repo, "config.json", "{}", false);
    hub.list_extra(repo, bad);
    INFO("listed name: " << bad);
    const size_t gets_before = hub.count("GET", "/resolve/") + hub.count("HEAD", "/resolve/");
    HubOptions options;
    options.quiet = true;
    try {
      snapshot_download(repo, options);
      FAIL("the listing was accepted");
    } catch (const UnsafeName& e) {
      CHECK(std::string(e.what()).find("nothing was downloaded") != std::string::npos);
      CHECK(e.filename() == bad);
    }
    // Refused before any file was asked for, so not even config.json is in the cache.
    CHECK(hub.count("GET", "/resolve/") + hub.count("HEAD", "/resolve/") == gets_before);
    CHECK(sandbox.written_outside_cache().empty());
    CHECK(sandbox.cache_entries().empty());
  }
  CHECK_FALSE(fs::exists("/escape-root.txt"));
}

TEST_CASE("a listing that names the same file twice is refused", "[hub][security]") {
  FakeHub hub;
  hub.add_file(kRepo, "config.json", "{}", false);
  hub.add_file(kRepo, "model.safetensors", "weights", true);
  hub.list_extra(kRepo, "model.safetensors");
  Sandbox sandbox(hub);
  HubOptions options;
  options.quiet = true;
  CHECK_THROWS_AS(snapshot_download(kRepo, options), UnsafeName);
  CHECK(hub.count("GET", "/resolve/") == 0);
  CHECK(sandbox.cache_entries().empty());
  CHECK(sandbox.written_outside_cache().empty());
}

TEST_CASE("a revision that would leave refs/ or snapshots/ is refused before any request", "[hub][security]") {
  FakeHub hub;
  hub.add_file(kRepo, "config.json", "{}", false);
  Sandbox sandbox(hub);
  for (const std::string revision :
       {"../../../../tmp/revesc", "../../../outside/revesc", "main/../../../outside/x", "/abs/rev", "..", ".",
        "refs//pr", "a\\..\\..\\b", "main\n", "%2e%2e/%2e%2e/outside/rev"}) {
    INFO("revision: " << revision);
    HubOptions options;
    options.quiet = true;
    options.revision = revision;
    CHECK_THROWS_AS(snapshot_download(kRepo, options), RevisionNotFound);
    CHECK_THROWS_AS(hub_file(kRepo, "config.json", options), RevisionNotFound);
    CHECK_THROWS_AS(resolve_model_path(kRepo, options), RevisionNotFound);
    CHECK_THROWS_AS(repo_info(kRepo, options), RevisionNotFound);
    CHECK_THROWS_AS(delete_cached_revision(kRepo, revision, sandbox.cache.string()), RevisionNotFound);
  }
  CHECK(hub.request_count() == 0);
  CHECK(sandbox.cache_entries().empty());
  CHECK(sandbox.written_outside_cache().empty());
  CHECK_FALSE(fs::exists("/tmp/revesc"));
}

TEST_CASE("a file name passed by the caller that would leave the snapshot is refused", "[hub][security]") {
  FakeHub hub;
  hub.add_file(kRepo, "config.json", "{}", false);
  Sandbox sandbox(hub);
  for (const std::string& bad : escaping_names(sandbox.outside)) {
    INFO("filename: " << bad);
    CHECK_THROWS_AS(hub_file(kRepo, bad), transformers::InvalidArgument);
  }
  CHECK(hub.request_count() == 0);
  CHECK(sandbox.cache_entries().empty());
  CHECK(sandbox.written_outside_cache().empty());
}

TEST_CASE("an ETag that is not a hex digest never names a blob", "[hub][security]") {
  FakeHub hub;
  hub.add_file(kRepo, "config.json", "{}", false);
  Sandbox sandbox(hub);
  for (const std::string& etag : std::vector<std::string>{
           "\"../../../../outside/escape\"", "W/\"../../blobs/x\"", "\"/abs/etag\"", "\"..\"", "\"abc\"",
           "\"" + std::string(64, 'g') + "\"", "\"0123456789abcdef0123456789abcdef0123456/\""}) {
    INFO("ETag: " << etag);
    hub.set_etag(kRepo, "config.json", etag);
    CHECK_THROWS_AS(hub_file(kRepo, "config.json"), UnsafeName);
  }
  CHECK(hub.count("GET", "/resolve/") == 0);
  CHECK(sandbox.written_outside_cache().empty());
  for (const auto& entry : sandbox.cache_entries()) CHECK(entry.find("/blobs/") == std::string::npos);
  // A real ETag, quoted or weak, still works (and is stored lowercase, as huggingface_hub names blobs).
  hub.set_etag(kRepo, "config.json", "W/\"" + std::string(40, 'A') + "\"");
  const fs::path pointer = hub_file(kRepo, "config.json");
  CHECK(fs::read_symlink(pointer).filename() == std::string(40, 'a'));
}

TEST_CASE("a symlinked folder inside the cache that leads out of it is not written through", "[hub][security]") {
  FakeHub hub;
  hub.add_file(kRepo, "config.json", "{}", false);
  hub.add_file(kRepo, "sub/data.json", "{\"x\": 1}", false);
  Sandbox sandbox(hub);
  const fs::path repo_dir = sandbox.cache / repo_folder_name(kRepo);
  SECTION("snapshots/<commit> is a link out of the cache") {
    fs::create_directories(repo_dir / "snapshots");
    fs::create_directory_symlink(sandbox.outside, repo_dir / "snapshots" / hub.commit(kRepo));
    CHECK_THROWS_AS(hub_file(kRepo, "config.json"), CacheError);
  }
  SECTION("a subfolder of the snapshot is a link out of the cache") {
    fs::create_directories(repo_dir / "snapshots" / hub.commit(kRepo));
    fs::create_directory_symlink(sandbox.outside, repo_dir / "snapshots" / hub.commit(kRepo) / "sub");
    CHECK_THROWS_AS(hub_file(kRepo, "sub/data.json"), CacheError);
  }
  SECTION("refs/ is a link out of the cache") {
    fs::create_directories(repo_dir);
    fs::create_directory_symlink(sandbox.outside, repo_dir / "refs");
    CHECK_THROWS_AS(hub_file(kRepo, "config.json"), CacheError);
  }
  SECTION("blobs/ is a link out of the cache") {
    fs::create_directories(repo_dir);
    fs::create_directory_symlink(sandbox.outside, repo_dir / "blobs");
    CHECK_THROWS_AS(hub_file(kRepo, "config.json"), CacheError);
  }
  CHECK(fs::is_empty(sandbox.outside));
  CHECK(sandbox.written_outside_cache().empty());
}

TEST_CASE("delete-cache never deletes outside the cache", "[hub][security]") {
  FakeHub hub;
  Sandbox sandbox(hub);
  const fs::path repo_dir = sandbox.cache / repo_folder_name(kRepo);
  const std::string commit_a(40, 'a'), commit_b(40, 'b');
  // Two revisions whose files live in a blobs/ folder that is a link to a folder outside the cache.
  fs::create_directories(repo_dir / "snapshots" / commit_a);
  fs::create_directories(repo_dir / "snapshots" / commit_b);
  fs::create_directory_symlink(sandbox.outside, repo_dir / "blobs");
  write_file(sandbox.outside / "precious", "keep me");
  fs::create_symlink("../../blobs/precious", repo_dir / "snapshots" / commit_a / "file.txt");
  write_file(repo_dir / "snapshots" / commit_b / "other.txt", "b");
  delete_cached_revision(kRepo, commit_a, sandbox.cache.string());
  CHECK(fs::exists(sandbox.outside / "precious"));
  CHECK_FALSE(fs::exists(repo_dir / "snapshots" / commit_a));
  // A repo id that is not one is refused rather than turned into a folder name.
  CHECK_THROWS_AS(delete_cached_revision("../../outside", commit_b, sandbox.cache.string()),
                  transformers::InvalidArgument);
  CHECK(fs::exists(sandbox.outside / "precious"));
}
