// generate() on FakeCausalLM against transformers' generate on the same model in Python
// (tests/fixtures/generation/generate.json): greedy and beam search sequences, scores, logits,
// sequences_scores and beam indices.
#include "fake_model.hpp"
#include "fixtures.hpp"
#include "transformers/generation/generate.hpp"

using namespace transformers;
using generation_test::json;

namespace {

GenerateOutput run_case(const json& c, const generation_test::FakeCausalLM& model) {
  const GenerationConfig config = GenerationConfig::from_json(c["generation_config"]).updated(c["kwargs"]);
  GenerateOptions options;
  if (c["prompt"].contains("attention_mask"))
    options.attention_mask = generation_test::int_matrix(c["prompt"]["attention_mask"]);
  std::optional<PreTrainedTokenizerFast> tokenizer;
  if (c.contains("tokenizer")) {
    tokenizer = AutoTokenizer::from_pretrained(generation_test::tokenizer_path(c["tokenizer"]));
    options.tokenizer = &*tokenizer;
  }
  return generate(model, generation_test::int_matrix(c["prompt"]["input_ids"]), config, options);
}

void check_steps(const std::vector<Tensor>& actual, const json& expected, const char* what) {
  REQUIRE(actual.size() == expected.size());
  for (size_t step = 0; step < actual.size(); ++step) {
    INFO(what << " of step " << step);
    CHECK(generation_test::float_difference(actual[step], expected[step]) <= 1e-5);
  }
}

}  // namespace

TEST_CASE("generate gives transformers' sequences and scores on the fake decoder", "[generation][generate]") {
  const json cases = generation_test::load_fixture("generate.json");
  REQUIRE(cases.size() >= 20);
  for (const json& c : cases) {
    INFO(c["name"].get<std::string>() << ": " << c["kwargs"].dump());
    const generation_test::FakeCausalLM model(c["vocab_size"]);
    const GenerateOutput out = run_case(c, model);
    CHECK(generation_test::int_rows(out.sequences) == c["sequences"].get<std::vector<std::vector<int64_t>>>());
    if (c.contains("scores")) check_steps(out.scores, c["scores"], "scores");
    if (c.contains("logits")) check_steps(out.logits, c["logits"], "logits");
    if (c.contains("sequences_scores"))
      CHECK(generation_test::float_difference(out.sequences_scores, c["sequences_scores"]) <= 1e-5);
    if (c.contains("beam_indices"))
      CHECK(generation_test::int_rows(out.beam_indices) == c["beam_indices"].get<std::vector<std::vector<int64_t>>>());
  }
}

TEST_CASE("the same calls with a sliding-window cache and without a cache give the same tokens",
          "[generation][generate][cache]") {
  const json cases = generation_test::load_fixture("generate.json");
  for (const json& c : cases) {
    INFO(c["name"].get<std::string>());
    const generation_test::FakeCausalLM sliding(c["vocab_size"], /*sliding_window=*/7);
    const generation_test::FakeCausalLM no_cache(c["vocab_size"], 0, /*has_cache=*/false);
    const auto expected = c["sequences"].get<std::vector<std::vector<int64_t>>>();
    CHECK(generation_test::int_rows(run_case(c, sliding).sequences) == expected);
    CHECK(generation_test::int_rows(run_case(c, no_cache).sequences) == expected);
  }
}
