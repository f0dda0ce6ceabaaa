#pragma once
// ModelStepper: the forward passes of one generate() call, as transformers' prefill and
// prepare_inputs_for_generation make them, for a decoder-only model (DecoderOnlyStepper) or an
// encoder-decoder (EncoderDecoderStepper).
//
// Decoder-only: with a cache (nn::KVCache from the model's
// cache_layout(), sized for the whole call), the prompt goes in once and then only each new token,
// with the attention mask grown by one column and position ids from the mask (cumsum - 1, padding
// at 0); without one (use_cache false, or a model without a cache layout), the whole sequence goes
// in every step. Either way the logits of the last position come back as f32 on the host. When the
// model asks (PreTrainedModel::recompute_cache: Phi-3's LongRoPE switch), the cache is dropped and
// the whole sequence runs again into a new one, as transformers' prepare_inputs_for_generation does.
//
// Encoder-decoder: the encoder runs once over the prompt (each input once, its output then repeated
// for its beams or returned sequences); the decoder's tokens go through a self-attention cache and a
// cross-attention cache that the first step fills from the encoder's output.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "transformers/generation/generate.hpp"

#include "transformers/models/encoder_decoder_model.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/kv_cache.hpp"

namespace transformers::generation_detail {

using Sequences = std::vector<std::vector<int64_t>>;  // one row of token ids per sequence

Tensor as_tensor(const Sequences& rows);  // [rows, length] int64; rows must be equally long

// The last position's logits of a model's output [rows, positions, vocab], as f32 [rows, vocab] on
// the host; InvalidArgument for anything else.
Tensor last_logits(const Tensor& logits);

class ModelStepper {
 public:
  virtual ~ModelStepper() = default;
  // The logits [rows, vocab] of the last position: first for the prompt, then after each new token
  // (the last column of `sequences`, which hold every token so far).
  virtual Tensor prefill(const Sequences& prompt) = 0;
  virtual Tensor next(const Sequences& sequences) = 0;
  // Beam search: row r continues old row rows[r].
  virtual void reorder(const std::vector<int64_t>& rows) = 0;
};

class DecoderOnlyStepper final : public ModelStepper {
 public:
  // `attention_mask`: per row, 1 = token, 0 = padding (left). Only a mask with padding is passed to
  // the model (transformers drops an all-ones mask).
  DecoderOnlyStepper(const PreTrainedModel& model, const Sequences& attention_mask, bool use_cache, int64_t capacity);

  Tensor prefill(const Sequences& prompt) override;
  Tensor next(const Sequences& sequences) override;
  void reorder(const std::vector<int64_t>& rows) override;  // cache, mask and positions

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

class EncoderDecoderStepper final : public ModelStepper {
 public:
  // `input_ids` and `attention_mask`: the encoder's prompt, one row per input; every input continues
  // as `rows_per_input` decoder rows (beams or returned sequences), adjacent.
  EncoderDecoderStepper(const EncoderDecoderModel& model, const Sequences& input_ids, const Sequences& attention_mask,
                        int64_t rows_per_input, bool use_cache, int64_t capacity);

  Tensor prefill(const Sequences& prompt) override;
  Tensor next(const Sequences& sequences) override;
  void reorder(const std::vector<int64_t>& rows) override;

 private:
  Tensor forward(const Sequences& fed);

  const EncoderDecoderModel& model_;
  int64_t rows_per_input_;
  Tensor encoder_output_, encoder_mask_;  // one row per decoder row
  std::optional<nn::KVCache> cache_;
  nn::CrossAttentionCache cross_;
};

// Makes a decoder-only call's stepper from its attention mask (rows already expanded for beams or
// returned sequences), whether to cache, and the cache's capacity.
using StepperFactory =
    std::function<std::unique_ptr<ModelStepper>(const Sequences& attention_mask, bool use_cache, int64_t capacity)>;

// generate() for a decoder-only model whose forward passes go through `make_stepper`'s stepper (a
// SharedBatch's, for one); generate() itself passes a DecoderOnlyStepper.
GenerateOutput generate_stepped(const PreTrainedModel& model, const Tensor& input_ids, const GenerationConfig& config,
                                const GenerateOptions& options, const StepperFactory& make_stepper);

}  // namespace transformers::generation_detail
