// SharedBatch: generate() calls on several threads decoding in one continuous batch (rows joining
// with left padding, leaving, more calls than rows) give the logits each call gets alone.
#include <latch>
#include <thread>

#include "fixtures.hpp"
#include "src/generation/shared_batch.hpp"
#include "test_util.hpp"
#include "transformers/generation/generate.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;
using generation_test::json;

namespace {

struct Call {
  std::vector<int64_t> prompt;
  json kwargs;
};

GenerateOutput run(const PreTrainedModel& model, const Call& call, generation_detail::SharedBatch* batch) {
  const GenerationConfig config =
      GenerationConfig::from_json({{"bos_token_id", 0}, {"eos_token_id", 2}, {"pad_token_id", 1}})
          .updated(call.kwargs)
          .updated({{"output_logits", true}, {"return_dict_in_generate", true}});
  GenerateOptions options;
  options.seed = 77;
  const Tensor ids = Tensor::from_vector(call.prompt, {1, static_cast<int64_t>(call.prompt.size())});
  if (!batch) return generate(model, ids, config, options);
  return generation_detail::generate_stepped(model, ids, config, options,
                                             [batch](const auto&, bool, int64_t) { return batch->stepper(); });
}

// The smallest gap between the best and second-best logit over the steps.
double min_margin(const std::vector<Tensor>& logits) {
  double margin = 1e9;
  for (const Tensor& step : logits) {
    std::vector<float> row = step.to_vector<float>();
    std::partial_sort(row.begin(), row.begin() + 2, row.end(), std::greater<float>());
    margin = std::min(margin, static_cast<double>(row[0] - row[1]));
  }
  return margin;
}

}  // namespace

TEST_CASE("calls sharing a continuous batch get the logits they get alone", "[generation][threads]") {
  const auto model =
      AutoModelForCausalLM::from_pretrained(std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/tiny-llama-gen");
  REQUIRE(generation_detail::SharedBatch::supports(*model));
  std::vector<Call> calls;
  for (int i = 0; i < 7; ++i) {
    std::vector<int64_t> prompt;
    for (int t = 0; t < 2 + 5 * i; ++t) prompt.push_back(3 + (7 * t + 11 * i) % 90);
    json kwargs = {{"max_new_tokens", 6 + 7 * (i % 3)}, {"eos_token_id", nullptr}};
    if (i % 2) kwargs.update({{"do_sample", true}, {"temperature", 0.9}});
    calls.push_back({prompt, kwargs});
  }
  std::vector<GenerateOutput> alone;
  for (const Call& call : calls) alone.push_back(run(*model, call, nullptr));

  generation_detail::SharedBatch batch(*model, /*max_rows=*/4);  // fewer rows than calls: some wait
  std::vector<GenerateOutput> shared(calls.size());
  std::latch start(static_cast<std::ptrdiff_t>(calls.size()));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < calls.size(); ++i)
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      shared[i] = run(*model, calls[i], &batch);
    });
  for (std::thread& thread : threads) thread.join();

  const auto counts = batch.counts();
  INFO("steps " << counts.steps << ", rows stepped " << counts.stepped_rows);
  CHECK(counts.stepped_rows > counts.steps);  // some steps decoded several calls at once
  CHECK(counts.rows == 0);
  for (size_t i = 0; i < calls.size(); ++i) {
    INFO("call " << i << " " << calls[i].kwargs.dump());
    REQUIRE(shared[i].logits.size() == alone[i].logits.size());
    // The same tokens where no step was a near tie; logits compared while the tokens agree.
    if (min_margin(alone[i].logits) >= 1e-3 || calls[i].kwargs.contains("do_sample"))
      CHECK(generation_test::int_rows(shared[i].sequences) == generation_test::int_rows(alone[i].sequences));
    const auto ours = generation_test::int_rows(shared[i].sequences)[0],
               theirs = generation_test::int_rows(alone[i].sequences)[0];
    for (size_t step = 0; step < alone[i].logits.size(); ++step) {
      REQUIRE_CLOSE(shared[i].logits[step], alone[i].logits[step], 1e-4);
      if (ours[calls[i].prompt.size() + step] != theirs[calls[i].prompt.size() + step]) break;
    }
  }
}
