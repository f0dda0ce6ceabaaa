#include "byte_level.hpp"

#include <array>

#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

bool is_printable_byte(unsigned byte) {
  return (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || (byte >= 0xAE && byte <= 0xFF);
}

const std::array<char32_t, 256>& byte_table() {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> chars{};
    char32_t next_unprintable = 0x100;
    for (unsigned byte = 0; byte < 256; ++byte) chars[byte] = is_printable_byte(byte) ? byte : next_unprintable++;
    return chars;
  }();
  return table;
}

}  // namespace

char32_t byte_to_char(uint8_t byte) { return byte_table()[byte]; }

std::optional<uint8_t> char_to_byte(char32_t c) {
  if (c < 256 && is_printable_byte(c)) return static_cast<uint8_t>(c);
  if (c >= 0x100 && c < 0x100 + 68) {
    const auto& table = byte_table();
    for (unsigned byte = 0; byte < 256; ++byte)
      if (table[byte] == c) return static_cast<uint8_t>(byte);
  }
  return std::nullopt;
}

void trim_byte_level_offsets(Encoding& encoding, bool add_prefix_space) {
  auto is_space = [](char32_t c) { return c == 0x120 || is_whitespace(c); };
  for (size_t i = 0; i < encoding.tokens.size(); ++i) {
    // Leading and trailing space chars, decoded in place (no code point vector per token).
    const std::string_view token = encoding.tokens[i];
    size_t leading = 0, trailing = 0;
    for (size_t at = 0, length = 0; at < token.size(); at += length) {
      if (!is_space(decode_utf8(token, at, length))) break;
      ++leading;
    }
    for (size_t end = token.size(); end > 0;) {
      size_t start = end - 1, length = 0;
      while (start > 0 && (static_cast<unsigned char>(token[start]) & 0xC0) == 0x80) --start;
      if (!is_space(decode_utf8(token, start, length))) break;
      ++trailing;
      end = start;
    }
    CharOffsets& offsets = encoding.offsets[i];
    if (leading > 0) {
      const bool is_first = i == 0 || offsets.first == 0;
      if (is_first && add_prefix_space && leading == 1) leading = 0;
      offsets.first = std::min(offsets.first + leading, offsets.second);
    }
    if (trailing > 0 && offsets.second >= trailing) offsets.second = std::max(offsets.second - trailing, offsets.first);
  }
}

std::string utf8_lossy(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (size_t at = 0; at < bytes.size();) {
    const auto lead = static_cast<unsigned char>(bytes[at]);
    size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;
    if (lead < 0x80)
      length = 1;
    else if (lead >= 0xC2 && lead <= 0xDF)
      length = 2;
    else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    }
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++at;
      continue;
    }
    // Count the bytes that still form a valid prefix of the sequence.
    size_t valid = 1;
    while (valid < length && at + valid < bytes.size()) {
      const auto byte = static_cast<unsigned char>(bytes[at + valid]);
      const unsigned char min = valid == 1 ? low : 0x80, max = valid == 1 ? high : 0xBF;
      if (byte < min || byte > max) break;
      ++valid;
    }
    if (valid == length)
      out.append(bytes.substr(at, length));
    else
      out += "\xEF\xBF\xBD";
    at += valid;
  }
  return out;
}

}  // namespace transformers::tokenizers::detail
