#pragma once
// Normalizers rewrite text before pre-tokenization, keeping alignments to the original.
#include <memory>
#include <string>

#include "json_fields.hpp"
#include "normalized_string.hpp"

namespace transformers::tokenizers::detail {

class Normalizer {
 public:
  virtual ~Normalizer() = default;
  virtual void normalize(NormalizedString& text) const = 0;
};

// Builds the normalizer a tokenizer.json "normalizer" object describes.
std::unique_ptr<Normalizer> make_normalizer(const json& config, const std::string& where);

std::unique_ptr<Normalizer> make_bert_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_unicode_normalizer(const std::string& form);  // NFC, NFD, NFKC, NFKD
std::unique_ptr<Normalizer> make_lowercase_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_strip_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_strip_accents_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_replace_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_prepend_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_nmt_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_byte_level_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_sequence_normalizer(const json& config, const std::string& where);
std::unique_ptr<Normalizer> make_precompiled_normalizer(const json& config, const std::string& where);

}  // namespace transformers::tokenizers::detail
