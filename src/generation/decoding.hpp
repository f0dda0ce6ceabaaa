#pragma once
// The decoding loops generate() dispatches to (transformers' _sample and _beam_search), and the
// seeded random draws of sampling.
#include <cstdint>
#include <random>
#include <vector>

#include "model_stepper.hpp"
#include "transformers/generation/generate.hpp"

namespace transformers::generation_detail {

// What a loop runs with, prepared by generate().
struct Decoding {
  const GenerationConfig& config;  // prepared (GenerationConfig::prepared_for)
  const LogitsProcessorList& processors;
  const StoppingCriteriaList& criteria;
  BaseStreamer* streamer;
  uint64_t seed;
};

// Draws from softmax(scores) with a 64-bit Mersenne Twister: the same seed, the same draws, on
// every platform (no std:: distribution, whose algorithms the standard leaves open).
class TokenSampler {
 public:
  explicit TokenSampler(uint64_t seed) : engine_(seed) {}
  // One index of a row of scores, with probability softmax(scores).
  int64_t sample(const float* scores, int64_t n);
  // `count` distinct indices, drawn one after another without replacement (torch.multinomial with
  // replacement=False).
  std::vector<int64_t> sample_without_replacement(const float* scores, int64_t n, int64_t count);

 private:
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  int64_t draw(const std::vector<double>& weights);

  std::mt19937_64 engine_;
};

// Greedy search and multinomial sampling over `prompt` (rows already expanded).
GenerateOutput greedy_or_sample(ModelStepper& model, Sequences prompt, const Decoding& decoding);

// Beam search and beam sampling; `prompt` has num_beams rows per batch item.
GenerateOutput beam_search(ModelStepper& model, const Sequences& prompt, const Decoding& decoding);

}  // namespace transformers::generation_detail
