// scan_cache against huggingface_hub's scan_cache_dir of the same tree, and delete_cached_revision.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "hub_test_support.hpp"
#include "transformers/hub/hub.hpp"

using namespace transformers::hub;
using namespace hub_test;

namespace {

// The same JSON shape scripts/make_hub_fixtures.py writes from scan_cache_dir().
nlohmann::json scan_as_json(const std::vector<CachedRepo>& repos) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& repo : repos) {
    nlohmann::json revisions = nlohmann::json::array();
    for (const auto& revision : repo.revisions) {
      nlohmann::json files = nlohmann::json::array();
      for (const auto& file : revision.files) {
        const fs::path blob(file.blob_path);
        std::string relative = blob.lexically_relative(repo.path).generic_string();
        files.push_back({{"name", file.name},
                         {"blob", relative.rfind("..", 0) == 0 ? file.blob_path : relative},
                         {"size_on_disk", file.size_on_disk}});
      }
      revisions.push_back({{"commit", revision.commit},
                           {"refs", revision.refs},
                           {"size_on_disk", revision.size_on_disk},
                           {"nb_files", revision.files.size()},
                           {"files", files}});
    }
    out.push_back({{"repo_id", repo.repo_id},
                   {"repo_type", repo.repo_type},
                   {"size_on_disk", repo.size_on_disk},
                   {"nb_files", repo.nb_files},
                   {"revisions", revisions}});
  }
  return out;
}

const CachedRepo& find_repo(const std::vector<CachedRepo>& repos, const std::string& id) {
  for (const auto& repo : repos) {
    if (repo.repo_id == id) return repo;
  }
  FAIL("repo " << id << " not found");
  throw;
}

}  // namespace

TEST_CASE("scan_cache reads the fixture tree exactly as huggingface_hub's scan_cache_dir", "[hub][scan]") {
  std::vector<std::string> warnings;
  const auto repos = scan_cache(fixture_cache().string(), &warnings);
  CHECK(warnings.empty());
  const auto expected = nlohmann::json::parse(read_file(fixture_dir() / "expected_scan.json"));
  CHECK(scan_as_json(repos).dump(1) == expected.at("repos").dump(1));

  const CachedRepo& tiny = find_repo(repos, kTiny);
  CHECK(tiny.repo_type == "model");
  CHECK(tiny.revisions.size() == 3);
  CHECK(tiny.nb_files == 6);  // shared tokenizer.json and onnx/model.onnx counted once
  uint64_t sum_of_revisions = 0;
  for (const auto& revision : tiny.revisions) sum_of_revisions += revision.size_on_disk;
  CHECK(tiny.size_on_disk < sum_of_revisions);
  CHECK(tiny.revisions[0].commit == kCommitB);
  CHECK(tiny.revisions[0].refs == std::vector<std::string>{"main"});
  CHECK(tiny.revisions[1].refs == std::vector<std::string>{"v1.0"});
  CHECK(tiny.revisions[2].refs == std::vector<std::string>{"refs/pr/1"});
  CHECK(find_repo(repos, "some-org/tiny-data").repo_type == "dataset");
}

TEST_CASE("scan_cache reports damaged repos as warnings and skips them", "[hub][scan]") {
  TempDir dir("scan_damaged");
  copy_fixture_cache(dir.path());
  fs::create_directories(dir.path() / "models--no-snapshots");
  write_file(dir.path() / "not-a-repo.txt", "x");
  write_file(dir.path() / "models--solo-model" / "refs" / "dangling", "0123456789012345678901234567890123456789");
  std::vector<std::string> warnings;
  const auto repos = scan_cache(dir.str(), &warnings);
  CHECK(repos.size() == 1 + 1);  // tiny-cache and tiny-data
  CHECK(warnings.size() == 3);
  CHECK_THROWS_AS(scan_cache((dir.path() / "nope").string()), CacheError);
}

TEST_CASE("deleting a revision keeps shared blobs and leaves no dangling link", "[hub][scan][delete]") {
  EnvGuard env;
  TempDir dir("delete");
  copy_fixture_cache(dir.path());
  const fs::path repo = dir.path() / "models--hf-internal-testing--tiny-cache";
  const auto before = find_repo(scan_cache(dir.str()), kTiny);

  delete_cached_revision(kTiny, "v1.0", dir.str());  // by tag
  CHECK(dangling_links(dir.path()).empty());
  CHECK_FALSE(fs::exists(repo / "snapshots" / kCommitA));
  CHECK_FALSE(fs::exists(repo / "refs" / "v1.0"));
  CHECK(fs::exists(repo / "refs" / "main"));
  auto after = find_repo(scan_cache(dir.str()), kTiny);
  CHECK(after.revisions.size() == 2);
  CHECK(after.nb_files == before.nb_files - 1);  // only A's config.json blob was A's alone
  // Shared blobs still serve main.
  HubOptions options;
  options.cache_dir = dir.str();
  CHECK(read_file(hub_file(kTiny, "tokenizer.json", options)).find("WordLevel") != std::string::npos);
  CHECK(read_file(hub_file(kTiny, "onnx/model.onnx", options)).find("LFS") != std::string::npos);

  delete_cached_revision(kTiny, "299af23", dir.str());  // by short sha: main's ref goes too
  CHECK(dangling_links(dir.path()).empty());
  CHECK_FALSE(fs::exists(repo / "refs" / "main"));
  CHECK_FALSE(fs::exists(repo / ".no_exist" / kCommitB));
  after = find_repo(scan_cache(dir.str()), kTiny);
  CHECK(after.revisions.size() == 1);
  CHECK(after.nb_files == 1);
  size_t blob_count = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(repo / "blobs")) ++blob_count;
  CHECK(blob_count == 1);

  CHECK_THROWS_AS(delete_cached_revision(kTiny, "v1.0", dir.str()), RevisionNotFound);
  delete_cached_revision(kTiny, kCommitC, dir.str());  // the last one: the whole repo folder goes
  CHECK_FALSE(fs::exists(repo));
  CHECK(dangling_links(dir.path()).empty());
  CHECK(scan_cache(dir.str()).size() == 2);
  CHECK_THROWS_AS(delete_cached_revision(kTiny, kCommitC, dir.str()), RevisionNotFound);
}
