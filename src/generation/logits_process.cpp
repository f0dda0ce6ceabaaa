// The logits processors that apply whether or not generate samples (transformers'
// generation/logits_process.py), each computing what its transformers class computes.
#include "transformers/generation/logits_process.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "python_repr.hpp"
#include "score_rows.hpp"

namespace transformers {
namespace {

using generation_detail::IdRows;
using generation_detail::in_vocab;
using generation_detail::kNegativeInfinity;
using generation_detail::python_float;
using generation_detail::python_list;
using generation_detail::ScoreRows;

void set_scores(ScoreRows& scores, const std::vector<int64_t>& tokens, float value) {
  for (int64_t r = 0; r < scores.rows; ++r)
    for (int64_t token : tokens)
      if (in_vocab(token, scores.vocab)) scores.row(r)[token] = value;
}

// Every score -inf but the given tokens' 0.
void force_tokens(ScoreRows& scores, const std::vector<int64_t>& tokens) {
  std::fill(scores.values.begin(), scores.values.end(), kNegativeInfinity);
  set_scores(scores, tokens, 0.0f);
}

void require_non_negative(const std::vector<int64_t>& eos_token_id) {
  for (int64_t id : eos_token_id)
    if (id < 0)
      throw InvalidArgument("`eos_token_id` has to be a list of positive integers, but is " +
                            generation_detail::torch_tensor(eos_token_id));
}

}  // namespace

SequenceBiasLogitsProcessor::SequenceBiasLogitsProcessor(std::vector<SequenceBias> sequence_bias)
    : biases_(std::move(sequence_bias)) {
  std::string shown = "[";
  bool valid = !biases_.empty();
  for (size_t i = 0; i < biases_.size(); ++i) {
    shown += (i ? ", [" : "[") + python_list(biases_[i].tokens) + ", " + python_float(biases_[i].bias) + "]";
    valid = valid && !biases_[i].tokens.empty() &&
            std::all_of(biases_[i].tokens.begin(), biases_[i].tokens.end(), [](int64_t t) { return t >= 0; });
  }
  if (!valid)
    throw InvalidArgument(
        "Each element in `sequence_bias` has to be a non-empty list of lists of positive integers and float, but is " +
        shown + "].");
}

Tensor SequenceBiasLogitsProcessor::operator()(const Tensor& input_ids, const Tensor& scores) const {
  const IdRows ids(input_ids);
  ScoreRows out(scores);
  std::vector<int64_t> too_large;
  for (const SequenceBias& entry : biases_)
    for (int64_t token : entry.tokens)
      if (token >= out.vocab) too_large.push_back(token);
  if (!too_large.empty())
    throw InvalidArgument("The model vocabulary size is " + std::to_string(out.vocab) +
                          ", but the following tokens were being biased: " + python_list(too_large));
  // transformers keeps one bias per sequence (a dict), the last given.
  std::map<std::vector<int64_t>, float> by_sequence;
  for (const SequenceBias& entry : biases_) by_sequence[entry.tokens] = static_cast<float>(entry.bias);
  for (int64_t r = 0; r < out.rows; ++r) {
    std::vector<float> bias(static_cast<size_t>(out.vocab), 0.0f);
    for (const auto& [tokens, value] : by_sequence) {
      const int64_t prefix = static_cast<int64_t>(tokens.size()) - 1;
      if (prefix == 0) {
        bias[static_cast<size_t>(tokens[0])] = value;  // length-1 biases are set, longer ones added
        continue;
      }
      if (prefix > ids.length) continue;
      if (std::equal(tokens.begin(), tokens.end() - 1, ids.row(r) + ids.length - prefix))
        bias[static_cast<size_t>(tokens.back())] += value;
    }
    for (int64_t v = 0; v < out.vocab; ++v) out.row(r)[v] += bias[static_cast<size_t>(v)];
  }
  return out.tensor();
}

namespace {

std::vector<SequenceBias> bad_words_as_biases(const std::vector<std::vector<int64_t>>& bad_words_ids,
                                              const std::vector<int64_t>& eos_token_id) {
  if (bad_words_ids.empty())
    throw InvalidArgument("`bad_words_ids` has to be a non-empty list, but is " + python_list(bad_words_ids) + ".");
  for (const auto& words : bad_words_ids)
    if (std::any_of(words.begin(), words.end(), [](int64_t t) { return t < 0; }))
      throw InvalidArgument("Each list in `bad_words_ids` has to be a list of positive integers, but is " +
                            python_list(bad_words_ids) + ".");
  std::vector<SequenceBias> biases;
  for (const auto& words : bad_words_ids) {
    const bool is_lone_eos =
        words.size() == 1 && std::find(eos_token_id.begin(), eos_token_id.end(), words[0]) != eos_token_id.end();
    if (is_lone_eos) continue;
    SequenceBias bias;
    bias.tokens = words;
    bias.bias = -std::numeric_limits<double>::infinity();
    biases.push_back(std::move(bias));
  }
  return biases;
}

}  // namespace

// transformers validates the bad words before filtering out eos, and its SequenceBias base then
// refuses an empty list; an empty token list would be refused the same way.
NoBadWordsLogitsProcessor::NoBadWordsLogitsProcessor(const std::vector<std::vector<int64_t>>& bad_words_ids,
                                                     const std::vector<int64_t>& eos_token_id)
    : SequenceBiasLogitsProcessor(bad_words_as_biases(bad_words_ids, eos_token_id)) {}

RepetitionPenaltyLogitsProcessor::RepetitionPenaltyLogitsProcessor(double penalty,
                                                                   std::vector<int64_t> prompt_ignore_lengths)
    : penalty_(static_cast<float>(penalty)), prompt_ignore_lengths_(std::move(prompt_ignore_lengths)) {
  if (!(penalty > 0))
    throw InvalidArgument("`penalty` has to be a strictly positive float, but is " + python_float(penalty));
}

Tensor RepetitionPenaltyLogitsProcessor::operator()(const Tensor& input_ids, const Tensor& scores) const {
  const IdRows ids(input_ids);
  ScoreRows out(scores);
  if (!prompt_ignore_lengths_.empty() && static_cast<int64_t>(prompt_ignore_lengths_.size()) != ids.rows)
    throw InvalidArgument("Incompatible `prompt_ignore_length` batch size");
  for (int64_t r = 0; r < out.rows; ++r) {
    float* row = out.row(r);
    const std::vector<float> original(row, row + out.vocab);  // each token is penalized once
    const int64_t skip = prompt_ignore_lengths_.empty() ? 0 : prompt_ignore_lengths_[static_cast<size_t>(r)];
    for (int64_t i = skip; i < ids.length; ++i) {
      const int64_t token = ids.row(r)[i];
      if (!in_vocab(token, out.vocab)) continue;
      const float score = original[static_cast<size_t>(token)];
      row[token] = score < 0 ? score * penalty_ : score / penalty_;
    }
  }
  return out.tensor();
}

NoRepeatNGramLogitsProcessor::NoRepeatNGramLogitsProcessor(int64_t ngram_size) : ngram_size_(ngram_size) {
  if (ngram_size <= 0)
    throw InvalidArgument("`ngram_size` has to be a strictly positive integer, but is " + std::to_string(ngram_size));
}

Tensor NoRepeatNGramLogitsProcessor::operator()(const Tensor& input_ids, const Tensor& scores) const {
  const IdRows ids(input_ids);
  ScoreRows out(scores);
  const int64_t n = ngram_size_, length = ids.length;
  if (length < n) return out.tensor();
  for (int64_t r = 0; r < out.rows; ++r) {
    const int64_t* row = ids.row(r);
    const int64_t* prefix = row + length + 1 - n;  // the n - 1 last tokens
    for (int64_t start = 0; start + n <= length; ++start)
      if (std::equal(row + start, row + start + n - 1, prefix) && in_vocab(row[start + n - 1], out.vocab))
        out.row(r)[row[start + n - 1]] = kNegativeInfinity;
  }
  return out.tensor();
}

MinLengthLogitsProcessor::MinLengthLogitsProcessor(int64_t min_length, std::vector<int64_t> eos_token_id)
    : min_length_(min_length), eos_token_id_(std::move(eos_token_id)) {
  if (min_length < 0)
    throw InvalidArgument("`min_length` has to be a non-negative integer, but is " + std::to_string(min_length));
}

Tensor MinLengthLogitsProcessor::operator()(const Tensor& input_ids, const Tensor& scores) const {
  ScoreRows out(scores);
  if (input_ids.size(-1) < min_length_) set_scores(out, eos_token_id_, kNegativeInfinity);
  return out.tensor();
}

MinNewTokensLengthLogitsProcessor::MinNewTokensLengthLogitsProcessor(int64_t prompt_length_to_skip,
                                                                     int64_t min_new_tokens,
                                                                     std::vector<int64_t> eos_token_id)
    : prompt_length_to_skip_(prompt_length_to_skip),
      min_new_tokens_(min_new_tokens),
      eos_token_id_(std::move(eos_token_id)) {
  if (prompt_length_to_skip < 0)
    throw InvalidArgument("`prompt_length_to_skip` has to be a positive integer, but is " +
                          std::to_string(prompt_length_to_skip));
  if (min_new_tokens < 0)
    throw InvalidArgument("`min_new_tokens` has to be a positive integer, but is " + std::to_string(min_new_tokens));
}

Tensor MinNewTokensLengthLogitsProcessor::operator()(const Tensor& input_ids, const Tensor& scores) const {
  ScoreRows out(scores);
  if (input_ids.size(-1) - prompt_length_to_skip_ < min_new_tokens_) set_scores(out, eos_token_id_, kNegativeInfinity);
  return out.tensor();
}

Tensor ForcedBOSTokenLogitsProcessor::operator()(const Tensor& input_ids, const Tensor& scores) const {
  ScoreRows out(scores);
  if (input_ids.size(-1) == 1) force_tokens(out, {bos_token_id_});
  return out.tensor();
}

ForcedEOSTokenLogitsProcessor::ForcedEOSTokenLogitsProcessor(int64_t max_length, std::vector<int64_t> eos_token_id)
    : max_length_(max_length), eos_token_id_(std::move(eos_token_id)) {
  require_non_negative(eos_token_id_);
}

Tensor ForcedEOSTokenLogitsProcessor::operator()(const Tensor& input_ids, const Tensor& scores) const {
  ScoreRows out(scores);
  if (input_ids.size(-1) == max_length_ - 1) force_tokens(out, eos_token_id_);
  return out.tensor();
}

Tensor InfNanRemoveLogitsProcessor::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  for (float& x : out.values) {
    if (std::isnan(x)) x = 0.0f;
    if (std::isinf(x)) x = x > 0 ? std::numeric_limits<float>::max() : std::numeric_limits<float>::lowest();
  }
  return out.tensor();
}

ExponentialDecayLengthPenalty::ExponentialDecayLengthPenalty(std::pair<int64_t, double> start_index_and_decay_factor,
                                                             std::vector<int64_t> eos_token_id,
                                                             int64_t input_ids_seq_length)
    : regulation_start_(start_index_and_decay_factor.first + input_ids_seq_length),
      regulation_factor_(start_index_and_decay_factor.second),
      eos_token_id_(std::move(eos_token_id)) {
  require_non_negative(eos_token_id_);
}

Tensor ExponentialDecayLengthPenalty::operator()(const Tensor& input_ids, const Tensor& scores) const {
  ScoreRows out(scores);
  const int64_t length = input_ids.size(-1);
  if (length <= regulation_start_) return out.tensor();
  const float growth = static_cast<float>(std::pow(regulation_factor_, length - regulation_start_) - 1.0);
  for (int64_t r = 0; r < out.rows; ++r) {
    const std::vector<float> original(out.row(r), out.row(r) + out.vocab);
    for (int64_t token : eos_token_id_) {
      if (!in_vocab(token, out.vocab)) continue;
      const float score = original[static_cast<size_t>(token)];
      out.row(r)[token] = std::isfinite(score) ? score + std::fabs(score) * growth : score;
    }
  }
  return out.tensor();
}

Tensor SuppressTokensLogitsProcessor::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  set_scores(out, tokens_, kNegativeInfinity);
  return out.tensor();
}

Tensor SuppressTokensAtBeginLogitsProcessor::operator()(const Tensor& input_ids, const Tensor& scores) const {
  ScoreRows out(scores);
  if (input_ids.size(-1) == begin_index_) set_scores(out, tokens_, kNegativeInfinity);
  return out.tensor();
}

Tensor LogitNormalization::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  for (int64_t r = 0; r < out.rows; ++r) {
    const std::vector<double> normalized = generation_detail::log_softmax(out.row(r), out.vocab);
    for (int64_t v = 0; v < out.vocab; ++v) out.row(r)[v] = static_cast<float>(normalized[static_cast<size_t>(v)]);
  }
  return out.tensor();
}

}  // namespace transformers
