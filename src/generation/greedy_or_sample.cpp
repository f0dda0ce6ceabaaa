// transformers' _sample: one token per row per step, argmax or drawn from the processed scores;
// finished rows receive pad_token_id until every row is done.
#include <algorithm>
#include <cmath>

#include "decoding.hpp"
#include "score_rows.hpp"

namespace transformers::generation_detail {

int64_t TokenSampler::draw(const std::vector<double>& weights) {
  double total = 0.0;
  for (double w : weights) total += w;
  if (!(total > 0.0) || !std::isfinite(total))
    throw InvalidArgument("probability tensor contains either `inf`, `nan` or element < 0");
  const double target = uniform() * total;
  double cumulative = 0.0;
  int64_t last_positive = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (weights[i] <= 0.0) continue;
    cumulative += weights[i];
    last_positive = static_cast<int64_t>(i);
    if (target < cumulative) return last_positive;
  }
  return last_positive;  // rounding left the target past the sum
}

int64_t TokenSampler::sample(const float* scores, int64_t n) { return draw(softmax(scores, n)); }

std::vector<int64_t> TokenSampler::sample_without_replacement(const float* scores, int64_t n, int64_t count) {
  std::vector<double> weights = softmax(scores, n);
  const auto available = std::count_if(weights.begin(), weights.end(), [](double w) { return w > 0.0; });
  if (available < count)
    throw InvalidArgument(
        "invalid multinomial distribution (with replacement=False, not enough non-negative category "
        "to sample)");
  std::vector<int64_t> picked;
  for (int64_t i = 0; i < count; ++i) {
    picked.push_back(draw(weights));
    weights[static_cast<size_t>(picked.back())] = 0.0;
  }
  return picked;
}

namespace {

bool has_eos_criteria(const StoppingCriteriaList& criteria) {
  return std::any_of(criteria.begin(), criteria.end(),
                     [](const auto& c) { return dynamic_cast<const EosTokenCriteria*>(c.get()) != nullptr; });
}

int64_t argmax(const float* row, int64_t n) { return std::max_element(row, row + n) - row; }

}  // namespace

GenerateOutput greedy_or_sample(ModelStepper& model, Sequences sequences, const Decoding& decoding) {
  const GenerationConfig& config = decoding.config;
  const bool finished_rows_get_pad = has_eos_criteria(decoding.criteria);
  TokenSampler sampler(decoding.seed);
  GenerateOutput output;
  std::vector<bool> unfinished(sequences.size(), true);
  Tensor logits = model.prefill(sequences);
  while (true) {
    ScoreRows scores(apply_logits_processors(decoding.processors, as_tensor(sequences), logits));
    if (config.output_scores.value_or(false)) output.scores.push_back(scores.tensor());
    if (config.output_logits.value_or(false)) output.logits.push_back(logits);
    std::vector<int64_t> next(sequences.size());
    for (int64_t r = 0; r < scores.rows; ++r) {
      const size_t row = static_cast<size_t>(r);
      next[row] = config.sampling() ? sampler.sample(scores.row(r), scores.vocab) : argmax(scores.row(r), scores.vocab);
      if (finished_rows_get_pad && !unfinished[row]) next[row] = config.pad_token_id.value_or(0);
      sequences[row].push_back(next[row]);
    }
    if (decoding.streamer) decoding.streamer->put(Tensor::from_vector(next, {static_cast<int64_t>(next.size())}));
    const std::vector<bool> done = apply_stopping_criteria(decoding.criteria, as_tensor(sequences));
    for (size_t r = 0; r < unfinished.size(); ++r) unfinished[r] = unfinished[r] && !done[r];
    if (std::none_of(unfinished.begin(), unfinished.end(), [](bool u) { return u; })) break;
    logits = model.next(sequences);
  }
  if (decoding.streamer) decoding.streamer->end();
  output.sequences = as_tensor(sequences);
  return output;
}

}  // namespace transformers::generation_detail
