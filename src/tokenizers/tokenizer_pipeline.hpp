#pragma once
// The immutable parts of a Tokenizer read from tokenizer.json.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "added_vocabulary.hpp"
#include "decoder.hpp"
#include "model.hpp"
#include "normalizer.hpp"
#include "post_processor.hpp"
#include "pre_tokenizer.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

namespace transformers::tokenizers::detail {

// Components are shared (and never changed), so a copy with other added tokens is cheap.
class TokenizerPipeline {
 public:
  std::shared_ptr<const Normalizer> normalizer;
  std::shared_ptr<const PreTokenizer> pre_tokenizer;
  std::shared_ptr<const Model> model;
  std::shared_ptr<const PostProcessor> post_processor;
  std::shared_ptr<const Decoder> decoder;
  std::vector<std::string> decoder_types;  // every "type" in the decoder's JSON, the outermost first
  std::shared_ptr<const AddedVocabulary> added_vocabulary;
  std::string model_type;  // tokenizer.json's model type: "BPE", "WordPiece", "Unigram", "WordLevel"
  std::optional<TruncationParams> truncation;
  std::optional<PaddingParams> padding;
  std::optional<std::string> continuing_subword_prefix;  // the model's ("##" in WordPiece), if it has one

  // Added tokens, normalization, pre-tokenization and the model, for one sequence. `word_id`, when
  // given, is every token's word id (a word of pre-tokenized input).
  Encoding encode_sequence(std::string_view text, int64_t type_id, std::optional<int64_t> word_id = std::nullopt,
                           bool encode_special_tokens = false) const;
};

// Reads a whole tokenizer.json document; `source` names it in errors.
std::shared_ptr<TokenizerPipeline> parse_tokenizer_json(const json& document, const std::string& source);

}  // namespace transformers::tokenizers::detail
