// install_into_cache: layout, atomicity, failure cleanup, concurrent writers.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include <nlohmann/json.hpp>

#include "hub_test_support.hpp"
#include "transformers/hub/hub.hpp"

using namespace transformers::hub;
using namespace hub_test;

namespace {

constexpr const char* kCommit1 = "1111111111111111111111111111111111111111";
constexpr const char* kCommit2 = "2222222222222222222222222222222222222222";

}  // namespace

TEST_CASE("install_into_cache writes blobs, relative links and refs the way huggingface_hub does", "[hub][install]") {
  EnvGuard env;
  TempDir dir("install");
  const fs::path cache = dir.path() / "cache";
  write_file(dir.path() / "src" / "config.json", "{\"a\": 1}");
  write_file(dir.path() / "src" / "weights.bin", "weights");

  const std::string pointer = install_into_cache("org/model", kCommit1, "config.json",
                                                 (dir.path() / "src/config.json").string(), cache.string());
  const fs::path repo = cache / "models--org--model";
  CHECK(pointer == (repo / "snapshots" / kCommit1 / "config.json").string());
  CHECK(fs::read_symlink(pointer).string() == "../../blobs/" + sha256_hex("{\"a\": 1}"));
  CHECK(read_file(pointer) == "{\"a\": 1}");
  CHECK(read_file(repo / "refs" / "main") == kCommit1);  // no trailing newline
  CHECK(fs::exists(cache / ".locks" / "models--org--model" / (sha256_hex("{\"a\": 1}") + ".lock")));

  // Nested file, explicit (git sha1) etag, a tag, a second commit sharing the blob.
  install_into_cache("org/model", kCommit1, "sub/dir/weights.bin", (dir.path() / "src/weights.bin").string(),
                     cache.string(), "v1", std::string("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"));
  CHECK(fs::read_symlink(repo / "snapshots" / kCommit1 / "sub/dir/weights.bin").string() ==
        "../../../../blobs/e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  CHECK(read_file(repo / "refs" / "v1") == kCommit1);
  install_into_cache("org/model", kCommit2, "config.json", (dir.path() / "src/config.json").string(), cache.string());
  CHECK(read_file(repo / "refs" / "main") == kCommit2);
  install_into_cache("org/model", kCommit2, "x.txt", (dir.path() / "src/config.json").string(), cache.string(),
                     "refs/pr/7");
  CHECK(read_file(repo / "refs" / "refs" / "pr" / "7") == kCommit2);
  install_into_cache("org/model", kCommit2, "y.txt", (dir.path() / "src/config.json").string(), cache.string(),
                     kCommit2);
  CHECK_FALSE(fs::exists(repo / "refs" / kCommit2));  // a commit is not written as its own ref

  HubOptions options;
  options.cache_dir = cache.string();
  options.revision = "v1";
  CHECK(read_file(hub_file("org/model", "sub/dir/weights.bin", options)) == "weights");
  options.revision = "main";
  CHECK(read_file(hub_file("org/model", "config.json", options)) == "{\"a\": 1}");

  std::vector<std::string> warnings;
  const auto repos = scan_cache(cache.string(), &warnings);
  CHECK(warnings.empty());
  REQUIRE(repos.size() == 1);
  CHECK(repos[0].nb_files == 2);  // config.json's blob is shared by both commits and x.txt, y.txt
  CHECK(repos[0].size_on_disk == std::string("{\"a\": 1}").size() + std::string("weights").size());
  CHECK(files_named(cache, ".incomplete").empty());
  CHECK(files_named(cache, ".tmp").empty());
  CHECK(files_named(cache, ".link").empty());

  // For the cross-check by hand with huggingface_hub (tests/fixtures/hub/README.md).
  if (const char* keep = std::getenv("TRANSFORMERS_HUB_CROSSCHECK_DIR")) {
    const fs::path out(keep);
    fs::remove_all(out);
    fs::create_directories(out);
    fs::copy(cache, out / "cache", fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    nlohmann::json json_repos = nlohmann::json::array();
    for (const auto& repo_info : scan_cache((out / "cache").string())) {
      nlohmann::json revisions = nlohmann::json::array();
      for (const auto& revision : repo_info.revisions) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& file : revision.files) {
          files.push_back({{"name", file.name},
                           {"blob", fs::path(file.blob_path).lexically_relative(repo_info.path).generic_string()},
                           {"size_on_disk", file.size_on_disk}});
        }
        revisions.push_back({{"commit", revision.commit},
                             {"refs", revision.refs},
                             {"size_on_disk", revision.size_on_disk},
                             {"nb_files", revision.files.size()},
                             {"files", files}});
      }
      json_repos.push_back({{"repo_id", repo_info.repo_id},
                            {"repo_type", repo_info.repo_type},
                            {"size_on_disk", repo_info.size_on_disk},
                            {"nb_files", repo_info.nb_files},
                            {"revisions", revisions}});
    }
    std::ofstream(out / "scan.json")
        << nlohmann::json{{"repos", json_repos}, {"warnings", nlohmann::json::array()}}.dump(1);
  }
}

TEST_CASE("install_into_cache leaves nothing behind when it fails", "[hub][install]") {
  EnvGuard env;
  TempDir dir("install_fail");
  const fs::path cache = dir.path() / "cache";
  const fs::path repo = cache / "models--org--model";

  SECTION("missing source: no folders, no temporary files") {
    CHECK_THROWS_AS(
        install_into_cache("org/model", kCommit1, "a.txt", (dir.path() / "missing").string(), cache.string()),
        transformers::FileError);
    CHECK_FALSE(fs::exists(repo / "blobs"));
    CHECK_FALSE(fs::exists(repo / "snapshots"));
  }
  SECTION("a read error mid-copy (the source is a folder) removes the temporary file") {
    fs::create_directories(dir.path() / "a-folder");
    install_into_cache(
        "org/model", kCommit1, "keep.txt",
        [&] {
          write_file(dir.path() / "keep.txt", "keep");
          return (dir.path() / "keep.txt").string();
        }(),
        cache.string());
    CHECK_THROWS_AS(
        install_into_cache("org/model", kCommit1, "b.txt", (dir.path() / "a-folder").string(), cache.string()),
        transformers::FileError);
    CHECK(files_named(cache, ".incomplete").empty());
    CHECK_FALSE(fs::exists(fs::symlink_status(repo / "snapshots" / kCommit1 / "b.txt")));
  }
  SECTION("a link that can't be created (a folder is in the way) takes its new blob back") {
    write_file(dir.path() / "one", "one");
    write_file(dir.path() / "two", "two");
    install_into_cache("org/model", kCommit1, "name/inner.txt", (dir.path() / "one").string(), cache.string());
    CHECK_THROWS_AS(install_into_cache("org/model", kCommit1, "name", (dir.path() / "two").string(), cache.string()),
                    CacheError);
    CHECK_FALSE(fs::exists(repo / "blobs" / sha256_hex("two")));
    CHECK(fs::exists(repo / "blobs" / sha256_hex("one")));
    CHECK(files_named(cache, ".incomplete").empty());
    CHECK(files_named(cache, ".link").empty());
    CHECK(dangling_links(cache).empty());
  }
  SECTION("an LFS etag that is not the content's sha256 is refused") {
    write_file(dir.path() / "one", "one");
    CHECK_THROWS_AS(install_into_cache("org/model", kCommit1, "a.txt", (dir.path() / "one").string(), cache.string(),
                                       "main", sha256_hex("other")),
                    CacheError);
    CHECK(files_named(cache, ".incomplete").empty());
    CHECK_FALSE(fs::exists(repo / "snapshots"));
  }
  SECTION("bad arguments") {
    write_file(dir.path() / "one", "one");
    const std::string src = (dir.path() / "one").string();
    CHECK_THROWS_AS(install_into_cache("org/model", "main", "a.txt", src, cache.string()),
                    transformers::InvalidArgument);
    CHECK_THROWS_AS(install_into_cache("org/model", kCommit1, "../a.txt", src, cache.string()),
                    transformers::InvalidArgument);
    CHECK_THROWS_AS(install_into_cache("bad--id", kCommit1, "a.txt", src, cache.string()),
                    transformers::InvalidArgument);
    CHECK_THROWS_AS(install_into_cache("org/model", kCommit1, "a.txt", src, cache.string(), "main", std::string("a/b")),
                    transformers::InvalidArgument);
  }
}

TEST_CASE("two processes installing the same files concurrently both succeed with one blob each", "[hub][install]") {
  EnvGuard env;
  TempDir dir("install_race");
  const fs::path cache = dir.path() / "cache";
  write_file(dir.path() / "big.bin", std::string(3 << 20, 'z') + "end");  // several copy chunks
  write_file(dir.path() / "small.txt", "small");

  pid_t children[2];
  for (pid_t& child : children) {
    child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
      int status = 0;
      try {
        for (int round = 0; round < 20; ++round) {
          install_into_cache("org/race", kCommit1, "big.bin", (dir.path() / "big.bin").string(), cache.string());
          install_into_cache("org/race", kCommit1, "nested/small.txt", (dir.path() / "small.txt").string(),
                             cache.string(), "main");
          install_into_cache("org/race", kCommit2, "big.bin", (dir.path() / "big.bin").string(), cache.string(), "v2");
        }
      } catch (...) {
        status = 1;
      }
      ::_exit(status);
    }
  }
  for (pid_t child : children) {
    int status = -1;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  const fs::path repo = cache / "models--org--race";
  size_t blobs = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(repo / "blobs")) ++blobs;
  CHECK(blobs == 2);
  CHECK(files_named(cache, ".incomplete").empty());
  CHECK(files_named(cache, ".tmp").empty());
  CHECK(files_named(cache, ".link").empty());
  CHECK(dangling_links(cache).empty());
  CHECK(sha256_file((repo / "snapshots" / kCommit2 / "big.bin").string()) ==
        sha256_file((dir.path() / "big.bin").string()));
  CHECK(read_file(repo / "refs" / "main") == kCommit1);
  CHECK(read_file(repo / "refs" / "v2") == kCommit2);
}
