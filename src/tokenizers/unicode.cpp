#include "unicode.hpp"

#include <utf8proc.h>

#include "../io/utf8.hpp"
#include "transformers/core/error.hpp"

namespace transformers::tokenizers::detail {

char32_t decode_utf8(std::string_view text, size_t at, size_t& length) {
  const auto lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) {
    length = 1;
    return lead;
  }
  length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
  char32_t c = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) c = (c << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3F);
  return c;
}

size_t utf8_length(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

std::vector<char32_t> to_code_points(std::string_view text) {
  std::vector<char32_t> out;
  for (size_t at = 0, length = 0; at < text.size(); at += length) out.push_back(decode_utf8(text, at, length));
  return out;
}

size_t count_chars(std::string_view text) {
  size_t count = 0;
  for (char byte : text) count += (static_cast<unsigned char>(byte) & 0xC0) != 0x80;
  return count;
}

void require_valid_utf8(std::string_view text, std::string_view what) {
  const size_t bad = transformers::detail::find_invalid_utf8(text);
  if (bad != std::string_view::npos)
    throw InvalidArgument("tokenizer: " + std::string(what) + " is not valid UTF-8 (ill-formed byte at offset " +
                          std::to_string(bad) + ")");
}

namespace {

// ASCII, which dominates most text, looked up in a table instead of utf8proc's two-level one.
struct AsciiCategories {
  utf8proc_category_t of[0x80];
  AsciiCategories() {
    for (char32_t c = 0; c < 0x80; ++c) of[c] = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  }
};
const AsciiCategories kAscii;

utf8proc_category_t category(char32_t c) {
  return c < 0x80 ? kAscii.of[c] : utf8proc_category(static_cast<utf8proc_int32_t>(c));
}

}  // namespace

bool is_whitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

bool is_punctuation(char32_t c) {
  const auto cat = category(c);
  return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

bool is_other(char32_t c) {
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_CN || (cat >= UTF8PROC_CATEGORY_CC && cat <= UTF8PROC_CATEGORY_CO);
}

bool is_mark(char32_t c) {
  const auto cat = category(c);
  return cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME;
}

bool is_mark_nonspacing(char32_t c) { return category(c) == UTF8PROC_CATEGORY_MN; }

bool is_numeric(char32_t c) {
  const auto cat = category(c);
  return cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO;
}

bool is_alphanumeric_word(char32_t c) {
  const auto cat = category(c);
  const bool letter = cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO;
  return letter || is_mark(c) || cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL ||
         cat == UTF8PROC_CATEGORY_PC || c == 0x200C || c == 0x200D;
}

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::u32string to_lowercase(char32_t c) {
  if (c < 0x80) return std::u32string(1, c >= U'A' && c <= U'Z' ? c + (U'a' - U'A') : c);
  // U+0130 is the only char whose unconditional full lowercase is longer than one char.
  if (c == 0x130) return U"i\u0307";
  return std::u32string(1, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
}

int combining_class(char32_t c) {
  if (c < 0x80) return 0;
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class;
}

}  // namespace transformers::tokenizers::detail

namespace transformers::tokenizers::detail {

std::u32string decompose(char32_t c, bool compat) {
  if (c < 0x80) return std::u32string(1, c);  // no ASCII char decomposes
  utf8proc_int32_t buffer[32];
  int boundclass = 0;
  const auto options = static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | (compat ? UTF8PROC_COMPAT : 0));
  const auto count = utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buffer, 32, options, &boundclass);
  if (count <= 0 || count > 32) return std::u32string(1, c);
  std::u32string out;
  for (utf8proc_ssize_t i = 0; i < count; ++i) out += static_cast<char32_t>(buffer[i]);
  return out;
}

std::optional<char32_t> compose_pair(char32_t starter, char32_t combining) {
  utf8proc_int32_t buffer[2] = {static_cast<utf8proc_int32_t>(starter), static_cast<utf8proc_int32_t>(combining)};
  const auto length = utf8proc_normalize_utf32(buffer, 2, UTF8PROC_COMPOSE);
  if (length != 1) return std::nullopt;
  return static_cast<char32_t>(buffer[0]);
}

bool is_grapheme_break(char32_t before, char32_t after, int& state) {
  utf8proc_int32_t utf8proc_state = state;
  const bool result = utf8proc_grapheme_break_stateful(static_cast<utf8proc_int32_t>(before),
                                                       static_cast<utf8proc_int32_t>(after), &utf8proc_state);
  state = utf8proc_state;
  return result;
}

}  // namespace transformers::tokenizers::detail
