// BertPreTokenizer: split on whitespace (removed), then isolate every punctuation char.
#include "pre_tokenizer.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

bool is_bert_punctuation(char32_t c) {
  const bool ascii_punctuation =
      (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return ascii_punctuation || is_punctuation(c);
}

class BertPreTokenizer final : public PreTokenizer {
 public:
  void pre_tokenize(PreTokenizedString& text) const override {
    text.split_normalized([](size_t, NormalizedString&& piece) {
      return piece.split(find_char_matches(piece.get(), is_whitespace), SplitBehavior::Removed);
    });
    text.split_normalized([](size_t, NormalizedString&& piece) {
      return piece.split(find_char_matches(piece.get(), is_bert_punctuation), SplitBehavior::Isolated);
    });
  }
};

}  // namespace

std::unique_ptr<PreTokenizer> make_bert_pre_tokenizer(const json&, const std::string&) {
  return std::make_unique<BertPreTokenizer>();
}

}  // namespace transformers::tokenizers::detail
