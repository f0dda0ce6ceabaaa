#include "pcre2_pattern.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace transformers::tokenizers::detail {

namespace {

// Oniguruma's \s: the White_Space property. PCRE2's \s under UCP adds U+180E (category Zs in old
// Unicode, Cf since 6.3), so \s is spelt out.
constexpr std::string_view kWhiteSpace =
    "\\t-\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

// General categories, which both engines take from the same Unicode tables (scripts differ).
constexpr std::array<std::string_view, 36> kCategories = {
    "L",  "Lu", "Ll", "Lt", "Lm", "Lo", "M",  "Mn", "Mc", "Me", "N",  "Nd", "Nl", "No", "P",  "Pc", "Pd", "Ps",
    "Pe", "Pi", "Pf", "Po", "S",  "Sm", "Sc", "Sk", "So", "Z",  "Zs", "Zl", "Zp", "C",  "Cc", "Cf", "Co", "Cn"};

// Case-insensitive ASCII sequences that Oniguruma also matches against one character (ß, ﬁ, ﬆ...).
constexpr std::array<std::string_view, 5> kMultiCharFolds = {"ss", "st", "ff", "fi", "fl"};

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

class Translator {
 public:
  explicit Translator(std::string_view pattern) : pattern_(pattern) {}

  std::optional<std::string> run() {
    if (!case_folds_agree()) return std::nullopt;
    while (at_ < pattern_.size())
      if (!(in_class_ ? class_member() : outside_class())) return std::nullopt;
    if (in_class_) return std::nullopt;
    return std::move(out_);
  }

 private:
  bool case_folds_agree() const {
    if (pattern_.find("(?i") == std::string_view::npos) return true;
    std::string lower(pattern_);
    for (char& c : lower) {
      if (static_cast<unsigned char>(c) >= 0x80) return false;  // non-ASCII under (?i): folds unchecked
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return std::none_of(kMultiCharFolds.begin(), kMultiCharFolds.end(),
                        [&](std::string_view fold) { return lower.find(fold) != std::string::npos; });
  }

  bool outside_class() {
    const char c = pattern_[at_];
    switch (c) {
      case '\\': return escape();
      case '^':
      case '$': return false;  // line anchors in Ruby, string anchors in PCRE2
      case '(': return group();
      case '{':
        if (next_is(1, ',')) return false;  // Ruby's {,n}; a literal in PCRE2
        break;
      case '[':
        in_class_ = true;
        out_ += '[';
        ++at_;
        if (next_is(0, '^')) out_ += pattern_[at_++];
        return !next_is(0, ']');  // a leading ']' is read differently
    }
    out_ += c;
    ++at_;
    return true;
  }

  bool class_member() {
    const char c = pattern_[at_];
    if (c == '\\') return escape();
    if (c == '[') return false;                     // nested class or [:posix:]
    if (c == '&' && next_is(1, '&')) return false;  // Ruby's class intersection
    if (c == ']') in_class_ = false;
    out_ += c;
    ++at_;
    return true;
  }

  // Groups PCRE2 reads as Ruby does: plain, non-capturing, look-arounds, atomic and (?i:). A bare
  // (?i) only at the start: later, Ruby makes it a group of the rest (a(?i)b|c is a(?i:b|c)).
  bool group() {
    static constexpr std::array<std::string_view, 7> kAccepted = {"(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>", "(?i:"};
    const std::string_view rest = pattern_.substr(at_);
    if (at_ == 0 && rest.starts_with("(?i)")) {
      out_ += "(?i)";
      at_ += 4;
      return true;
    }
    if (!rest.starts_with("(?")) {
      out_ += '(';
      ++at_;
      return true;
    }
    for (std::string_view opener : kAccepted)
      if (rest.starts_with(opener)) {
        out_ += opener;
        at_ += opener.size();
        return true;
      }
    return false;
  }

  bool escape() {
    if (at_ + 1 >= pattern_.size()) return false;
    const char e = pattern_[at_ + 1];
    at_ += 2;
    switch (e) {
      case 's': out_ += in_class_ ? std::string(kWhiteSpace) : "[" + std::string(kWhiteSpace) + "]"; return true;
      case 'S':
        if (in_class_) return false;
        out_ += "[^" + std::string(kWhiteSpace) + "]";
        return true;
      case 'v':  // vertical tab in Ruby, a class of vertical spaces in PCRE2
        out_ += "\\x{0B}";
        return true;
      case 'p':
      case 'P': return category(e);
      case 'x': return hex_escape();
      case 'A':
      case 'z':
      case 'Z':
        if (in_class_) return false;
        [[fallthrough]];
      case 'd':
      case 'D':
      case 'r':
      case 'n':
      case 't':
      case 'f':
      case 'e':
      case 'a':
        out_ += '\\';
        out_ += e;
        return true;
    }
    // Escaped ASCII punctuation is the character itself in both; letters and digits not listed
    // (\w \b \h \u \k \1 ...) mean different things or nothing.
    const auto byte = static_cast<unsigned char>(e);
    if (byte >= 0x80 || std::isalnum(byte)) return false;
    out_ += '\\';
    out_ += e;
    return true;
  }

  bool category(char letter) {
    if (!next_is(0, '{')) return false;
    const size_t close = pattern_.find('}', at_);
    if (close == std::string_view::npos) return false;
    const std::string_view name = pattern_.substr(at_ + 1, close - at_ - 1);
    if (std::find(kCategories.begin(), kCategories.end(), name) == kCategories.end()) return false;
    out_ += '\\';
    out_ += letter;
    out_ += pattern_.substr(at_, close + 1 - at_);
    at_ = close + 1;
    return true;
  }

  // \xHH (one or two hex digits) or \x{H...}: the same code point in both.
  bool hex_escape() {
    if (next_is(0, '{')) {
      const size_t close = pattern_.find('}', at_);
      if (close == std::string_view::npos || close == at_ + 1) return false;
      for (size_t i = at_ + 1; i < close; ++i)
        if (!is_hex(pattern_[i])) return false;
      out_ += "\\x";
      out_ += pattern_.substr(at_, close + 1 - at_);
      at_ = close + 1;
      return true;
    }
    size_t digits = 0;
    while (digits < 2 && at_ + digits < pattern_.size() && is_hex(pattern_[at_ + digits])) ++digits;
    if (digits == 0) return false;
    out_ += "\\x{";
    out_ += pattern_.substr(at_, digits);
    out_ += '}';
    at_ += digits;
    return true;
  }

  bool next_is(size_t offset, char c) const { return at_ + offset < pattern_.size() && pattern_[at_ + offset] == c; }

  std::string_view pattern_;
  size_t at_ = 0;
  bool in_class_ = false;
  std::string out_;
};

}  // namespace

std::optional<std::string> pcre2_equivalent(std::string_view oniguruma_pattern) {
  return Translator(oniguruma_pattern).run();
}

}  // namespace transformers::tokenizers::detail
