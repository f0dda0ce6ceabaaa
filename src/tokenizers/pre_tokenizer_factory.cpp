// Maps a tokenizer.json "pre_tokenizer" type tag to the class that implements it.
#include <functional>
#include <map>

#include "pre_tokenizer.hpp"

namespace transformers::tokenizers::detail {

std::unique_ptr<PreTokenizer> make_pre_tokenizer(const json& config, const std::string& where) {
  using Maker = std::function<std::unique_ptr<PreTokenizer>(const json&, const std::string&)>;
  static const std::map<std::string, Maker> makers = {
      {"BertPreTokenizer", make_bert_pre_tokenizer},
      {"ByteLevel", make_byte_level_pre_tokenizer},
      {"Split", make_split_pre_tokenizer},
      {"Sequence", make_sequence_pre_tokenizer},
      {"Whitespace", make_whitespace_pre_tokenizer},
      {"WhitespaceSplit", make_whitespace_split_pre_tokenizer},
      {"Punctuation", make_punctuation_pre_tokenizer},
      {"Digits", make_digits_pre_tokenizer},
      {"CharDelimiterSplit", make_char_delimiter_pre_tokenizer},
      {"FixedLength", make_fixed_length_pre_tokenizer},
      {"Metaspace", make_metaspace_pre_tokenizer},
      {"UnicodeScripts", make_unicode_scripts_pre_tokenizer},
  };
  const std::string type = component_type(config, where);
  const auto found = makers.find(type);
  if (found == makers.end()) throw_config_error(where, "unknown pre-tokenizer type '" + type + "'");
  return found->second(config, where + " " + type);
}

}  // namespace transformers::tokenizers::detail
