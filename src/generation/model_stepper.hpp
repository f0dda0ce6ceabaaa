#pragma once
// ModelStepper: the forward passes of one generate() call, as transformers' prefill and
// prepare_inputs_for_generation make them. With a cache (nn::KVCache from the model's
// cache_layout(), sized for the whole call), the prompt goes in once and then only each new token,
// with the attention mask grown by one column and position ids from the mask (cumsum - 1, padding
// at 0); without one (use_cache false, or a model without a cache layout), the whole sequence goes
// in every step. Either way the logits of the last position come back as f32 on the host. When the
// model asks (PreTrainedModel::recompute_cache: Phi-3's LongRoPE switch), the cache is dropped and
// the whole sequence runs again into a new one, as transformers' prepare_inputs_for_generation does.
#include <cstdint>
#include <optional>
#include <vector>

#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/kv_cache.hpp"

namespace transformers::generation_detail {

using Sequences = std::vector<std::vector<int64_t>>;  // one row of token ids per sequence

Tensor as_tensor(const Sequences& rows);  // [rows, length] int64; rows must be equally long

class ModelStepper {
 public:
  // `attention_mask`: per row, 1 = token, 0 = padding (left). Only a mask with padding is passed to
  // the model (transformers drops an all-ones mask).
  ModelStepper(const PreTrainedModel& model, const Sequences& attention_mask, bool use_cache, int64_t capacity);

  // The logits [rows, vocab] of the last position: first for the prompt, then after each new token
  // (the last column of `sequences`, which hold every token so far).
  Tensor prefill(const Sequences& prompt);
  Tensor next(const Sequences& sequences);

  // Beam search: row r continues old row rows[r] (cache, mask and positions).
  void reorder(const std::vector<int64_t>& rows);

 private:
  Tensor forward(const Sequences& fed, int64_t columns);
  Tensor mask_tensor() const;
  Tensor positions_tensor(int64_t columns) const;

  const PreTrainedModel& model_;
  Sequences mask_;       // [rows, tokens so far]
  Sequences positions_;  // [rows, tokens so far]
  bool has_padding_ = false;
  std::optional<nn::KVCache> cache_;
  int64_t capacity_ = 0;
};

}  // namespace transformers::generation_detail
