// The call forms and helpers of the token, span, mask and NLI pipelines that the recorded Python
// calls do not reach directly.
#include "recorded_calls.hpp"
#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;
using nlohmann::json;
using recorded::kFixtures;

TEST_CASE("question-answering takes question= and context= keywords as Python does", "[pipelines]") {
  auto answer = pipeline("question-answering", (kFixtures / "tiny-qa").string());
  const json call = recorded::read_lines(kFixtures / "tiny-qa" / "expected.jsonl").at(0);
  const json& example = call["inputs"];
  recorded::require_equal((*answer)(nullptr, {{"question", example["question"]}, {"context", example["context"]}}),
                          call["output"], 1e-6);
  // several questions about one context: one answer each
  const json two = (*answer)(nullptr, {{"question", {example["question"], example["question"]}}, {"context", example["context"]}});
  REQUIRE(two.size() == 2);
  recorded::require_equal(two[1], call["output"], 1e-6);
  CHECK_THROWS_AS((*answer)(nullptr, {{"question", {"a", "b"}}, {"context", {"c"}}}), InvalidArgument);
}

TEST_CASE("zero-shot finds the entailment label in label2id and parses label strings", "[pipelines]") {
  auto classify = pipeline("zero-shot-classification", (kFixtures / "tiny-nli").string());
  CHECK(dynamic_cast<const ZeroShotClassificationPipeline&>(*classify).entailment_id() == 2);
  CHECK(parse_candidate_labels(" a, b ,,c ") == std::vector<std::string>{"a", "b", "c"});
  CHECK(parse_candidate_labels(json::array({" a", "b "})) == std::vector<std::string>{" a", "b "});
  CHECK(parse_candidate_labels(" , ").empty());
}

TEST_CASE("aggregation strategies are read in any case", "[pipelines]") {
  CHECK(parse_aggregation_strategy("FIRST") == AggregationStrategy::First);
  CHECK(parse_aggregation_strategy("Average") == AggregationStrategy::Average);
  CHECK_THROWS_AS(parse_aggregation_strategy("bogus"), InvalidArgument);
}
