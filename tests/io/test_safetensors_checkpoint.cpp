// Checkpoint::open over a single file, an index with its shards, and a model folder.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/safetensors_test_support.hpp"
#include "transformers/io/safetensors.hpp"

namespace {

using namespace safetensors_test;
using transformers::FileError;
using transformers::Tensor;
namespace st = transformers::safetensors;

const char* kShard1 = "model-00001-of-00002.safetensors";
const char* kShard2 = "model-00002-of-00002.safetensors";

Tensor values(std::vector<float> data) {
  const auto count = static_cast<int64_t>(data.size());
  return Tensor::from_vector<float>(data, {count});
}

// Two shards: "a" and "b" in the first, "c" in the second, and the index that says so.
void write_sharded_checkpoint(const TempDir& dir, const std::string& weight_map) {
  st::save(dir.file(kShard1), {{"a", values({1, 2})}, {"b", values({3})}});
  st::save(dir.file(kShard2), {{"c", values({4, 5, 6})}});
  write_file(dir.file("model.safetensors.index.json"),
             R"({"metadata": {"total_size": 24}, "weight_map": )" + weight_map + "}");
}

const std::string kWeightMap =
    std::string(R"({"a": ")") + kShard1 + R"(", "b": ")" + kShard1 + R"(", "c": ")" + kShard2 + R"("})";

std::string open_error(const std::string& path) {
  try {
    st::Checkpoint::open(path);
  } catch (const FileError& error) {
    return error.what();
  }
  return "no error";
}

bool contains_all(const std::string& message, const std::vector<std::string>& fragments) {
  for (const std::string& fragment : fragments)
    if (message.find(fragment) == std::string::npos) return false;
  return true;
}

}  // namespace

TEST_CASE("safetensors: a sharded checkpoint opens through its index or its folder", "[io][safetensors][checkpoint]") {
  TempDir dir;
  write_sharded_checkpoint(dir, kWeightMap);
  for (const std::string& path : {dir.file("model.safetensors.index.json"), dir.path().string()}) {
    INFO("opened as " << path);
    const st::Checkpoint checkpoint = st::Checkpoint::open(path);
    CHECK(checkpoint.path() == path);
    CHECK(checkpoint.names() == std::vector<std::string>{"a", "b", "c"});
    CHECK(checkpoint.files().size() == 2);  // each shard once, though it holds several tensors
    CHECK(checkpoint.contains("c"));
    CHECK_FALSE(checkpoint.contains("d"));
    CHECK(checkpoint.get("a").to_vector<float>() == std::vector<float>{1, 2});
    CHECK(checkpoint.get("c").to_vector<float>() == std::vector<float>{4, 5, 6});
    CHECK(checkpoint.info("c").dtype == "F32");
    CHECK_FALSE(checkpoint.get("b").storage()->owns_memory());
  }
}

TEST_CASE("safetensors: a folder prefers model.safetensors to the index", "[io][safetensors][checkpoint]") {
  TempDir dir;
  write_sharded_checkpoint(dir, kWeightMap);
  st::save(dir.file("model.safetensors"), {{"single", values({9})}});
  const st::Checkpoint checkpoint = st::Checkpoint::open(dir.path().string());
  CHECK(checkpoint.names() == std::vector<std::string>{"single"});
  CHECK(checkpoint.files().size() == 1);
  CHECK(checkpoint.files()[0]->path() == dir.file("model.safetensors"));
}

TEST_CASE("safetensors: a single file is a checkpoint", "[io][safetensors][checkpoint]") {
  TempDir dir;
  const std::string path = dir.file("weights.safetensors");
  st::save(path, {{"w", values({1, 2, 3})}});
  const st::Checkpoint checkpoint = st::Checkpoint::open(path);
  CHECK(checkpoint.names() == std::vector<std::string>{"w"});
  CHECK(checkpoint.get("w").to_vector<float>() == std::vector<float>{1, 2, 3});
  try {
    checkpoint.get("missing");
    FAIL("got a missing tensor");
  } catch (const FileError& error) {
    CHECK(std::string(error.what()) == path + ": no tensor named 'missing' in this checkpoint");
  }
  CHECK_THROWS_AS(checkpoint.info("missing"), FileError);
}

TEST_CASE("safetensors: an index whose shards disagree with it is refused", "[io][safetensors][checkpoint]") {
  TempDir dir;
  const std::string index = dir.file("model.safetensors.index.json");

  SECTION("a shard is missing on disk") {
    write_sharded_checkpoint(dir, kWeightMap);
    REQUIRE(std::remove(dir.file(kShard2).c_str()) == 0);
    const std::string message = open_error(index);
    INFO(message);
    CHECK(message.rfind(index + ": ", 0) == 0);
    CHECK(
        contains_all(message, {"shard '" + std::string(kShard2) + "'", "tensor 'c'", "is missing", dir.file(kShard2)}));
  }
  SECTION("a listed tensor is not in its shard") {
    write_sharded_checkpoint(
        dir, std::string(R"({"a": ")") + kShard1 + R"(", "c": ")" + kShard2 + R"(", "d": ")" + kShard2 + R"("})");
    const std::string message = open_error(index);
    INFO(message);
    CHECK(message == index + ": tensor 'd' is listed in shard '" + kShard2 + "', but that file does not hold it");
  }
  SECTION("a tensor is in two shards") {
    write_sharded_checkpoint(dir, kWeightMap);
    st::save(dir.file(kShard2), {{"c", values({4, 5, 6})}, {"a", values({7})}});
    const std::string message = open_error(index);
    INFO(message);
    CHECK(message == index + ": tensor 'a' is in both " + dir.file(kShard1) + " and " + dir.file(kShard2));
  }
  SECTION("a shard name leaves the index's folder") {
    write_sharded_checkpoint(dir, R"({"a": "../elsewhere.safetensors"})");
    CHECK(contains_all(open_error(index),
                       {index + ": ", "tensor 'a'", "'../elsewhere.safetensors'", "only a relative path inside"}));
  }
  SECTION("no shard name that points outside the folder is followed, even to a real checkpoint there") {
    // A valid safetensors file beside the model folder and at an absolute path: reading it would succeed.
    const std::string outside =
        (std::filesystem::path(dir.path()).parent_path() / ("outside-" + std::to_string(::getpid()) + ".safetensors"))
            .string();
    st::save(outside, {{"a", values({9})}});
    const std::string name = std::filesystem::path(outside).filename().string();
    for (const std::string& shard :
         {"../" + name, outside, "sub/../../" + name, "./" + std::string(kShard1) + "/../../" + name, "..\\" + name,
          "%2e%2e/" + name, "..%2F" + name, std::string(kShard1) + "/"}) {
      INFO(shard);
      write_sharded_checkpoint(dir, nlohmann::json{{"a", shard}, {"b", kShard1}, {"c", kShard2}}.dump());
      CHECK(contains_all(open_error(index), {index + ": ", "tensor 'a'", "refused"}));
    }
    std::filesystem::remove(outside);
  }
  SECTION("a shard of a broken index entry is not a string") {
    write_sharded_checkpoint(dir, R"({"a": 1})");
    CHECK(open_error(index) == index + ": weight_map entry for tensor 'a' must be a shard file name, found 1");
  }
  SECTION("the index has no weight_map") {
    write_file(index, R"({"metadata": {}})");
    CHECK(open_error(index) == index + ": expected an object with \"weight_map\": {tensor name: shard file}");
  }
  SECTION("the index is not JSON") {
    write_file(index, R"({"weight_map": )");
    CHECK(open_error(index).rfind(index + ": not valid JSON: ", 0) == 0);
  }
  SECTION("a shard is malformed") {
    write_sharded_checkpoint(dir, kWeightMap);
    write_file(dir.file(kShard1), "tiny");
    CHECK(open_error(index).rfind(dir.file(kShard1) + ": file is 4 bytes, too small", 0) == 0);
  }
}

TEST_CASE("safetensors: a folder without weights, or no path at all, is refused", "[io][safetensors][checkpoint]") {
  TempDir dir;
  const std::string folder = dir.path().string();
  CHECK(open_error(folder) == folder + ": folder holds neither model.safetensors nor model.safetensors.index.json");
  const std::string nowhere = dir.file("nowhere");
  CHECK(open_error(nowhere) == nowhere + ": no such file or folder");
}
