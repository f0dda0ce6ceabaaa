#pragma once
// Where tokenizers meet models: a BatchEncoding's tensors, or encodings padded into one batch, as
// a model's inputs. It lives here because tokenizers do not know the models.
#include <vector>

#include "transformers/models/modeling_outputs.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers {

// The ids, attention mask and token type ids of a batch whose encodings have one length (padded or not).
inline ModelInputs model_inputs(const BatchEncoding& batch) {
  ModelInputs inputs;
  inputs.input_ids = batch.input_ids;
  inputs.attention_mask = batch.attention_mask;
  inputs.token_type_ids = batch.token_type_ids;
  return inputs;
}

// Encodings padded to the longest as transformers' pad_collate does (pad id, attention 0, token
// type 0, on the tokenizer's padding side); token_type_ids only when the tokenizer returns them.
// A batch of more than one needs a pad token (transformers refuses to batch without one).
ModelInputs pad_collate(const std::vector<const tokenizers::Encoding*>& encodings,
                        const PreTrainedTokenizerFast& tokenizer);

}  // namespace transformers
