// BertNormalizer: clean text, pad CJK ideographs with spaces, strip accents, lowercase.
#include <array>

#include "normalizer.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

class BertNormalizer final : public Normalizer {
 public:
  BertNormalizer(bool clean_text, bool handle_chinese_chars, bool strip_accents, bool lowercase)
      : clean_text_(clean_text),
        handle_chinese_chars_(handle_chinese_chars),
        strip_accents_(strip_accents),
        lowercase_(lowercase) {
    for (int byte = 0; byte < 128; ++byte) {
      const auto c = static_cast<char32_t>(byte);
      ascii_table_[static_cast<size_t>(byte)] =
          static_cast<char>(clean_text_ && is_bert_whitespace(c)       ? ' '
                            : lowercase_ && byte >= 'A' && byte <= 'Z' ? byte + ('a' - 'A')
                                                                       : byte);
    }
  }

  void normalize(NormalizedString& text) const override {
    if (ascii_one_to_one(text.get())) return text.map_ascii(ascii_table_);
    if (clean_text_) {
      text.filter([](char32_t c) { return c != 0 && c != 0xFFFD && !is_bert_control(c); });
      text.map([](char32_t c) { return is_bert_whitespace(c) ? U' ' : c; });
    }
    if (handle_chinese_chars_)
      text.expand([](char32_t c) {
        return is_cjk_ideograph(c) ? std::u32string{U' ', c, U' '} : std::u32string(1, c);
      });
    if (strip_accents_) {
      text.nfd();
      text.filter([](char32_t c) { return !is_mark_nonspacing(c); });
    }
    if (lowercase_) text.lowercase();
  }

 private:
  // Tab, newline and carriage return are control chars that BERT counts as whitespace.
  static bool is_bert_whitespace(char32_t c) { return c == U'\t' || c == U'\n' || c == U'\r' || is_whitespace(c); }
  static bool is_bert_control(char32_t c) { return c != U'\t' && c != U'\n' && c != U'\r' && is_other(c); }

  // An ASCII text the normalizer changes byte for byte: no CJK, no accents, and nothing for
  // clean_text to remove (NUL and control chars other than tab, newline and carriage return).
  bool ascii_one_to_one(const std::string& text) const {
    for (char byte : text) {
      const auto b = static_cast<unsigned char>(byte);
      if (b >= 0x80) return false;
      const bool control = b < 0x20 || b == 0x7F;  // ASCII's Cc
      if (clean_text_ && control && b != '\t' && b != '\n' && b != '\r') return false;
    }
    return true;
  }

  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
  std::array<char, 128> ascii_table_{};  // what clean_text's whitespace map and lowercase make of each byte
};

}  // namespace

std::unique_ptr<Normalizer> make_bert_normalizer(const json& config, const std::string& where) {
  const bool lowercase = bool_field(config, "lowercase", true, where);
  // strip_accents = null means "follow lowercase".
  const bool strip_accents = optional_bool_field(config, "strip_accents", where).value_or(lowercase);
  return std::make_unique<BertNormalizer>(bool_field(config, "clean_text", true, where),
                                          bool_field(config, "handle_chinese_chars", true, where), strip_accents,
                                          lowercase);
}

}  // namespace transformers::tokenizers::detail
