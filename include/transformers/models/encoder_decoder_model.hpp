#pragma once
// What every encoder-decoder family (T5, BART, Marian) offers beside PreTrainedModel::forward: the
// encoder on its own, which generate() runs once per prompt before decoding step by step (forward
// with ModelInputs::encoder_outputs, a self-attention KVCache and a CrossAttentionCache), as
// transformers' generate calls model.get_encoder() first.
#include "transformers/models/modeling_outputs.hpp"

namespace transformers {

class EncoderDecoderModel : public PreTrainedModel {
 public:
  // The encoder's last_hidden_state [batch, seq, hidden] for input_ids [batch, seq] and
  // attention_mask (1 = token, 0 = padding; all ones when undefined).
  virtual Tensor encode(const Tensor& input_ids, const Tensor& attention_mask) const = 0;
};

}  // namespace transformers
