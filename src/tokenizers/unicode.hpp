#pragma once
// Unicode helpers with the exact character classes HF tokenizers uses (Rust `char` methods and the
// `unicode_categories` crate), backed by utf8proc.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace transformers::tokenizers::detail {

// Decodes the code point starting at `at` in valid UTF-8 and sets `length` to its byte count.
char32_t decode_utf8(std::string_view text, size_t at, size_t& length);
void append_utf8(std::string& out, char32_t c);
size_t utf8_length(char32_t c);
std::vector<char32_t> to_code_points(std::string_view text);
size_t count_chars(std::string_view text);

// Throws InvalidArgument naming `what` when `text` is not well-formed UTF-8.
void require_valid_utf8(std::string_view text, std::string_view what);

bool is_whitespace(char32_t c);         // Rust char::is_whitespace (White_Space property)
bool is_punctuation(char32_t c);        // Unicode P* categories
bool is_other(char32_t c);              // Unicode C* categories (Cc, Cf, Cs, Co, Cn)
bool is_mark(char32_t c);               // Unicode M* categories
bool is_mark_nonspacing(char32_t c);    // Mn
bool is_numeric(char32_t c);            // Rust char::is_numeric (Nd, Nl, No)
bool is_alphanumeric_word(char32_t c);  // Rust regex \w (alphabetic, marks, digits, Pc, join controls)
bool is_cjk_ideograph(char32_t c);      // the CJK blocks BertNormalizer pads with spaces

// Rust char::to_lowercase (the full mapping, which can give several chars).
std::u32string to_lowercase(char32_t c);
// The canonical combining class.
int combining_class(char32_t c);

}  // namespace transformers::tokenizers::detail

namespace transformers::tokenizers::detail {

// Full decomposition of one char (canonical, or compatibility when `compat`), no reordering.
std::u32string decompose(char32_t c, bool compat);
// The primary composite of `starter` + `combining`, if Unicode defines one (Hangul included).
std::optional<char32_t> compose_pair(char32_t starter, char32_t combining);
// Whether an extended grapheme cluster boundary lies between `before` and `after`.
bool is_grapheme_break(char32_t before, char32_t after, int& state);

}  // namespace transformers::tokenizers::detail
