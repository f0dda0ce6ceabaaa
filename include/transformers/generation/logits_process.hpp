#pragma once
// Logits processors and warpers: what transformers' generate does to the next-token scores before it
// picks a token, one class per transformers class (same name, same arguments, same errors), and
// make_logits_processors, which builds them from a generation config in transformers' order:
// sequence bias, repetition penalty, no-repeat n-grams, bad words, min length, min new tokens,
// forced BOS, forced EOS, inf/nan removal, exponential decay length penalty, suppress tokens,
// begin-suppress tokens, the caller's own processors, then (when sampling) the warpers temperature,
// top-k, top-p, min-p, typical-p, epsilon, eta, and last the log-softmax renormalization.
//
// Each processor takes input_ids [rows, length] (int64, prompt included) and scores [rows, vocab]
// (f32) and returns new scores. They compute on the host: scores from a GPU are copied over (one
// row of vocab floats per sequence per step, small next to a forward pass).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transformers/core/tensor.hpp"
#include "transformers/generation/generation_config.hpp"

namespace transformers {

class LogitsProcessor {
 public:
  virtual ~LogitsProcessor() = default;
  virtual Tensor operator()(const Tensor& input_ids, const Tensor& scores) const = 0;
  virtual std::string name() const = 0;  // transformers' class name
};

using LogitsProcessorList = std::vector<std::shared_ptr<const LogitsProcessor>>;

// Applies the processors in order.
Tensor apply_logits_processors(const LogitsProcessorList& processors, const Tensor& input_ids, const Tensor& scores);

// ---- processors ----

// Adds each bias to the last token of its sequence when the sequence's other tokens end the input.
class SequenceBiasLogitsProcessor : public LogitsProcessor {
 public:
  explicit SequenceBiasLogitsProcessor(std::vector<SequenceBias> sequence_bias);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "SequenceBiasLogitsProcessor"; }

 protected:
  std::vector<SequenceBias> biases_;  // a later entry for the same sequence wins
};

// Sequences that must never be generated: their last token gets -inf after the others. Entries
// equal to a lone eos token are dropped, as transformers does.
class NoBadWordsLogitsProcessor final : public SequenceBiasLogitsProcessor {
 public:
  NoBadWordsLogitsProcessor(const std::vector<std::vector<int64_t>>& bad_words_ids,
                            const std::vector<int64_t>& eos_token_id = {});
  std::string name() const override { return "NoBadWordsLogitsProcessor"; }
};

// Every token already in the row (prompt included, except the first prompt_ignore_lengths[row]
// positions: left padding) gets score * penalty when negative, score / penalty otherwise.
class RepetitionPenaltyLogitsProcessor final : public LogitsProcessor {
 public:
  explicit RepetitionPenaltyLogitsProcessor(double penalty, std::vector<int64_t> prompt_ignore_lengths = {});
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "RepetitionPenaltyLogitsProcessor"; }

 private:
  float penalty_;
  std::vector<int64_t> prompt_ignore_lengths_;
};

// Bans every token that would repeat an n-gram of the row.
class NoRepeatNGramLogitsProcessor final : public LogitsProcessor {
 public:
  explicit NoRepeatNGramLogitsProcessor(int64_t ngram_size);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "NoRepeatNGramLogitsProcessor"; }

 private:
  int64_t ngram_size_;
};

// eos gets -inf while the row is shorter than min_length (prompt included).
class MinLengthLogitsProcessor final : public LogitsProcessor {
 public:
  MinLengthLogitsProcessor(int64_t min_length, std::vector<int64_t> eos_token_id);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "MinLengthLogitsProcessor"; }

 private:
  int64_t min_length_;
  std::vector<int64_t> eos_token_id_;
};

// eos gets -inf while fewer than min_new_tokens follow the prompt.
class MinNewTokensLengthLogitsProcessor final : public LogitsProcessor {
 public:
  MinNewTokensLengthLogitsProcessor(int64_t prompt_length_to_skip, int64_t min_new_tokens,
                                    std::vector<int64_t> eos_token_id);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "MinNewTokensLengthLogitsProcessor"; }

 private:
  int64_t prompt_length_to_skip_, min_new_tokens_;
  std::vector<int64_t> eos_token_id_;
};

// The first token (when the row holds one token) must be bos.
class ForcedBOSTokenLogitsProcessor final : public LogitsProcessor {
 public:
  explicit ForcedBOSTokenLogitsProcessor(int64_t bos_token_id) : bos_token_id_(bos_token_id) {}
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "ForcedBOSTokenLogitsProcessor"; }

 private:
  int64_t bos_token_id_;
};

// The token that reaches max_length must be an eos.
class ForcedEOSTokenLogitsProcessor final : public LogitsProcessor {
 public:
  ForcedEOSTokenLogitsProcessor(int64_t max_length, std::vector<int64_t> eos_token_id);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "ForcedEOSTokenLogitsProcessor"; }

 private:
  int64_t max_length_;
  std::vector<int64_t> eos_token_id_;
};

// nan -> 0, +inf -> the largest float, -inf -> the lowest.
class InfNanRemoveLogitsProcessor final : public LogitsProcessor {
 public:
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "InfNanRemoveLogitsProcessor"; }
};

// After start_index new tokens, eos scores grow by |score| * (decay_factor^n - 1).
class ExponentialDecayLengthPenalty final : public LogitsProcessor {
 public:
  ExponentialDecayLengthPenalty(std::pair<int64_t, double> start_index_and_decay_factor,
                                std::vector<int64_t> eos_token_id, int64_t input_ids_seq_length);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "ExponentialDecayLengthPenalty"; }

 private:
  int64_t regulation_start_;
  double regulation_factor_;
  std::vector<int64_t> eos_token_id_;
};

// These tokens get -inf at every step.
class SuppressTokensLogitsProcessor final : public LogitsProcessor {
 public:
  explicit SuppressTokensLogitsProcessor(std::vector<int64_t> suppress_tokens) : tokens_(std::move(suppress_tokens)) {}
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "SuppressTokensLogitsProcessor"; }

 private:
  std::vector<int64_t> tokens_;
};

// These tokens get -inf at the step where the row holds begin_index tokens.
class SuppressTokensAtBeginLogitsProcessor final : public LogitsProcessor {
 public:
  SuppressTokensAtBeginLogitsProcessor(std::vector<int64_t> begin_suppress_tokens, int64_t begin_index)
      : tokens_(std::move(begin_suppress_tokens)), begin_index_(begin_index) {}
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "SuppressTokensAtBeginLogitsProcessor"; }

 private:
  std::vector<int64_t> tokens_;
  int64_t begin_index_;
};

// log_softmax of the scores (renormalize_logits).
class LogitNormalization final : public LogitsProcessor {
 public:
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "LogitNormalization"; }
};

// ---- warpers (sampling only); removed tokens get -inf ----

class TemperatureLogitsWarper final : public LogitsProcessor {
 public:
  explicit TemperatureLogitsWarper(double temperature);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "TemperatureLogitsWarper"; }

 private:
  float temperature_;
};

// Keeps the top_k highest scores (ties with the k-th kept).
class TopKLogitsWarper final : public LogitsProcessor {
 public:
  explicit TopKLogitsWarper(int64_t top_k, int64_t min_tokens_to_keep = 1);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "TopKLogitsWarper"; }

 private:
  int64_t top_k_;
};

// Keeps the smallest set of most probable tokens whose probabilities add up to top_p.
class TopPLogitsWarper final : public LogitsProcessor {
 public:
  explicit TopPLogitsWarper(double top_p, int64_t min_tokens_to_keep = 1);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "TopPLogitsWarper"; }

 private:
  double top_p_;
  int64_t min_tokens_to_keep_;
};

// Keeps tokens whose probability is at least min_p times the top token's.
class MinPLogitsWarper final : public LogitsProcessor {
 public:
  explicit MinPLogitsWarper(double min_p, int64_t min_tokens_to_keep = 1);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "MinPLogitsWarper"; }

 private:
  double min_p_;
  int64_t min_tokens_to_keep_;
};

// Locally typical sampling: the most typical tokens whose probabilities add up to mass.
class TypicalLogitsWarper final : public LogitsProcessor {
 public:
  explicit TypicalLogitsWarper(double mass = 0.9, int64_t min_tokens_to_keep = 1);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "TypicalLogitsWarper"; }

 private:
  double mass_;
  int64_t min_tokens_to_keep_;
};

// Removes tokens less probable than epsilon.
class EpsilonLogitsWarper final : public LogitsProcessor {
 public:
  explicit EpsilonLogitsWarper(double epsilon, int64_t min_tokens_to_keep = 1);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "EpsilonLogitsWarper"; }

 private:
  float epsilon_;
  int64_t min_tokens_to_keep_;
};

// Removes tokens less probable than min(epsilon, sqrt(epsilon) * exp(-entropy)).
class EtaLogitsWarper final : public LogitsProcessor {
 public:
  explicit EtaLogitsWarper(double epsilon, int64_t min_tokens_to_keep = 1);
  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override;
  std::string name() const override { return "EtaLogitsWarper"; }

 private:
  float epsilon_;
  int64_t min_tokens_to_keep_;
};

// The processors transformers' generate builds for a prepared config (GenerationConfig::prepared_for)
// and a prompt of input_length tokens, in its order. `padding_lengths`: left padding per row, which
// the repetition penalty skips (empty when the batch has none). `custom`: the caller's processors;
// one of the same class as a built one replaces it in place, the others follow the built
// processors, before the warpers. Invalid settings throw transformers' errors (InvalidArgument).
LogitsProcessorList make_logits_processors(const GenerationConfig& prepared, int64_t input_length,
                                           const std::vector<int64_t>& padding_lengths = {},
                                           const LogitsProcessorList& custom = {});

}  // namespace transformers
