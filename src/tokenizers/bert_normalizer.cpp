// BertNormalizer: clean text, pad CJK ideographs with spaces, strip accents, lowercase.
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
        lowercase_(lowercase) {}

  void normalize(NormalizedString& text) const override {
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

  bool clean_text_, handle_chinese_chars_, strip_accents_, lowercase_;
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
