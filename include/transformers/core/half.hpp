#pragma once
// f16 and bf16 <-> f32 conversions, bit-exact with PyTorch (round to nearest, ties to even; NaN
// stays NaN). Plain integer arithmetic so the same functions compile as CUDA device code.
#include <cstdint>
#include <cstring>

#if defined(__CUDACC__)
#define TRANSFORMERS_HOST_DEVICE __host__ __device__
#else
#define TRANSFORMERS_HOST_DEVICE
#endif

namespace transformers {

TRANSFORMERS_HOST_DEVICE inline uint32_t float_bits(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}

TRANSFORMERS_HOST_DEVICE inline float bits_float(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

TRANSFORMERS_HOST_DEVICE inline float bf16_bits_to_float(uint16_t h) {
  return bits_float(static_cast<uint32_t>(h) << 16);
}

TRANSFORMERS_HOST_DEVICE inline uint16_t float_to_bf16_bits(float f) {
  uint32_t u = float_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;  // every NaN becomes PyTorch's quiet NaN
  uint32_t rounding_bias = 0x7fffu + ((u >> 16) & 1u);
  return static_cast<uint16_t>((u + rounding_bias) >> 16);
}

TRANSFORMERS_HOST_DEVICE inline float f16_bits_to_float(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exponent = (h >> 10) & 0x1fu;
  uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0x1f) return bits_float(sign | 0x7f800000u | (mantissa << 13));  // inf / NaN
  if (exponent != 0) return bits_float(sign | ((exponent + 112u) << 23) | (mantissa << 13));
  if (mantissa == 0) return bits_float(sign);  // signed zero
  // Subnormal half: value = mantissa * 2^-24, exact in f32.
  float magnitude = static_cast<float>(mantissa) * 5.9604644775390625e-8f;
  return sign ? -magnitude : magnitude;
}

TRANSFORMERS_HOST_DEVICE inline uint16_t float_to_f16_bits(float f) {
  uint32_t u = float_bits(f);
  uint16_t sign = static_cast<uint16_t>((u >> 16) & 0x8000u);
  uint32_t magnitude = u & 0x7fffffffu;
  if (magnitude > 0x7f800000u) return sign | 0x7e00u;   // NaN: PyTorch's canonical quiet NaN
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;  // rounds to or beyond infinity
  if (magnitude < 0x38800000u) {
    // Result is a half subnormal (or zero): shift the full 24-bit significand into place and
    // round to nearest even on the bits shifted out.
    if (magnitude < 0x33000000u) return sign;  // below half the smallest subnormal: +-0
    uint32_t exponent = magnitude >> 23;
    uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126u - exponent;  // 14..24
    uint32_t kept = significand >> shift;
    uint32_t rest = significand & ((1u << shift) - 1u);
    uint32_t halfway = 1u << (shift - 1u);
    if (rest > halfway || (rest == halfway && (kept & 1u))) ++kept;
    return sign | static_cast<uint16_t>(kept);
  }
  // Normal: rebias the exponent, then round the 13 dropped mantissa bits to nearest even. A carry
  // out of the mantissa correctly bumps the exponent (up to infinity).
  uint32_t rebased = magnitude - (112u << 23);
  uint32_t rounded = rebased + 0xfffu + ((rebased >> 13) & 1u);
  return sign | static_cast<uint16_t>(rounded >> 13);
}

// Storage types for the two 16-bit floats: just the bits, converted explicitly.
struct Half {
  uint16_t bits;
};
struct BFloat16 {
  uint16_t bits;
};

}  // namespace transformers
