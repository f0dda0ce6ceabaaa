#pragma once
// Python's view of text over our UTF-8 strings: code points (len, indexing and slicing count them),
// str.isspace, case mapping, str.isprintable (for repr), and the html escape of markupsafe.
#include <cstddef>
#include <string>
#include <string_view>

namespace transformers::chat_templates::detail {

// The code point that starts at byte `at` of valid UTF-8; `length` receives its byte count.
char32_t decode_utf8(std::string_view text, size_t at, size_t& length);
void append_utf8(std::string& out, char32_t c);
// Byte offset of the first ill-formed sequence, or npos.
size_t find_invalid_utf8(std::string_view text);
bool is_ascii(std::string_view text);
// Python's len(str).
size_t count_code_points(std::string_view text);
// Byte offset of code point `index` (text.size() when index == the count).
size_t byte_offset_of(std::string_view text, size_t index);

// str.isspace / the characters str.split() and str.strip() remove without arguments.
bool is_python_space(char32_t c);
// str.isprintable for one character (repr escapes the others).
bool is_python_printable(char32_t c);
bool is_cased_upper(char32_t c);
bool is_cased_lower(char32_t c);
bool is_alpha(char32_t c);
bool is_decimal(char32_t c);
bool is_alnum(char32_t c);

// str.upper, str.lower, str.capitalize, str.title (Python's full case mapping for ß and ligatures
// is approximated by utf8proc's simple mapping, except ß -> SS).
std::string to_upper(std::string_view text);
std::string to_lower(std::string_view text);
std::string capitalize(std::string_view text);
std::string title_case(std::string_view text);
std::string swap_case(std::string_view text);

// str.strip / lstrip / rstrip: whitespace when `chars` is null, else any code point of *chars.
std::string_view strip(std::string_view text, const std::string_view* chars, bool left, bool right);

// markupsafe.escape: & < > ' " as HTML entities.
std::string html_escape(std::string_view text);

}  // namespace transformers::chat_templates::detail
