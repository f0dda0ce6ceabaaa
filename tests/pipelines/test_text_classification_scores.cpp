// Text-classification postprocessing against values derived by hand.
#include <catch2/catch.hpp>

#include <cmath>

#include "transformers/pipelines/text_classification.hpp"

using namespace transformers;

namespace {
PretrainedConfig config_with(nlohmann::json extra) {
  nlohmann::json j = {{"model_type", "distilbert"}, {"id2label", {{"0", "NEGATIVE"}, {"1", "POSITIVE"}}}};
  if (extra.is_object()) j.update(extra);
  return PretrainedConfig::from_json(j);
}
}  // namespace

TEST_CASE("the default scoring function follows problem_type and num_labels", "[pipelines]") {
  CHECK(default_score_function(config_with({})) == ScoreFunction::Softmax);
  CHECK(default_score_function(config_with({{"problem_type", "multi_label_classification"}})) ==
        ScoreFunction::Sigmoid);
  CHECK(default_score_function(config_with({{"problem_type", "regression"}})) == ScoreFunction::None);
  CHECK(default_score_function(config_with({{"id2label", {{"0", "SCORE"}}}})) == ScoreFunction::Sigmoid);
  CHECK_THROWS_WITH(parse_score_function("tanh"), Catch::Contains("tanh"));
}

TEST_CASE("labels are scored and ranked", "[pipelines]") {
  const PretrainedConfig config = config_with({});
  // softmax([0, ln 3]) = [0.25, 0.75]
  auto ranked = score_labels({0.0f, std::log(3.0f)}, config, ScoreFunction::Default, std::nullopt);
  REQUIRE(ranked.size() == 2);
  CHECK(ranked[0].label == "POSITIVE");
  CHECK(ranked[0].score == Approx(0.75));
  CHECK(ranked[1].score == Approx(0.25));
  auto top1 = score_labels({2.0f, -1.0f}, config, ScoreFunction::Sigmoid, 1);
  REQUIRE(top1.size() == 1);
  CHECK(top1[0].label == "NEGATIVE");
  CHECK(top1[0].score == Approx(1.0 / (1.0 + std::exp(-2.0))));
  auto raw = score_labels({-3.5f, 1.25f}, config, ScoreFunction::None, std::nullopt);
  CHECK(raw[0].score == 1.25);
  // ties keep label order, as Python's stable sort
  auto tie = score_labels({1.0f, 1.0f}, config, ScoreFunction::Softmax, std::nullopt);
  CHECK(tie[0].label == "NEGATIVE");
}
