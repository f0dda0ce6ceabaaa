#pragma once
// The immutable parts of a Tokenizer read from tokenizer.json.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "added_vocabulary.hpp"
#include "decoder.hpp"
#include "model.hpp"
#include "normalizer.hpp"
#include "post_processor.hpp"
#include "pre_tokenizer.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

namespace transformers::tokenizers::detail {

class TokenizerPipeline {
 public:
  std::unique_ptr<Normalizer> normalizer;
  std::unique_ptr<PreTokenizer> pre_tokenizer;
  std::unique_ptr<Model> model;
  std::unique_ptr<PostProcessor> post_processor;
  std::unique_ptr<Decoder> decoder;
  std::unique_ptr<AddedVocabulary> added_vocabulary;
  std::optional<TruncationParams> truncation;
  std::optional<PaddingParams> padding;
  std::optional<std::string> continuing_subword_prefix;  // the model's ("##" in WordPiece), if it has one

  // Added tokens, normalization, pre-tokenization and the model, for one sequence.
  Encoding encode_sequence(std::string_view text, int64_t type_id) const;
};

// Reads a whole tokenizer.json document; `source` names it in errors.
std::shared_ptr<TokenizerPipeline> parse_tokenizer_json(const json& document, const std::string& source);

}  // namespace transformers::tokenizers::detail
