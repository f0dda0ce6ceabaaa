// Every call transformers' Python pipeline made on the tiny models in tests/fixtures/pipelines
// (scripts/make_pipeline_fixtures.py), replayed through ours: the same JSON shapes and labels,
// scores within 1e-4, and an error wherever Python raised one.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;
using nlohmann::json;

namespace {

const std::filesystem::path kFixtures = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "pipelines";

std::vector<json> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

// Same structure, same strings, numbers within tolerance.
void require_equal(const json& ours, const json& theirs, double tolerance, const std::string& where = "$") {
  INFO("at " << where << ": ours " << ours.dump().substr(0, 200) << " vs python " << theirs.dump().substr(0, 200));
  if (theirs.is_number()) {
    REQUIRE(ours.is_number());
    REQUIRE(std::fabs(ours.get<double>() - theirs.get<double>()) <= tolerance);
  } else if (theirs.is_array()) {
    REQUIRE(ours.is_array());
    REQUIRE(ours.size() == theirs.size());
    for (size_t i = 0; i < theirs.size(); ++i) require_equal(ours[i], theirs[i], tolerance, where + "[" + std::to_string(i) + "]");
  } else if (theirs.is_object()) {
    REQUIRE(ours.is_object());
    REQUIRE(ours.size() == theirs.size());
    for (auto& [key, value] : theirs.items()) {
      REQUIRE(ours.contains(key));
      require_equal(ours[key], value, tolerance, where + "." + key);
    }
  } else {
    REQUIRE(ours == theirs);
  }
}

void replay(const Pipeline& pipe, const std::filesystem::path& jsonl) {
  int calls = 0;
  for (const json& call : read_lines(jsonl)) {
    INFO("inputs " << call["inputs"].dump().substr(0, 120) << " kwargs " << call["kwargs"].dump());
    if (call.contains("error")) {
      CHECK_THROWS_AS(pipe(call["inputs"], call["kwargs"]), Error);
    } else {
      require_equal(pipe(call["inputs"], call["kwargs"]), call["output"], 1e-4);
    }
    ++calls;
  }
  CHECK(calls > 0);
}

}  // namespace

TEST_CASE("text-classification equals the Python pipeline", "[pipelines][python]") {
  for (const char* model : {"tiny-sentiment", "tiny-multilabel"}) {
    INFO(model);
    auto classify = pipeline("sentiment-analysis", (kFixtures / model).string());
    replay(*classify, kFixtures / model / "expected.jsonl");
  }
}

TEST_CASE("feature-extraction equals the Python pipeline", "[pipelines][python]") {
  auto extract = pipeline("feature-extraction", (kFixtures / "tiny-sentiment").string());
  replay(*extract, kFixtures / "tiny-sentiment" / "feature_extraction.jsonl");
}

TEST_CASE("token-classification equals the Python pipeline", "[pipelines][python]") {
  auto ner = pipeline("ner", (kFixtures / "tiny-ner").string());
  replay(*ner, kFixtures / "tiny-ner" / "expected.jsonl");
}

TEST_CASE("question-answering equals transformers 4.57's pipeline", "[pipelines][python]") {
  auto answer = pipeline("question-answering", (kFixtures / "tiny-qa").string());
  replay(*answer, kFixtures / "tiny-qa" / "expected.jsonl");
}

TEST_CASE("fill-mask equals the Python pipeline", "[pipelines][python]") {
  auto fill = pipeline("fill-mask", (kFixtures / "tiny-mlm").string());
  replay(*fill, kFixtures / "tiny-mlm" / "expected.jsonl");
}

TEST_CASE("zero-shot-classification equals the Python pipeline", "[pipelines][python]") {
  auto classify = pipeline("zero-shot-classification", (kFixtures / "tiny-nli").string());
  replay(*classify, kFixtures / "tiny-nli" / "expected.jsonl");
}
