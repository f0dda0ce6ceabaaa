#include "utf8.hpp"

#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

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

// The number of ASCII bytes at `at` within the next 8 (8 when all are), or 0 near the end.
size_t ascii_run(const uint8_t* at, const uint8_t* end) {
  if (end - at < 8) return 0;
  uint64_t word;
  std::memcpy(&word, at, 8);
  const uint64_t high_bits = word & 0x8080808080808080ull;
  return high_bits == 0 ? 8 : static_cast<size_t>(__builtin_ctzll(high_bits)) / 8;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define TRANSFORMERS_UTF8_AVX2 1

// Whole-buffer validation 32 bytes at a time (the lookup-table method of Keiser and Lemire,
// "Validating UTF-8 in less than one instruction per byte", 2021). Every error shows in a window
// of two bytes (previous, current), except a missing or surplus continuation byte, which needs
// the two bytes before those. Each error kind is one bit; three 16-entry tables (previous byte's
// high nibble, its low nibble, current byte's high nibble) give the kinds each nibble allows, and
// their AND has a bit set exactly where that error occurs.
enum : uint8_t {
  kTooShort = 1 << 0,   // a lead byte followed by ASCII or another lead
  kTooLong = 1 << 1,    // ASCII followed by a continuation byte
  kOverlong3 = 1 << 2,  // E0 80..9F
  kTooLarge = 1 << 3,   // F4 90..BF, F5..FF 90..BF
  kSurrogate = 1 << 4,  // ED A0..BF
  kOverlong2 = 1 << 5,  // C0, C1 followed by a continuation byte
  kOverlong4 = 1 << 6,  // F0 80..8F, and F5..FF 80..8F
  kTwoConts = 1 << 7,   // continuation after continuation: an error unless it is a 3rd/4th byte
};

constexpr uint8_t kAnyLow = kTooShort | kTooLong | kTwoConts;
constexpr uint8_t kContinuation = kTooLong | kTwoConts | kOverlong2;

__attribute__((target("avx2"))) __m256i table(const uint8_t (&entries)[16]) {
  const __m128i half = _mm_loadu_si128(reinterpret_cast<const __m128i*>(entries));
  return _mm256_broadcastsi128_si256(half);
}

__attribute__((target("avx2"))) __m256i high_nibbles(__m256i bytes) {
  return _mm256_and_si256(_mm256_srli_epi16(bytes, 4), _mm256_set1_epi8(0x0F));
}

// The error bits of each byte of `current`, given the 1, 2 and 3 bytes before each.
__attribute__((target("avx2"))) __m256i block_errors(__m256i current, __m256i previous1, __m256i previous2,
                                                     __m256i previous3) {
  static constexpr uint8_t kPreviousHigh[16] = {kTooLong,
                                                kTooLong,
                                                kTooLong,
                                                kTooLong,
                                                kTooLong,
                                                kTooLong,
                                                kTooLong,
                                                kTooLong,
                                                kTwoConts,
                                                kTwoConts,
                                                kTwoConts,
                                                kTwoConts,
                                                kTooShort | kOverlong2,
                                                kTooShort,
                                                kTooShort | kOverlong3 | kSurrogate,
                                                kTooShort | kTooLarge | kOverlong4};
  static constexpr uint8_t kPreviousLow[16] = {kAnyLow | kOverlong2 | kOverlong3 | kOverlong4,
                                               kAnyLow | kOverlong2,
                                               kAnyLow,
                                               kAnyLow,
                                               kAnyLow | kTooLarge,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4 | kSurrogate,
                                               kAnyLow | kTooLarge | kOverlong4,
                                               kAnyLow | kTooLarge | kOverlong4};
  static constexpr uint8_t kCurrentHigh[16] = {kTooShort,
                                               kTooShort,
                                               kTooShort,
                                               kTooShort,
                                               kTooShort,
                                               kTooShort,
                                               kTooShort,
                                               kTooShort,
                                               kContinuation | kOverlong3 | kOverlong4,
                                               kContinuation | kOverlong3 | kTooLarge,
                                               kContinuation | kSurrogate | kTooLarge,
                                               kContinuation | kSurrogate | kTooLarge,
                                               kTooShort,
                                               kTooShort,
                                               kTooShort,
                                               kTooShort};
  const __m256i low_nibble = _mm256_set1_epi8(0x0F);
  const __m256i special = _mm256_and_si256(
      _mm256_and_si256(_mm256_shuffle_epi8(table(kPreviousHigh), high_nibbles(previous1)),
                       _mm256_shuffle_epi8(table(kPreviousLow), _mm256_and_si256(previous1, low_nibble))),
      _mm256_shuffle_epi8(table(kCurrentHigh), high_nibbles(current)));
  // Must be a continuation byte: the 3rd byte of a sequence led by E0..FF, or the 4th of F0..FF.
  const __m256i third = _mm256_subs_epu8(previous2, _mm256_set1_epi8(static_cast<char>(0xE0 - 0x80)));
  const __m256i fourth = _mm256_subs_epu8(previous3, _mm256_set1_epi8(static_cast<char>(0xF0 - 0x80)));
  const __m256i must_continue =
      _mm256_and_si256(_mm256_or_si256(third, fourth), _mm256_set1_epi8(static_cast<char>(0x80)));
  return _mm256_xor_si256(special, must_continue);
}

__attribute__((target("avx2"))) __m256i load(const uint8_t* at) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(at));
}

// `at` points 3 bytes into readable memory that holds the 3 bytes before the block.
__attribute__((target("avx2"))) __m256i errors_at(const uint8_t* at) {
  return block_errors(load(at), load(at - 1), load(at - 2), load(at - 3));
}

__attribute__((target("avx2"))) bool valid_utf8_avx2(const uint8_t* data, size_t size) {
  // The first and the last block go through a buffer: 3 bytes before (zeros at the start) and
  // zeros after the end, so that a sequence cut off by the end shows as "too short".
  uint8_t padded[3 + 32] = {};
  __m256i errors = _mm256_setzero_si256();
  size_t at = 0;
  if (size >= 32) {
    std::memcpy(padded + 3, data, 32);
    errors = errors_at(padded + 3);
    for (at = 32; at + 32 <= size; at += 32) errors = _mm256_or_si256(errors, errors_at(data + at));
  }
  std::memset(padded, 0, sizeof padded);
  for (size_t i = 1; i <= 3 && i <= at; ++i) padded[3 - i] = data[at - i];
  std::memcpy(padded + 3, data + at, size - at);
  errors = _mm256_or_si256(errors, errors_at(padded + 3));
  return _mm256_testz_si256(errors, errors);
}
#endif

// One sequence at a time, with fast paths for what dominates real text: ASCII runs and 2-byte
// sequences. Gives the offset of the first error.
size_t find_invalid_utf8_scalar(std::string_view bytes) {
  const auto* begin = reinterpret_cast<const uint8_t*>(bytes.data());
  const uint8_t* end = begin + bytes.size();
  const uint8_t* at = begin;
  while (at < end) {
    if (*at < 0x80) {
      const size_t run = ascii_run(at, end);
      at += run > 0 ? run : 1;
      continue;
    }
    if (*at >= 0xC2 && *at <= 0xDF && end - at >= 2 && is_continuation(at[1])) {
      at += 2;
      continue;
    }
    const size_t length = sequence_length(bytes, static_cast<size_t>(at - begin));
    if (length == 0) return static_cast<size_t>(at - begin);
    at += length;
  }
  return std::string_view::npos;
}

}  // namespace

size_t find_invalid_utf8(std::string_view bytes) {
#ifdef TRANSFORMERS_UTF8_AVX2
  // Valid text (the common case) is confirmed in bulk; only an error is located one sequence at a time.
  static const bool has_avx2 = __builtin_cpu_supports("avx2");
  if (has_avx2 && bytes.size() >= 64 && valid_utf8_avx2(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()))
    return std::string_view::npos;
#endif
  return find_invalid_utf8_scalar(bytes);
}

}  // namespace transformers::detail
