#pragma once
// Pre-tokenizers cut normalized text into words before the model sees them.
#include <memory>
#include <string>

#include "json_fields.hpp"
#include "pre_tokenized_string.hpp"

namespace transformers::tokenizers::detail {

class PreTokenizer {
 public:
  virtual ~PreTokenizer() = default;
  virtual void pre_tokenize(PreTokenizedString& text) const = 0;
};

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& config, const std::string& where);

std::unique_ptr<PreTokenizer> make_bert_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_byte_level_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_split_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_sequence_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_whitespace_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_whitespace_split_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_punctuation_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_digits_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_char_delimiter_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_fixed_length_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_metaspace_pre_tokenizer(const json& config, const std::string& where);
std::unique_ptr<PreTokenizer> make_unicode_scripts_pre_tokenizer(const json& config, const std::string& where);

// Shared by Split and the Replace normalizer/decoder: {"String": s} (literal) or {"Regex": r}.
std::string parse_pattern(const json& config, const std::string& where);
SplitBehavior parse_split_behavior(const json& config, const std::string& where, SplitBehavior fallback);

}  // namespace transformers::tokenizers::detail
