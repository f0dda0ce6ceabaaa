#pragma once
// What the encoder models take and return, with transformers' names. Tensors a model does not
// produce stay undefined.
#include <vector>

#include "transformers/core/tensor.hpp"

namespace transformers {

struct ModelInputs {
  Tensor input_ids;       // [batch, seq] integers
  Tensor attention_mask;  // [batch, seq], 1 = token, 0 = padding; all ones when undefined
  Tensor token_type_ids;  // [batch, seq]; zeros when undefined (models that have segments)
};

struct ModelOutput {
  Tensor last_hidden_state;           // [batch, seq, hidden]
  Tensor pooler_output;               // [batch, hidden], models with a pooler
  Tensor logits;                      // head models
  std::vector<Tensor> hidden_states;  // embeddings output, then each layer's, when asked for
};

}  // namespace transformers
