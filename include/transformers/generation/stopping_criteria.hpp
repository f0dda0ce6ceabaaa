#pragma once
// Stopping criteria: after each step, which rows of input_ids [rows, length] (prompt included) are
// done, as transformers' MaxLengthCriteria, MaxTimeCriteria, StopStringCriteria and
// EosTokenCriteria decide it, and make_stopping_criteria, which builds them from a generation config
// in transformers' order.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "transformers/core/tensor.hpp"
#include "transformers/generation/generation_config.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers {

class StoppingCriteria {
 public:
  virtual ~StoppingCriteria() = default;
  // One flag per row: true when that row is done.
  virtual std::vector<bool> operator()(const Tensor& input_ids) const = 0;
  virtual std::string name() const = 0;  // transformers' class name
};

using StoppingCriteriaList = std::vector<std::shared_ptr<const StoppingCriteria>>;

// A row is done when any criterion says so.
std::vector<bool> apply_stopping_criteria(const StoppingCriteriaList& criteria, const Tensor& input_ids);

// Rows reach max_length tokens (prompt included). Warns once past max_position_embeddings (> 0).
class MaxLengthCriteria final : public StoppingCriteria {
 public:
  explicit MaxLengthCriteria(int64_t max_length, int64_t max_position_embeddings = 0)
      : max_length_(max_length), max_position_embeddings_(max_position_embeddings) {}
  std::vector<bool> operator()(const Tensor& input_ids) const override;
  std::string name() const override { return "MaxLengthCriteria"; }
  int64_t max_length() const { return max_length_; }

 private:
  int64_t max_length_, max_position_embeddings_;
};

// Every row is done once max_time seconds have passed since construction.
class MaxTimeCriteria final : public StoppingCriteria {
 public:
  explicit MaxTimeCriteria(double max_time,
                           std::chrono::steady_clock::time_point initial_timestamp = std::chrono::steady_clock::now())
      : max_time_(max_time), start_(initial_timestamp) {}
  std::vector<bool> operator()(const Tensor& input_ids) const override;
  std::string name() const override { return "MaxTimeCriteria"; }

 private:
  double max_time_;
  std::chrono::steady_clock::time_point start_;
};

// The last token is one of eos_token_id.
class EosTokenCriteria final : public StoppingCriteria {
 public:
  explicit EosTokenCriteria(std::vector<int64_t> eos_token_id) : eos_token_id_(std::move(eos_token_id)) {}
  std::vector<bool> operator()(const Tensor& input_ids) const override;
  std::string name() const override { return "EosTokenCriteria"; }

 private:
  std::vector<int64_t> eos_token_id_;
};

// The decoded tail of a row spells one of the stop strings, ending inside its last token (the last
// token may run past the string's end, the first matching one start before it). Tokens are read
// as transformers reads them: as bytes for byte-level and byte-fallback vocabularies, as text
// otherwise (each token decoded after a fixed prefix, so that leading spaces are right).
class StopStringCriteria final : public StoppingCriteria {
 public:
  StopStringCriteria(const PreTrainedTokenizerFast& tokenizer, std::vector<std::string> stop_strings);
  std::vector<bool> operator()(const Tensor& input_ids) const override;
  std::string name() const override { return "StopStringCriteria"; }

 private:
  std::vector<std::u32string> stop_strings_;   // bytes or code points, as the vocabulary is read
  std::vector<std::u32string> token_strings_;  // by token id
  std::vector<bool> known_;                    // ids the vocabulary has
  size_t maximum_token_len_ = 0;               // tokens looked at: one per unit of the longest string
};

// transformers' _get_stopping_criteria for a prepared config: max length, max time, stop strings
// (which need `tokenizer`, else InvalidArgument with transformers' message), eos; then `custom`
// merged as logits processors are.
StoppingCriteriaList make_stopping_criteria(const GenerationConfig& prepared, const PreTrainedTokenizerFast* tokenizer,
                                            int64_t max_position_embeddings = 0,
                                            const StoppingCriteriaList& custom = {});

}  // namespace transformers
