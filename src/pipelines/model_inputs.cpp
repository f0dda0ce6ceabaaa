#include "transformers/pipelines/model_inputs.hpp"

#include <algorithm>
#include <string>

namespace transformers {

ModelInputs pad_collate(const std::vector<const tokenizers::Encoding*>& encodings,
                        const PreTrainedTokenizerFast& tokenizer) {
  if (encodings.size() > 1 && !tokenizer.pad_token_id())
    throw InvalidArgument("a batch of " + std::to_string(encodings.size()) +
                          " encodings needs a pad token and this tokenizer has none; run them with batch_size 1");
  size_t width = 0;
  for (const tokenizers::Encoding* e : encodings) width = std::max(width, e->size());
  const bool left = tokenizer.padding_side() == tokenizers::Side::Left;
  const int64_t pad_id = tokenizer.pad_token_id().value_or(0);
  std::vector<int64_t> ids, mask, types;
  for (const tokenizers::Encoding* e : encodings) {
    const size_t pad = width - e->size();
    auto append = [&](std::vector<int64_t>& out, const std::vector<int64_t>& values, int64_t fill) {
      if (left) out.insert(out.end(), pad, fill);
      out.insert(out.end(), values.begin(), values.end());
      if (!left) out.insert(out.end(), pad, fill);
    };
    append(ids, e->ids, pad_id);
    append(mask, e->attention_mask, 0);
    append(types, e->type_ids, 0);
  }
  const Shape shape{static_cast<int64_t>(encodings.size()), static_cast<int64_t>(width)};
  ModelInputs inputs;
  inputs.input_ids = Tensor::from_vector(ids, shape);
  inputs.attention_mask = Tensor::from_vector(mask, shape);
  if (tokenizer.returns_token_type_ids()) inputs.token_type_ids = Tensor::from_vector(types, shape);
  return inputs;
}

}  // namespace transformers
