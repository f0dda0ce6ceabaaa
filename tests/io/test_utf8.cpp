// find_invalid_utf8 (the strict UTF-8 check behind tokenizer.json loading, encode's input check and
// safetensors names) against a decoder written from the definition, on every 1-, 2- and 3-byte
// sequence, the 4-byte sequences' edge cases and random mixtures, at offsets on both sides of the
// 32-byte blocks the vectorized path works in.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "src/io/utf8.hpp"

namespace {

using transformers::detail::find_invalid_utf8;

// Decodes by the definition: the lead byte's leading ones give the length, the continuation bytes
// carry 6 bits each, and the code point must need exactly that length, be <= U+10FFFF and not be a
// surrogate.
size_t reference_find_invalid(const std::string& bytes) {
  size_t at = 0;
  while (at < bytes.size()) {
    const auto lead = static_cast<uint8_t>(bytes[at]);
    size_t length = 0;
    while (length < 8 && (lead & (0x80 >> length))) ++length;
    if (length == 0) {
      ++at;
      continue;
    }
    if (length == 1 || length > 4 || at + length > bytes.size()) return at;
    uint32_t code_point = lead & (0x7F >> length);
    for (size_t i = 1; i < length; ++i) {
      const auto byte = static_cast<uint8_t>(bytes[at + i]);
      if ((byte & 0xC0) != 0x80) return at;
      code_point = (code_point << 6) | (byte & 0x3F);
    }
    const uint32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < smallest[length] || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF))
      return at;
    at += length;
  }
  return std::string::npos;
}

// `sequence` placed at `offset` in ASCII text of `size` bytes (or at the end when offset is npos).
std::string embedded(const std::string& sequence, size_t offset, size_t size) {
  std::string text(size, 'a');
  if (offset == std::string::npos) offset = size - sequence.size();
  text.replace(offset, sequence.size(), sequence);
  return text;
}

void check(const std::string& text) {
  const size_t expected = reference_find_invalid(text);
  const size_t found = find_invalid_utf8(text);
  if (found != expected) {
    std::string hex;
    for (unsigned char c : text) hex += std::to_string(c) + " ";
    FAIL("bytes " << hex << ": expected " << expected << ", found " << found);
  }
}

}  // namespace

TEST_CASE("find_invalid_utf8: known sequences", "[utf8]") {
  CHECK(find_invalid_utf8("") == std::string::npos);
  CHECK(find_invalid_utf8("plain ascii") == std::string::npos);
  CHECK(find_invalid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == std::string::npos);  // é € 😀
  CHECK(find_invalid_utf8("ab\xC0\xAF") == 2);                                                 // overlong '/'
  CHECK(find_invalid_utf8("\xED\xA0\x80") == 0);                                               // surrogate U+D800
  CHECK(find_invalid_utf8("x\xF4\x90\x80\x80") == 1);                                          // U+110000
  CHECK(find_invalid_utf8("abc\xE2\x82") == 3);                                                // cut off by the end
  CHECK(find_invalid_utf8(embedded("\xE2\x82", std::string::npos, 100)) == 98);
  CHECK(find_invalid_utf8(embedded("\x80", 64, 100)) == 64);  // a stray continuation byte
}

TEST_CASE("find_invalid_utf8: every 1-, 2- and 3-byte sequence agrees with the definition", "[utf8]") {
  for (int a = 0; a < 256; ++a) {
    const std::string one(1, static_cast<char>(a));
    for (size_t offset : {size_t{0}, size_t{31}, size_t{32}, size_t{70}, std::string::npos})
      check(embedded(one, offset, 100));
    for (int b = 0; b < 256; ++b) {
      const std::string two{static_cast<char>(a), static_cast<char>(b)};
      for (size_t offset : {size_t{0}, size_t{31}, size_t{63}, std::string::npos}) check(embedded(two, offset, 100));
    }
  }
  for (int a = 0xC0; a < 256; ++a)
    for (int b = 0; b < 256; ++b)
      for (int c = 0; c < 256; ++c) {
        const std::string three{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c)};
        check(embedded(three, 30, 64));  // across the first block's end
      }
}

TEST_CASE("find_invalid_utf8: 4-byte edge cases and random mixtures agree with the definition", "[utf8]") {
  const std::vector<int> tails = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC2, 0xE0, 0xF0, 0xFF};
  for (int a = 0xE0; a < 256; ++a)
    for (int b : tails)
      for (int c : tails)
        for (int d : tails) {
          const std::string four{static_cast<char>(a), static_cast<char>(b), static_cast<char>(c),
                                 static_cast<char>(d)};
          for (size_t offset : {size_t{29}, size_t{40}, std::string::npos}) check(embedded(four, offset, 80));
        }

  // Valid characters of every length with, now and then, a random byte in between.
  const std::vector<std::string> pieces = {"a",
                                           " ",
                                           "\xC3\xA9",
                                           "\xC4\xA0",
                                           "\xDF\xBF",
                                           "\xE2\x82\xAC",
                                           "\xED\x9F\xBF",
                                           "\xEF\xBF\xBF",
                                           "\xF0\x90\x80\x80",
                                           "\xF4\x8F\xBF\xBF"};
  std::mt19937 random(7);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const size_t length = random() % 200;
    while (text.size() < length) {
      if (random() % 50 == 0)
        text += static_cast<char>(random() % 256);
      else
        text += pieces[random() % pieces.size()];
    }
    check(text);
  }
}
