// generate() on every real decoder architecture (the tiny transformers checkpoints of
// tests/fixtures/models/decoders): greedy search from a left-padded batch gives transformers' 64
// tokens (Phi-3's cache recomputation included), and beam search and seeded sampling run through
// each family's cache and masks.
#include <catch2/catch.hpp>

#include "models/decoder_fixtures.hpp"
#include "transformers/generation/generate.hpp"

using namespace transformers;

TEST_CASE("generate() gives transformers' greedy tokens on every decoder family", "[generation][decoders]") {
  int checked = 0;
  for (const auto& folder : decoder_fixtures::cases(false)) {
    INFO(decoder_fixtures::name(folder));
    const decoder_fixtures::Fixture f(folder);
    if (f.want("forced_at").numel() > 0) continue;  // a step too close to call: test_decoders teacher-forces it
    const auto model = AutoModelForCausalLM::from_pretrained(folder.string());
    const Tensor prompt = f.input("input_ids"), generated = f.want("generated");
    GenerationConfig config = GenerationConfig::from_pretrained(folder.string())
                                  .updated({{"do_sample", false},
                                            {"max_new_tokens", generated.size(1)},
                                            {"min_new_tokens", generated.size(1)},
                                            {"eos_token_id", nullptr},
                                            {"pad_token_id", 0}});
    GenerateOptions options;
    options.attention_mask = f.input("attention_mask");
    const GenerateOutput out = generate(*model, prompt, config, options);
    REQUIRE(out.sequences.size(1) == prompt.size(1) + generated.size(1));
    CHECK(out.sequences.narrow(1, prompt.size(1), generated.size(1)).contiguous().to_vector<int64_t>() ==
          generated.to_vector<int64_t>());
    // Beam search and seeded sampling go through the same cache and masks without error, and the
    // sampled tokens repeat with the seed.
    const GenerationConfig beams = config.updated({{"num_beams", 3}, {"max_new_tokens", 6}, {"min_new_tokens", 6}});
    CHECK(generate(*model, prompt, beams, options).sequences.size(0) == prompt.size(0));
    const GenerationConfig sampling = config.updated({{"do_sample", true}, {"max_new_tokens", 8}, {"min_new_tokens", 8}});
    options.seed = 7;
    CHECK(generate(*model, prompt, sampling, options).sequences.to_vector<int64_t>() ==
          generate(*model, prompt, sampling, options).sequences.to_vector<int64_t>());
    ++checked;
  }
  CHECK(checked >= 12);
}
