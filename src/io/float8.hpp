#pragma once
// The two 8-bit float formats of safetensors files (PyTorch's float8_e4m3fn and float8_e5m2),
// decoded exactly to f32: every value of both formats is representable in f32.
#include <cstdint>

namespace transformers::detail {

// e4m3fn: sign, 4 exponent bits (bias 7), 3 mantissa bits; no infinities, and only S.1111.111 is
// NaN, which frees the rest of the top exponent for finite values up to 448.
float float8_e4m3fn_to_float(uint8_t bits);

// e5m2: sign, 5 exponent bits (bias 15), 2 mantissa bits, with IEEE infinities and NaNs.
float float8_e5m2_to_float(uint8_t bits);

}  // namespace transformers::detail
