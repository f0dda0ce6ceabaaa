// The decoding loop beyond what the Python fixtures fix: seeded sampling, the cache protocol, max_time,
// streamers during generate, and the errors of contradictory or empty inputs.
#include <cmath>
#include <map>

#include "fake_model.hpp"
#include "fixtures.hpp"
#include "transformers/generation/generate.hpp"

using namespace transformers;
using generation_test::FakeCausalLM;
using generation_test::int_rows;
using generation_test::json;

namespace {

Tensor prompt(const std::vector<std::vector<int64_t>>& rows) { return generation_test::int_matrix(json(rows)); }

GenerationConfig config_of(const json& kwargs) {
  return GenerationConfig::from_json({{"bos_token_id", 1}, {"eos_token_id", 2}, {"pad_token_id", 0}}).updated(kwargs);
}

GenerateOutput run(const PreTrainedModel& model, const Tensor& ids, const json& kwargs,
                   std::optional<uint64_t> seed = {}) {
  GenerateOptions options;
  options.seed = seed;
  return generate(model, ids, config_of(kwargs), options);
}

}  // namespace

TEST_CASE("sampling: the same seed gives the same tokens, another seed others", "[generation][sample]") {
  const FakeCausalLM model(32);
  const Tensor ids = prompt({{5, 6, 7}});
  const json kwargs = {{"do_sample", true}, {"max_new_tokens", 12}, {"top_k", 0}, {"num_return_sequences", 3}};
  const auto first = int_rows(run(model, ids, kwargs, 42).sequences);
  CHECK(first.size() == 3);
  CHECK(int_rows(run(model, ids, kwargs, 42).sequences) == first);
  CHECK(int_rows(run(model, ids, kwargs, 43).sequences) != first);
  const json beam_sample = {{"do_sample", true}, {"num_beams", 3}, {"max_new_tokens", 6}, {"top_k", 0}};
  CHECK(int_rows(run(model, ids, beam_sample, 7).sequences) == int_rows(run(model, ids, beam_sample, 7).sequences));
}

TEST_CASE("sampling draws tokens with the processed probabilities", "[generation][sample]") {
  const FakeCausalLM model(16);
  const Tensor ids = prompt({{3, 9}});
  const int64_t draws = 6000;
  // The first token's probabilities, from the greedy run's scores (temperature 2 flattens them).
  const GenerateOutput probe = run(model, ids, {{"max_new_tokens", 1}, {"output_logits", true}});
  const std::vector<float> logits = probe.logits[0].to_vector<float>();
  std::vector<double> p(logits.size());
  double total = 0.0;
  for (size_t v = 0; v < p.size(); ++v) total += p[v] = std::exp(logits[v] / 2.0);
  for (double& x : p) x /= total;

  const GenerateOutput out = run(
      model, ids,
      {{"do_sample", true}, {"temperature", 2.0}, {"top_k", 0}, {"max_new_tokens", 1}, {"num_return_sequences", draws}},
      1234);
  std::vector<int64_t> counts(p.size(), 0);
  for (const auto& row : int_rows(out.sequences)) ++counts[static_cast<size_t>(row[2])];
  for (size_t v = 0; v < p.size(); ++v) {
    INFO("token " << v << ": p " << p[v] << ", drawn " << counts[v]);
    const double sigma = std::sqrt(p[v] * (1 - p[v]) / draws);
    CHECK(std::fabs(static_cast<double>(counts[v]) / draws - p[v]) <= 5 * sigma + 1e-3);
  }

  // top_k 3: only the three most likely tokens are ever drawn.
  const GenerateOutput top3 =
      run(model, ids, {{"do_sample", true}, {"top_k", 3}, {"max_new_tokens", 1}, {"num_return_sequences", 500}}, 99);
  std::vector<size_t> order(logits.size());
  for (size_t v = 0; v < order.size(); ++v) order[v] = v;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return logits[a] > logits[b]; });
  for (const auto& row : int_rows(top3.sequences))
    CHECK((row[2] == static_cast<int64_t>(order[0]) || row[2] == static_cast<int64_t>(order[1]) ||
           row[2] == static_cast<int64_t>(order[2])));
}

TEST_CASE("the prompt is fed once, then one token per row per step", "[generation][cache]") {
  const FakeCausalLM model(32);
  const GenerateOutput out =
      run(model, prompt({{0, 0, 5, 6}, {7, 8, 9, 10}}), {{"max_new_tokens", 6}, {"eos_token_id", 99}}, {});
  CHECK(out.sequences.size(1) == 10);
  CHECK(model.forward_calls == 6);
  CHECK(model.tokens_fed == 2 * 4 + 5 * 2);
}

TEST_CASE("a left-padded row generates what it generates alone", "[generation][padding]") {
  const FakeCausalLM model(32);
  GenerateOptions options;
  options.attention_mask = prompt({{0, 0, 0, 1, 1}, {1, 1, 1, 1, 1}});
  const json kwargs = {{"max_new_tokens", 8}, {"eos_token_id", 99}};
  const auto batch =
      int_rows(generate(model, prompt({{0, 0, 0, 11, 12}, {9, 8, 7, 6, 5}}), config_of(kwargs), options).sequences);
  const auto alone = int_rows(run(model, prompt({{11, 12}}), kwargs).sequences);
  CHECK(std::vector<int64_t>(batch[0].begin() + 3, batch[0].end()) == alone[0]);
  // Without a mask, pad tokens (pad 0, not an eos) are found as padding, as transformers does.
  CHECK(int_rows(run(model, prompt({{0, 0, 0, 11, 12}, {9, 8, 7, 6, 5}}), kwargs).sequences) == batch);
}

TEST_CASE("max_time stops after the step under way", "[generation][stopping]") {
  const FakeCausalLM model(32);
  const GenerateOutput out =
      run(model, prompt({{5, 6}}), {{"max_new_tokens", 50}, {"max_time", 0.0}, {"eos_token_id", 99}});
  CHECK(out.sequences.size(1) == 3);
}

TEST_CASE("robustness: zero new tokens, empty prompts, contradictory settings", "[generation][errors]") {
  const FakeCausalLM model(32);
  const Tensor ids = prompt({{5, 6, 7}});
  CHECK_THROWS_WITH(run(model, ids, {{"max_new_tokens", 0}}), "`max_new_tokens` must be greater than 0, but is 0.");
  CHECK_THROWS_WITH(run(model, ids, {{"do_sample", true}, {"top_p", -0.1}}),
                    "`top_p` has to be a float > 0 and < 1, but is -0.1");
  CHECK_NOTHROW(run(model, ids, {{"do_sample", true}, {"top_p", 0.0}, {"max_new_tokens", 2}}, 1));
  CHECK_THROWS_WITH(run(model, ids, {{"num_beams", 2}, {"num_return_sequences", 3}}),
                    "`num_return_sequences` (3) has to be smaller or equal to `num_beams` (2).");
  CHECK_THROWS_WITH(run(model, ids, {{"stop_strings", "ab"}}), Catch::Contains("could not locate a tokenizer"));
  CHECK_THROWS_AS(run(model, Tensor::from_vector(std::vector<float>{1.0f}, {1, 1}), {}), InvalidArgument);

  // An empty prompt starts from bos, as transformers' input_ids=None.
  const GenerateOutput from_bos = run(model, Tensor::zeros({2, 0}, DType::I64), {{"max_new_tokens", 3}});
  CHECK(int_rows(from_bos.sequences)[0] == int_rows(run(model, prompt({{1}}), {{"max_new_tokens", 3}}).sequences)[0]);
  CHECK(from_bos.sequences.size(0) == 2);
  CHECK_THROWS_WITH(generate(model, Tensor::zeros({1, 0}, DType::I64), GenerationConfig()),
                    "`bos_token_id` has to be defined when no `input_ids` are provided.");
}

TEST_CASE("a streamer sees the prompt and every token, and refuses beams", "[generation][streamer]") {
  const FakeCausalLM model(256);
  const auto tokenizer = AutoTokenizer::from_pretrained(generation_test::tokenizer_path("bpe-bytelevel"));
  for (bool skip_prompt : {false, true}) {
    std::string streamed;
    int ends = 0;
    TextStreamer streamer(tokenizer, skip_prompt, {}, [&](const std::string& text, bool end) {
      streamed += text;
      ends += end;
    });
    GenerateOptions options;
    options.streamer = &streamer;
    const GenerateOutput out = generate(model, prompt({{70, 71, 72}}), config_of({{"max_new_tokens", 10}}), options);
    const std::vector<int64_t> all = out.sequences.to_vector<int64_t>();
    CHECK(streamed == tokenizer.decode(skip_prompt ? std::vector<int64_t>(all.begin() + 3, all.end()) : all));
    CHECK(ends == 1);
  }
  TextStreamer streamer(tokenizer, false, {}, [](const std::string&, bool) {});
  GenerateOptions options;
  options.streamer = &streamer;
  CHECK_THROWS_WITH(generate(model, prompt({{70, 71}}), config_of({{"num_beams", 2}}), options),
                    "`streamer` cannot be used with beam search (yet!). Make sure that `num_beams` is set to 1.");
}

TEST_CASE("an eos list ends each row at its first eos; finished rows receive pad", "[generation][stopping]") {
  const FakeCausalLM model(32);
  const auto free =
      int_rows(run(model, prompt({{5, 6, 7, 8}}), {{"max_new_tokens", 10}, {"eos_token_id", 99}}).sequences)[0];
  // free: 5 6 7 8 31 29 20 3 10 ... ; stopping at 20 or 3 ends after 20.
  const auto stopped = int_rows(
      run(model, prompt({{5, 6, 7, 8}, {5, 6, 7, 8}}), {{"max_new_tokens", 10}, {"eos_token_id", {3, free[6]}}})
          .sequences);
  CHECK(stopped[0] == std::vector<int64_t>(free.begin(), free.begin() + 7));
}
