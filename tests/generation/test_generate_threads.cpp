// generate() from several threads on one model object: each caller gets its own serial result.
#include <thread>

#include "fake_model.hpp"
#include "fixtures.hpp"
#include "transformers/generation/generate.hpp"

using namespace transformers;
using generation_test::json;

TEST_CASE("four threads generating on one model each get their serial result", "[generation][threads]") {
  const generation_test::FakeCausalLM model(32, /*sliding_window=*/7);
  const std::vector<json> calls = {
      {{"max_new_tokens", 12}},
      {{"num_beams", 3}, {"num_return_sequences", 2}, {"max_new_tokens", 8}},
      {{"do_sample", true}, {"top_k", 8}, {"temperature", 0.8}, {"max_new_tokens", 12}},
      {{"num_beams", 2}, {"max_new_tokens", 9}, {"repetition_penalty", 1.3}, {"use_cache", false}},
  };
  const std::vector<std::vector<int64_t>> prompts = {{5, 6, 7}, {9, 8, 7}, {3, 4, 5}, {11, 12, 13}};
  const auto run = [&](size_t i) {
    GenerationConfig config =
        GenerationConfig::from_json({{"bos_token_id", 1}, {"eos_token_id", 2}, {"pad_token_id", 0}}).updated(calls[i]);
    GenerateOptions options;
    options.seed = 1000 + i;
    const Tensor ids = Tensor::from_vector(prompts[i], {1, static_cast<int64_t>(prompts[i].size())});
    return generation_test::int_rows(generate(model, ids, config, options).sequences);
  };
  std::vector<std::vector<std::vector<int64_t>>> serial;
  for (size_t i = 0; i < calls.size(); ++i) serial.push_back(run(i));

  for (int round = 0; round < 3; ++round) {
    std::vector<std::vector<std::vector<int64_t>>> parallel(calls.size());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < calls.size(); ++i) threads.emplace_back([&, i] { parallel[i] = run(i); });
    for (std::thread& t : threads) t.join();
    CHECK(parallel == serial);
  }
}
