// The call forms, helpers and error messages of the token, span, mask and NLI pipelines that the
// recorded Python calls do not reach directly.
#include <algorithm>

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
  const json two =
      (*answer)(nullptr, {{"question", {example["question"], example["question"]}}, {"context", example["context"]}});
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

TEST_CASE("token-classification labels pre-tokenized words (is_split_into_words)", "[pipelines]") {
  auto ner = pipeline("ner", (kFixtures / "tiny-ner").string());
  const json words = {"John", "Smith", "lives", "in", "New", "York"};
  const json kwargs = {{"is_split_into_words", true}, {"aggregation_strategy", "first"}};

  SECTION("one word list gives what a batch of one gives") {
    const json one = (*ner)(words, kwargs);
    REQUIRE(one.size() == 1);
    CHECK(one == (*ner)(json::array({words}), kwargs));
    CHECK((*ner)(json::array({json::array()}), kwargs) == json::array({json::array()}));
  }

  SECTION("start and end fall on word boundaries of the words joined by the delimiter") {
    json dashed = kwargs;
    dashed["delimiter"] = "--";
    const json entities = (*ner)(words, dashed).at(0);
    REQUIRE(!entities.empty());
    // "John--Smith--lives--in--New--York": with "first" every entity is made of whole words
    const std::vector<size_t> starts = {0, 6, 13, 20, 24, 29}, ends = {4, 11, 18, 22, 27, 33};
    for (const json& entity : entities) {
      INFO(entity.dump());
      CHECK(std::count(starts.begin(), starts.end(), entity["start"].get<size_t>()) == 1);
      CHECK(std::count(ends.begin(), ends.end(), entity["end"].get<size_t>()) == 1);
    }
  }

  SECTION("bad input is refused with InvalidArgument") {
    auto refused = [&](const json& inputs, const json& call_kwargs, const std::string& reason) {
      INFO(inputs.dump() << " " << call_kwargs.dump());
      try {
        (*ner)(inputs, call_kwargs);
        FAIL("accepted");
      } catch (const InvalidArgument& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains(reason));
      }
    };
    refused("John Smith", kwargs, "must be a list of words");
    refused(json::array(), kwargs, "at least one input is required");
    refused(json::array(), json::object(), "at least one input is required");
    refused(json::array({"John", 3}), kwargs, "every word must be a string, not 3");
    refused(json::array({json::array({"John"}), "Smith"}), kwargs, "every word must be a string");
    refused(words, {{"is_split_into_words", true}, {"delimiter", 3}}, "delimiter must be a string");
    refused(words, {{"is_split_into_words", "yes"}}, "is_split_into_words must be true or false");
    refused(json::array({json::array({"John"})}), json::object(), "lists of words need is_split_into_words=True");
  }
}
