// pipeline(): task names, aliases and errors; the end-to-end runs against the Python pipeline
// live in test_pipelines_vs_python.cpp.
#include <catch2/catch.hpp>

#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;

TEST_CASE("tasks and aliases resolve as in transformers", "[pipelines]") {
  CHECK(find_task("sentiment-analysis").task == "text-classification");
  CHECK(find_task("text-classification").model == "distilbert/distilbert-base-uncased-finetuned-sst-2-english");
  CHECK_THROWS_WITH(find_task("summarisation"),
                    Catch::Contains("summarisation") && Catch::Contains("feature-extraction"));
}

TEST_CASE("a missing default model says what to do", "[pipelines]") {
  setenv("HF_HUB_CACHE", "/nonexistent-transformers-cache", 1);
  setenv("HF_HUB_OFFLINE", "1", 1);  // never download the default model from huggingface.co
  CHECK_THROWS_WITH(pipeline("sentiment-analysis"), Catch::Contains("distilbert-base-uncased-finetuned-sst-2-english"));
  unsetenv("HF_HUB_CACHE");
  unsetenv("HF_HUB_OFFLINE");
}

TEST_CASE("a pipeline called without kwargs uses the defaults", "[pipelines]") {
  // The kwargs default is an empty object: a null json would make every kwargs lookup throw.
  const std::string fixtures = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/";
  auto classify = pipeline("sentiment-analysis", fixtures + "tiny-sentiment");
  CHECK((*classify)("I loved it") == (*classify)("I loved it", nlohmann::json::object()));
  auto ner = pipeline("ner", fixtures + "tiny-ner");
  CHECK((*ner)("John lives in Berlin") == (*ner)("John lives in Berlin", nlohmann::json::object()));
}
