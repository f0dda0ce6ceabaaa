// Python str semantics over UTF-8: utf8proc supplies the Unicode categories and simple case mappings.
#include "text.hpp"

#include <utf8proc.h>

namespace transformers::chat_templates::detail {

namespace {

utf8proc_category_t category(char32_t c) { return utf8proc_category(static_cast<utf8proc_int32_t>(c)); }

template <typename Map>
std::string map_code_points(std::string_view text, Map map) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0, length = 0; at < text.size(); at += length) map(decode_utf8(text, at, length), out);
  return out;
}

void append_upper(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
  } else if (c == U'\u00DF') {
    out += "SS";  // Python's full mapping; utf8proc's simple one keeps ß
  } else {
    append_utf8(out, static_cast<char32_t>(utf8proc_toupper(static_cast<utf8proc_int32_t>(c))));
  }
}

void append_lower(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  } else if (c == U'\u0130') {
    out += "i\u0307";  // Python's full mapping of İ
  } else {
    append_utf8(out, static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
  }
}

void append_title(char32_t c, std::string& out) {
  if (c < 0x80) return append_upper(c, out);
  append_utf8(out, static_cast<char32_t>(utf8proc_totitle(static_cast<utf8proc_int32_t>(c))));
}

bool is_cased(char32_t c) {
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT;
}

bool contains_code_point(std::string_view chars, char32_t c) {
  for (size_t at = 0, length = 0; at < chars.size(); at += length)
    if (decode_utf8(chars, at, length) == c) return true;
  return false;
}

}  // namespace

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

size_t find_invalid_utf8(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80) {
      ++at;
      continue;
    }
    size_t length = 0;
    char32_t minimum = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2, minimum = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3, minimum = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4, minimum = 0x10000;
    } else {
      return at;
    }
    if (at + length > text.size()) return at;
    for (size_t i = 1; i < length; ++i)
      if ((static_cast<unsigned char>(text[at + i]) & 0xC0) != 0x80) return at;
    size_t used = 0;
    const char32_t c = decode_utf8(text, at, used);
    if (c < minimum || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return at;
    at += length;
  }
  return std::string_view::npos;
}

bool is_ascii(std::string_view text) {
  for (char byte : text)
    if (static_cast<unsigned char>(byte) >= 0x80) return false;
  return true;
}

size_t count_code_points(std::string_view text) {
  size_t count = 0;
  for (char byte : text) count += (static_cast<unsigned char>(byte) & 0xC0) != 0x80;
  return count;
}

size_t byte_offset_of(std::string_view text, size_t index) {
  size_t at = 0;
  for (size_t seen = 0; at < text.size(); ++at) {
    if ((static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) continue;
    if (seen++ == index) return at;
  }
  return at;
}

bool is_python_space(char32_t c) {
  switch (c) {
    case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
    case 0x1C: case 0x1D: case 0x1E: case 0x1F: case 0x85: case 0xA0: case 0x1680:
    case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_python_printable(char32_t c) {
  if (c == ' ') return true;
  if (c < 0x80) return c > 0x20 && c < 0x7F;
  switch (category(c)) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO: case UTF8PROC_CATEGORY_CN: case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_ZS:
      return false;
    default:
      return true;
  }
}

bool is_cased_upper(char32_t c) {
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LT;
}

bool is_cased_lower(char32_t c) { return category(c) == UTF8PROC_CATEGORY_LL; }

bool is_alpha(char32_t c) {
  const auto cat = category(c);
  return cat == UTF8PROC_CATEGORY_LU || cat == UTF8PROC_CATEGORY_LL || cat == UTF8PROC_CATEGORY_LT ||
         cat == UTF8PROC_CATEGORY_LM || cat == UTF8PROC_CATEGORY_LO;
}

bool is_decimal(char32_t c) { return category(c) == UTF8PROC_CATEGORY_ND; }

bool is_alnum(char32_t c) {
  const auto cat = category(c);
  return is_alpha(c) || cat == UTF8PROC_CATEGORY_ND || cat == UTF8PROC_CATEGORY_NL || cat == UTF8PROC_CATEGORY_NO;
}

std::string to_upper(std::string_view text) { return map_code_points(text, append_upper); }
// Python's lower() with its one context rule: a capital sigma ending a word becomes the final ς.
std::string to_lower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool previous_cased = false;
  for (size_t at = 0, length = 0; at < text.size(); at += length) {
    const char32_t c = decode_utf8(text, at, length);
    if (c == U'\u03A3' && previous_cased) {
      size_t next_length = 0;
      const bool next_cased = at + length < text.size() && is_cased(decode_utf8(text, at + length, next_length));
      if (!next_cased) {
        out += "\u03C2";
        previous_cased = true;
        continue;
      }
    }
    append_lower(c, out);
    previous_cased = is_cased(c);
  }
  return out;
}

std::string capitalize(std::string_view text) {
  bool first = true;
  return map_code_points(text, [&](char32_t c, std::string& out) {
    first ? append_title(c, out) : append_lower(c, out);
    first = false;
  });
}

std::string title_case(std::string_view text) {
  bool previous_cased = false;
  return map_code_points(text, [&](char32_t c, std::string& out) {
    previous_cased ? append_lower(c, out) : append_title(c, out);
    previous_cased = is_cased(c);
  });
}

std::string swap_case(std::string_view text) {
  return map_code_points(text, [](char32_t c, std::string& out) {
    if (is_cased_upper(c)) return append_lower(c, out);
    if (is_cased_lower(c)) return append_upper(c, out);
    append_utf8(out, c);
  });
}

std::string_view strip(std::string_view text, const std::string_view* chars, bool left, bool right) {
  auto removable = [&](char32_t c) { return chars ? contains_code_point(*chars, c) : is_python_space(c); };
  size_t begin = 0, end = text.size();
  if (left) {
    for (size_t length = 0; begin < end; begin += length)
      if (!removable(decode_utf8(text, begin, length))) break;
  }
  if (right) {
    while (end > begin) {
      size_t start = end - 1;
      while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
      size_t length = 0;
      if (!removable(decode_utf8(text, start, length))) break;
      end = start;
    }
  }
  return text.substr(begin, end - begin);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&#39;"; break;
      case '"': out += "&#34;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace transformers::chat_templates::detail
