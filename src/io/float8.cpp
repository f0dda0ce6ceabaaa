#include "float8.hpp"

#include <limits>

#include "transformers/core/half.hpp"

namespace transformers::detail {

namespace {

float with_sign(bool negative, float magnitude) { return negative ? -magnitude : magnitude; }

}  // namespace

float float8_e4m3fn_to_float(uint8_t bits) {
  const bool negative = (bits & 0x80u) != 0;
  const uint32_t exponent = (bits >> 3) & 0xFu;
  const uint32_t mantissa = bits & 0x7u;
  if (exponent == 0xF && mantissa == 0x7) return with_sign(negative, std::numeric_limits<float>::quiet_NaN());
  if (exponent == 0) {
    // Subnormal (or zero): mantissa * 2^(1 - 7 - 3), an exact product of small powers of two.
    return with_sign(negative, static_cast<float>(mantissa) * 0x1p-9f);
  }
  // Normal: place the exponent rebased from bias 7 to f32's bias 127 and the 3 mantissa bits at
  // the top of f32's 23-bit mantissa.
  const uint32_t f32_bits = (static_cast<uint32_t>(negative) << 31) | ((exponent + 127u - 7u) << 23) | (mantissa << 20);
  return bits_float(f32_bits);
}

float float8_e5m2_to_float(uint8_t bits) {
  // e5m2 has the same sign and exponent fields as IEEE half precision with the mantissa cut to two
  // bits, so its byte is exactly the high byte of the half with the same value (inf and NaN too).
  return f16_bits_to_float(static_cast<uint16_t>(bits << 8));
}

}  // namespace transformers::detail
