#pragma once
// Settings shared by the Metaspace pre-tokenizer and decoder.
#include <string>

#include "json_fields.hpp"

namespace transformers::tokenizers::detail {

enum class PrependScheme { Always, First, Never };

struct MetaspaceSettings {
  char32_t replacement = U'\u2581';
  std::string replacement_text = "\u2581";
  PrependScheme prepend_scheme = PrependScheme::Always;
  bool split = true;
};

MetaspaceSettings parse_metaspace(const json& config, const std::string& where);

}  // namespace transformers::tokenizers::detail
