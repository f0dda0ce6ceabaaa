#include "tokenizer_pipeline.hpp"

namespace transformers::tokenizers::detail {

Encoding TokenizerPipeline::encode_sequence(std::string_view text, int64_t type_id, std::optional<int64_t> word_id,
                                            bool encode_special_tokens) const {
  PreTokenizedString pieces = added_vocabulary->extract_and_normalize(text, normalizer.get(), encode_special_tokens);
  if (pre_tokenizer) pre_tokenizer->pre_tokenize(pieces);
  pieces.tokenize([&](const NormalizedString& word) { return model->tokenize(word.get()); });
  return pieces.into_encoding(word_id, type_id, type_id);
}

}  // namespace transformers::tokenizers::detail
