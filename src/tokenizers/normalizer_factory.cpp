// Maps a tokenizer.json "normalizer" type tag to the class that implements it.
#include <functional>
#include <map>

#include "normalizer.hpp"

namespace transformers::tokenizers::detail {

std::unique_ptr<Normalizer> make_normalizer(const json& config, const std::string& where) {
  using Maker = std::function<std::unique_ptr<Normalizer>(const json&, const std::string&)>;
  static const std::map<std::string, Maker> makers = {
      {"BertNormalizer", make_bert_normalizer},
      {"NFC", [](const json&, const std::string&) { return make_unicode_normalizer("NFC"); }},
      {"NFD", [](const json&, const std::string&) { return make_unicode_normalizer("NFD"); }},
      {"NFKC", [](const json&, const std::string&) { return make_unicode_normalizer("NFKC"); }},
      {"NFKD", [](const json&, const std::string&) { return make_unicode_normalizer("NFKD"); }},
      {"Lowercase", make_lowercase_normalizer},
      {"Strip", make_strip_normalizer},
      {"StripAccents", make_strip_accents_normalizer},
      {"Replace", make_replace_normalizer},
      {"Prepend", make_prepend_normalizer},
      {"Nmt", make_nmt_normalizer},
      {"ByteLevel", make_byte_level_normalizer},
      {"Sequence", make_sequence_normalizer},
      {"Precompiled", make_precompiled_normalizer},
  };
  const std::string type = component_type(config, where);
  const auto found = makers.find(type);
  if (found == makers.end()) throw_config_error(where, "unknown normalizer type '" + type + "'");
  return found->second(config, where + " " + type);
}

}  // namespace transformers::tokenizers::detail
