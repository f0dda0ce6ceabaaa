#include "utf8.hpp"

#include <cstdint>

namespace transformers::detail {

namespace {

bool is_continuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// The length of the well-formed sequence starting at `at`, or 0 when it is ill-formed. The
// second byte's allowed range depends on the lead byte: that is where overlong encodings,
// UTF-16 surrogates and values past U+10FFFF are ruled out (Unicode Table 3-7).
size_t sequence_length(std::string_view bytes, size_t at) {
  const auto lead = static_cast<uint8_t>(bytes[at]);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint8_t second_min = 0x80, second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) second_min = 0xA0;  // overlong below U+0800
    if (lead == 0xED) second_max = 0x9F;  // surrogates U+D800..DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) second_min = 0x90;  // overlong below U+10000
    if (lead == 0xF4) second_max = 0x8F;  // past U+10FFFF
  } else {
    return 0;  // a continuation byte, an overlong lead (C0, C1) or F5..FF
  }
  if (bytes.size() - at < length) return 0;
  const auto second = static_cast<uint8_t>(bytes[at + 1]);
  if (second < second_min || second > second_max) return 0;
  for (size_t i = 2; i < length; ++i)
    if (!is_continuation(static_cast<uint8_t>(bytes[at + i]))) return 0;
  return length;
}

}  // namespace

size_t find_invalid_utf8(std::string_view bytes) {
  size_t at = 0;
  while (at < bytes.size()) {
    const size_t length = sequence_length(bytes, at);
    if (length == 0) return at;
    at += length;
  }
  return std::string_view::npos;
}

}  // namespace transformers::detail
