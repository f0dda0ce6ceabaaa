// f16/bf16 conversions against hand-derived bit patterns and, for f16, against the CPU's own
// F16C instructions (IEEE round-to-nearest-even) over a large sample of all f32 bit patterns.
#include <immintrin.h>

#include <cmath>
#include <sstream>

#include <catch2/catch.hpp>

#include "transformers/core/half.hpp"

using namespace transformers;

namespace {

__attribute__((target("f16c"))) uint16_t hardware_f16(float f) {
  return static_cast<uint16_t>(_cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}
__attribute__((target("f16c"))) float hardware_f32(uint16_t h) { return _cvtsh_ss(h); }

bool same_bits_or_both_nan(float a, float b) {
  return float_bits(a) == float_bits(b) || (std::isnan(a) && std::isnan(b));
}

}  // namespace

TEST_CASE("f32 -> bf16 rounds to nearest even, as PyTorch", "[half]") {
  CHECK(float_to_bf16_bits(1.0f) == 0x3f80);
  CHECK(float_to_bf16_bits(bits_float(0x3f808000)) == 0x3f80);  // tie, even stays
  CHECK(float_to_bf16_bits(bits_float(0x3f818000)) == 0x3f82);  // tie, odd rounds up
  CHECK(float_to_bf16_bits(bits_float(0x3f808001)) == 0x3f81);  // just above the tie
  CHECK(float_to_bf16_bits(-0.0f) == 0x8000);
  CHECK(float_to_bf16_bits(bits_float(0x7f7fffff)) == 0x7f80);  // max float rounds to inf
  CHECK(float_to_bf16_bits(bits_float(0x7fa00000)) == 0x7fc0);  // signalling NaN -> quiet NaN
  CHECK(float_to_bf16_bits(bits_float(0xffc00001)) == 0x7fc0);
  CHECK(float_to_bf16_bits(bits_float(0x00000001)) == 0x0000);  // smallest subnormal
  CHECK(bf16_bits_to_float(0x4049) == 3.140625f);
}

TEST_CASE("f16 hand-derived values", "[half]") {
  CHECK(float_to_f16_bits(1.0f) == 0x3c00);
  CHECK(float_to_f16_bits(65504.0f) == 0x7bff);
  CHECK(float_to_f16_bits(65519.99f) == 0x7bff);
  CHECK(float_to_f16_bits(65520.0f) == 0x7c00);                 // tie at the top rounds to even: infinity
  CHECK(float_to_f16_bits(5.9604644775390625e-8f) == 0x0001);   // 2^-24
  CHECK(float_to_f16_bits(2.98023223876953125e-8f) == 0x0000);  // 2^-25: tie to even zero
  CHECK(float_to_f16_bits(2.98023259e-8f) == 0x0001);           // just above
  CHECK(float_to_f16_bits(-0.0f) == 0x8000);
  CHECK(float_to_f16_bits(std::nanf("")) == 0x7e00);
  CHECK(f16_bits_to_float(0x3555) == 0.333251953125f);
  CHECK(f16_bits_to_float(0x0001) == 5.9604644775390625e-8f);
  CHECK(std::isinf(f16_bits_to_float(0xfc00)));
}

TEST_CASE("f16 <-> f32 matches F16C hardware over a sample of every exponent", "[half]") {
  if (!__builtin_cpu_supports("f16c")) {
    WARN("this CPU has no F16C: hardware comparison skipped");
    return;
  }
  // Every f16 pattern converts to f32 identically.
  int mismatches = 0;
  for (uint32_t h = 0; h < 0x10000; ++h)
    if (!same_bits_or_both_nan(f16_bits_to_float(static_cast<uint16_t>(h)), hardware_f32(static_cast<uint16_t>(h))))
      ++mismatches;
  REQUIRE(mismatches == 0);
  // f32 -> f16 on ~17 million patterns: a stride co-prime with 2^32 visits every exponent and
  // all low-bit (rounding) patterns. NaNs only need to stay quiet NaNs (PyTorch drops payloads).
  std::ostringstream first_mismatch;
  uint32_t bits = 0;
  for (int i = 0; i < (1 << 24); ++i, bits += 255u) {
    const float f = bits_float(bits);
    const uint16_t ours = float_to_f16_bits(f);
    const bool ok = std::isnan(f) ? (ours & 0x7e00) == 0x7e00 : ours == hardware_f16(f);
    if (!ok && mismatches++ == 0)
      first_mismatch << "f32 0x" << std::hex << bits << ": ours 0x" << ours << ", F16C 0x" << hardware_f16(f);
  }
  INFO(first_mismatch.str());
  REQUIRE(mismatches == 0);
}
