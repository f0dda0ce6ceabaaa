// The char-class pre-tokenizers: Whitespace, WhitespaceSplit, Punctuation, Digits,
// CharDelimiterSplit and FixedLength.
#include "pre_tokenizer.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

using SplitFunction = std::function<std::vector<NormalizedString>(NormalizedString&&)>;

class FunctionPreTokenizer final : public PreTokenizer {
 public:
  explicit FunctionPreTokenizer(SplitFunction split) : split_(std::move(split)) {}
  void pre_tokenize(PreTokenizedString& text) const override {
    text.split_normalized([&](size_t, NormalizedString&& piece) { return split_(std::move(piece)); });
  }

 private:
  SplitFunction split_;
};

std::unique_ptr<PreTokenizer> splitting_on(std::function<bool(char32_t)> is_delimiter, SplitBehavior behavior) {
  return std::make_unique<FunctionPreTokenizer>([is_delimiter, behavior](NormalizedString&& piece) {
    return piece.split(find_char_matches(piece.get(), is_delimiter), behavior);
  });
}

bool is_ascii_or_unicode_punctuation(char32_t c) {
  const bool ascii =
      (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
  return ascii || is_punctuation(c);
}

// Matches of \w+|[^\w\s]+ (leftmost-first: runs of word chars, or of other non-space chars).
std::vector<MatchSpan> word_or_symbol_runs(std::string_view text) {
  std::vector<ByteRange> runs;
  enum class Kind { Space, Word, Symbol };
  auto kind_of = [](char32_t c) {
    return is_alphanumeric_word(c) ? Kind::Word : is_whitespace(c) ? Kind::Space : Kind::Symbol;
  };
  for (size_t at = 0, length = 0; at < text.size();) {
    const Kind kind = kind_of(decode_utf8(text, at, length));
    size_t end = at + length;
    while (end < text.size() && kind != Kind::Space) {
      size_t next_length = 0;
      if (kind_of(decode_utf8(text, end, next_length)) != kind) break;
      end += next_length;
    }
    if (kind != Kind::Space) runs.emplace_back(at, end);
    at = end;
  }
  return spans_from_matches(runs, text.size());
}

}  // namespace

std::unique_ptr<PreTokenizer> make_whitespace_pre_tokenizer(const json&, const std::string&) {
  return std::make_unique<FunctionPreTokenizer>([](NormalizedString&& piece) {
    std::vector<MatchSpan> spans = word_or_symbol_runs(piece.get());
    for (MatchSpan& span : spans) span.is_match = !span.is_match;  // keep the runs, drop the rest
    return piece.split(spans, SplitBehavior::Removed);
  });
}

std::unique_ptr<PreTokenizer> make_whitespace_split_pre_tokenizer(const json&, const std::string&) {
  return splitting_on(is_whitespace, SplitBehavior::Removed);
}

std::unique_ptr<PreTokenizer> make_punctuation_pre_tokenizer(const json& config, const std::string& where) {
  return splitting_on(is_ascii_or_unicode_punctuation, parse_split_behavior(config, where, SplitBehavior::Isolated));
}

std::unique_ptr<PreTokenizer> make_digits_pre_tokenizer(const json& config, const std::string& where) {
  const bool individual = bool_field(config, "individual_digits", false, where);
  return splitting_on(is_numeric, individual ? SplitBehavior::Isolated : SplitBehavior::Contiguous);
}

std::unique_ptr<PreTokenizer> make_char_delimiter_pre_tokenizer(const json& config, const std::string& where) {
  const std::vector<char32_t> delimiter = to_code_points(required_string_field(config, "delimiter", where));
  if (delimiter.size() != 1) throw_config_error(where, "field 'delimiter' must be exactly one char");
  const char32_t c = delimiter[0];
  return splitting_on([c](char32_t x) { return x == c; }, SplitBehavior::Removed);
}

std::unique_ptr<PreTokenizer> make_fixed_length_pre_tokenizer(const json& config, const std::string& where) {
  const int64_t length = int_field(config, "length", 5, where);
  if (length <= 0) throw_config_error(where, "field 'length' must be positive");
  return std::make_unique<FunctionPreTokenizer>([length](NormalizedString&& piece) {
    std::vector<NormalizedString> chunks;
    const std::string& text = piece.get();
    size_t start = 0, chars = 0;
    for (size_t at = 0, size = 0; at < text.size(); at += size) {
      decode_utf8(text, at, size);
      if (++chars == static_cast<size_t>(length)) {
        chunks.push_back(piece.slice(start, at + size));
        start = at + size;
        chars = 0;
      }
    }
    if (start < text.size()) chunks.push_back(piece.slice(start, text.size()));
    return chunks;
  });
}

}  // namespace transformers::tokenizers::detail
