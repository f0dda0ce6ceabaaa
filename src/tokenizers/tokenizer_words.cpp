// Tokenizer::encode_words: pre-tokenized input, as tokenizers encodes an InputSequence::PreTokenized.
#include "encoding_ops.hpp"
#include "tokenizer_pipeline.hpp"
#include "transformers/core/error.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers {

Encoding Tokenizer::encode_word_list(const std::vector<std::string>& words, int64_t type_id) const {
  std::vector<Encoding> parts;
  parts.reserve(words.size());
  for (size_t i = 0; i < words.size(); ++i) {
    detail::require_valid_utf8(words[i], "the words to encode");
    parts.push_back(pipeline_->encode_sequence(words[i], type_id, static_cast<int64_t>(i), encode_special_tokens_));
  }
  return detail::merge_all(std::move(parts));  // offsets not shifted: each word's stay within the word
}

Encoding Tokenizer::encode_words(const std::vector<std::string>& words, bool add_special_tokens) const {
  return finish(encode_word_list(words, 0), std::nullopt, add_special_tokens);
}

Encoding Tokenizer::encode_words(const std::vector<std::string>& words, const std::vector<std::string>& pair_words,
                                 bool add_special_tokens) const {
  return finish(encode_word_list(words, 0), encode_word_list(pair_words, 1), add_special_tokens);
}

std::vector<Encoding> Tokenizer::encode_batch_words(const std::vector<std::vector<std::string>>& word_lists,
                                                    bool add_special_tokens) const {
  std::vector<Encoding> encodings;
  encodings.reserve(word_lists.size());
  for (const auto& words : word_lists) encodings.push_back(encode_words(words, add_special_tokens));
  if (padding_) detail::pad_encodings(encodings, *padding_);
  return encodings;
}

}  // namespace transformers::tokenizers
