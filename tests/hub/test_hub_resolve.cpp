// Resolution of repo ids, revisions and files in the cache huggingface_hub wrote.
#include <catch2/catch.hpp>

#include "hub_test_support.hpp"
#include "transformers/hub/hub.hpp"

using namespace transformers::hub;
using namespace hub_test;

namespace {

HubOptions at(const std::optional<std::string>& revision, const std::string& cache = fixture_cache().string()) {
  HubOptions options;
  options.cache_dir = cache;
  options.revision = revision;
  return options;
}

std::string snapshot(const char* commit, const std::string& file) {
  return (fixture_cache() / "models--hf-internal-testing--tiny-cache" / "snapshots" / commit / file).string();
}

}  // namespace

TEST_CASE("hub_file resolves branches, tags, PR refs, full and short shas", "[hub][resolve]") {
  EnvGuard env;
  CHECK(hub_file(kTiny, "config.json", at(std::nullopt)) == snapshot(kCommitB, "config.json"));
  CHECK(hub_file(kTiny, "config.json", at("main")) == snapshot(kCommitB, "config.json"));
  CHECK(hub_file(kTiny, "config.json", at("v1.0")) == snapshot(kCommitA, "config.json"));
  CHECK(hub_file(kTiny, "config.json", at("refs/pr/1")) == snapshot(kCommitC, "config.json"));
  CHECK(hub_file(kTiny, "config.json", at(kCommitC)) == snapshot(kCommitC, "config.json"));
  CHECK(hub_file(kTiny, "config.json", at("ABCDEF19CD660D76151A81DEC334F5E1188E95EF")) ==
        snapshot(kCommitC, "config.json"));
  CHECK(hub_file(kTiny, "config.json", at("299af23")) == snapshot(kCommitB, "config.json"));
  CHECK(hub_file(kTiny, "config.json", at("abcdef12")) == snapshot(kCommitA, "config.json"));
  CHECK(read_file(hub_file(kTiny, "config.json", at("v1.0"))) == "{\"model_type\": \"bert\", \"hidden_size\": 32}\n");
  CHECK(read_file(hub_file(kTiny, "config.json", at("main"))) == "{\"model_type\": \"bert\", \"hidden_size\": 64}\n");
  CHECK(cached_commit(kTiny, "v1.0", fixture_cache().string()) == std::optional<std::string>(kCommitA));
  CHECK(cached_commit(kTiny, "no-such-branch", fixture_cache().string()) == std::nullopt);
  CHECK(cached_commit(kTiny, "1234567", fixture_cache().string()) == std::nullopt);
}

TEST_CASE("an ambiguous short sha lists the candidates", "[hub][resolve]") {
  EnvGuard env;
  try {
    hub_file(kTiny, "config.json", at("abcdef1"));
    FAIL("expected AmbiguousRevision");
  } catch (const AmbiguousRevision& e) {
    const std::string message = e.what();
    CHECK_THAT(message, Catch::Contains(kCommitA) && Catch::Contains(kCommitC) && Catch::Contains("abcdef1") &&
                            Catch::Contains(kTiny));
    CHECK(e.revision() == "abcdef1");
  }
  // Too short to be a sha: an unknown revision, not a prefix search.
  env.set("HF_HUB_OFFLINE", "1");
  CHECK_THROWS_AS(hub_file(kTiny, "config.json", at("abcdef")), OfflineModeNoCache);
}

TEST_CASE("nested filenames resolve through multi-level relative links", "[hub][resolve]") {
  EnvGuard env;
  const std::string nested = hub_file(kTiny, "deep/er/nested.txt", at("main"));
  CHECK(nested == snapshot(kCommitB, "deep/er/nested.txt"));
  CHECK(fs::is_symlink(nested));
  CHECK(fs::read_symlink(nested).string().rfind("../../../../blobs/", 0) == 0);
  CHECK(read_file(nested) == "three levels down\n");
  CHECK(read_file(hub_file(kTiny, "onnx/model.onnx", at("v1.0"))) ==
        "not really onnx: a small LFS-tracked text file\n");
  CHECK(hub_file("some-org/tiny-data", "data/train.csv",
                 [] {
                   HubOptions o = at(std::nullopt);
                   o.repo_type = "dataset";
                   return o;
                 }()) ==
        (fixture_cache() /
         "datasets--some-org--tiny-data/snapshots/96e70ae10f0d5667ce13147465455d1fa039e42b/data/train.csv")
            .string());
  CHECK_THROWS_AS(hub_file(kTiny, "../refs/main", at("main")), transformers::InvalidArgument);
  CHECK_THROWS_AS(hub_file(kTiny, "/etc/passwd", at("main")), transformers::InvalidArgument);
  CHECK_THROWS_AS(hub_file(kTiny, "config.json", at("../main")), RevisionNotFound);
}

TEST_CASE(".no_exist markers mean the file is known not to exist", "[hub][resolve]") {
  EnvGuard env;
  for (bool offline : {false, true}) {
    if (offline) env.set("HF_HUB_OFFLINE", "1");
    try {
      hub_file(kTiny, "generation_config.json", at("main"));
      FAIL("expected EntryNotFound");
    } catch (const EntryNotFound& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("generation_config.json") && Catch::Contains(kTiny) &&
                                            Catch::Contains("main") && Catch::Contains("does not exist"));
      CHECK(e.filename() == "generation_config.json");
    }
    CHECK_THROWS_AS(hub_file(kTiny, "onnx/model_quantized.onnx", at(kCommitB)), EntryNotFound);
    CHECK(try_hub_file(kTiny, "generation_config.json", at("main")) == std::nullopt);
  }
  // The marker is per commit: at v1.0 it is merely not cached.
  CHECK_THROWS_AS(hub_file(kTiny, "generation_config.json", at("v1.0")), OfflineModeNoCache);
}

TEST_CASE("files missing from the cache: offline and no-download errors name repo, revision and file",
          "[hub][resolve]") {
  EnvGuard env;
  SECTION("online but the Hub can't be reached (EnvGuard points HF_ENDPOINT at a closed port)") {
    try {
      hub_file(kTiny, "model.safetensors", at("v1.0"));
      FAIL("expected HubUnreachable");
    } catch (const HubUnreachable& e) {
      const std::string message = e.what();
      CHECK_THAT(message, Catch::Contains("model.safetensors") && Catch::Contains(kTiny) && Catch::Contains("v1.0") &&
                              Catch::Contains("could not download") && Catch::Contains("Check your connection") &&
                              Catch::Contains("hf download"));
      CHECK(e.repo_id() == kTiny);
      CHECK(e.revision() == "v1.0");
    }
    CHECK_THROWS_AS(hub_file("nobody/nothing", "config.json", at(std::nullopt)), HubUnreachable);
    CHECK_THROWS_AS(hub_file(kTiny, "config.json", at("dev")), HubUnreachable);
  }
  SECTION("HF_HUB_OFFLINE=1") {
    env.set("HF_HUB_OFFLINE", "1");
    try {
      hub_file("nobody/nothing", "config.json", at("main"));
      FAIL("expected OfflineModeNoCache");
    } catch (const OfflineModeNoCache& e) {
      const std::string message = e.what();
      CHECK_THAT(message, Catch::Contains("nobody/nothing") && Catch::Contains("config.json") &&
                              Catch::Contains("main") && Catch::Contains("offline") &&
                              Catch::Contains("HF_HUB_OFFLINE"));
    }
  }
  SECTION("TRANSFORMERS_OFFLINE=1 and local_files_only behave the same") {
    env.set("TRANSFORMERS_OFFLINE", "1");
    CHECK_THROWS_AS(hub_file(kTiny, "missing.bin", at("main")), OfflineModeNoCache);
    env.unset("TRANSFORMERS_OFFLINE");
    HubOptions options = at("main");
    options.local_files_only = true;
    try {
      hub_file(kTiny, "missing.bin", options);
      FAIL("expected OfflineModeNoCache");
    } catch (const OfflineModeNoCache& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("local_files_only"));
    }
  }
  SECTION("every one is a LocalEntryNotFound, a HubError and a FileError") {
    CHECK_THROWS_AS(hub_file(kTiny, "missing.bin", at("main")), LocalEntryNotFound);
    CHECK_THROWS_AS(hub_file(kTiny, "missing.bin", at("main")), HubError);
    CHECK_THROWS_AS(hub_file(kTiny, "missing.bin", at("main")), transformers::FileError);
    CHECK(try_hub_file(kTiny, "missing.bin", at("main")) == std::nullopt);
  }
  SECTION("force_download can't be served from the cache") {
    HubOptions options = at("main");
    options.force_download = true;
    CHECK_THROWS_AS(hub_file(kTiny, "config.json", options), HubUnreachable);
    options.local_files_only = true;
    CHECK_THROWS_AS(hub_file(kTiny, "config.json", options), transformers::InvalidArgument);
  }
}

TEST_CASE("the default cache comes from the environment", "[hub][resolve]") {
  EnvGuard env;
  env.set("HF_HUB_CACHE", fixture_cache().string());
  HubOptions options;
  CHECK(
      hub_file("solo-model", "config.json", options) ==
      (fixture_cache() / "models--solo-model/snapshots/d5096a69edb501d29dd28a9ace747ff6fcc3cd39/config.json").string());
  CHECK(resolve_model_path("solo-model") ==
        (fixture_cache() / "models--solo-model/snapshots/d5096a69edb501d29dd28a9ace747ff6fcc3cd39").string());
}

TEST_CASE("resolve_model_path: local folders pass through, ids become snapshot folders", "[hub][resolve]") {
  EnvGuard env;
  TempDir dir("local");
  CHECK(resolve_model_path(dir.str()) == dir.str());
  CHECK(resolve_model_path(fixture_dir().string()) == fixture_dir().string());
  CHECK(resolve_model_path(kTiny, at("v1.0")) ==
        (fixture_cache() / "models--hf-internal-testing--tiny-cache/snapshots" / kCommitA).string());
  CHECK(resolve_model_path(kTiny, at(std::nullopt)) ==
        (fixture_cache() / "models--hf-internal-testing--tiny-cache/snapshots" / kCommitB).string());
  try {
    resolve_model_path("./no/such/folder", at(std::nullopt));
    FAIL("expected RepositoryNotFound");
  } catch (const RepositoryNotFound& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("./no/such/folder") && Catch::Contains("not a local folder"));
  }
  env.set("HF_HUB_OFFLINE", "1");
  CHECK_THROWS_AS(resolve_model_path("nobody/nothing", at(std::nullopt)), OfflineModeNoCache);
  CHECK_THROWS_AS(resolve_model_path(kTiny, at("dev")), OfflineModeNoCache);
}

TEST_CASE("refs with a trailing newline are tolerated; broken links and bad refs are cache errors", "[hub][resolve]") {
  EnvGuard env;
  TempDir dir("damaged");
  copy_fixture_cache(dir.path());
  const fs::path repo = dir.path() / "models--hf-internal-testing--tiny-cache";
  write_file(repo / "refs" / "newline", std::string(kCommitA) + "\n");
  CHECK(hub_file(kTiny, "config.json", at("newline", dir.str())) ==
        (repo / "snapshots" / kCommitA / "config.json").string());

  write_file(repo / "refs" / "garbage", "not a sha");
  CHECK_THROWS_AS(hub_file(kTiny, "config.json", at("garbage", dir.str())), CacheError);

  fs::remove(repo / "blobs" / fs::read_symlink(repo / "snapshots" / kCommitC / "config.json").filename());
  try {
    hub_file(kTiny, "config.json", at("refs/pr/1", dir.str()));
    FAIL("expected CacheError");
  } catch (const CacheError& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("broken") || Catch::Contains("missing blob"));
  }
}
