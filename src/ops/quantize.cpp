// ops::quantize_blocks: floating rows into ggml's Q8_0 / Q4_0 / Q4_1 blocks, with the arithmetic of
// ggml's reference quantizers (quantize_row_q8_0_ref ...), so that a model quantized here at load
// holds the bytes llama.cpp's quantizer would write for the same weights.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "transformers/core/half.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

namespace {

constexpr int64_t kBlock = 32;

void put_half(uint8_t* at, float value) {
  const uint16_t bits = float_to_f16_bits(value);
  std::memcpy(at, &bits, 2);
}

// d = max |x| / 127, q = round(x / d).
void quantize_q8_0(const float* x, uint8_t* block) {
  float largest = 0.0f;
  for (int64_t i = 0; i < kBlock; ++i) largest = std::max(largest, std::fabs(x[i]));
  const float d = largest / 127.0f, inverse = d != 0.0f ? 1.0f / d : 0.0f;
  put_half(block, d);
  for (int64_t i = 0; i < kBlock; ++i)
    block[2 + i] = static_cast<uint8_t>(static_cast<int8_t>(std::round(x[i] * inverse)));
}

// d = (the value of largest magnitude) / -8, q = x / d + 8 in 0..15; quants i and i + 16 share byte i.
void quantize_q4_0(const float* x, uint8_t* block) {
  float largest = 0.0f, extreme = 0.0f;
  for (int64_t i = 0; i < kBlock; ++i)
    if (std::fabs(x[i]) > largest) largest = std::fabs(x[i]), extreme = x[i];
  const float d = extreme / -8.0f, inverse = d != 0.0f ? 1.0f / d : 0.0f;
  put_half(block, d);
  for (int64_t i = 0; i < kBlock / 2; ++i) {
    const auto low = static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>(x[i] * inverse + 8.5f))));
    const auto high =
        static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>(x[i + 16] * inverse + 8.5f))));
    block[2 + i] = static_cast<uint8_t>(low | (high << 4));
  }
}

// d = (max - min) / 15, m = min, q = (x - m) / d in 0..15.
void quantize_q4_1(const float* x, uint8_t* block) {
  float low = x[0], high = x[0];
  for (int64_t i = 1; i < kBlock; ++i) low = std::min(low, x[i]), high = std::max(high, x[i]);
  const float d = (high - low) / 15.0f, inverse = d != 0.0f ? 1.0f / d : 0.0f;
  put_half(block, d);
  put_half(block + 2, low);
  for (int64_t i = 0; i < kBlock / 2; ++i) {
    const auto first =
        static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>((x[i] - low) * inverse + 0.5f))));
    const auto second =
        static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>((x[i + 16] - low) * inverse + 0.5f))));
    block[4 + i] = static_cast<uint8_t>(first | (second << 4));
  }
}

}  // namespace

Tensor quantize_blocks(const Tensor& matrix, DType block_dtype) {
  void (*quantize_block)(const float*, uint8_t*) = nullptr;
  switch (block_dtype) {
    case DType::Q8_0: quantize_block = quantize_q8_0; break;
    case DType::Q4_0: quantize_block = quantize_q4_0; break;
    case DType::Q4_1: quantize_block = quantize_q4_1; break;
    default:
      throw InvalidArgument(std::string("quantize_blocks: no quantizer for ") + dtype_name(block_dtype) +
                            " (q8_0, q4_0 and q4_1 have one)");
  }
  if (!matrix.defined() || matrix.dim() != 2 || !is_floating(matrix.dtype()) || matrix.size(1) % kBlock != 0)
    throw InvalidArgument("quantize_blocks: needs a floating matrix whose rows are whole blocks of 32, got " +
                          (matrix.defined() ? matrix.describe() : std::string("an undefined tensor")));
  const int64_t rows = matrix.size(0), columns = matrix.size(1), blocks = columns / kBlock;
  const Tensor f32 = matrix.to(Device::cpu()).to(DType::F32).contiguous();  // read in place, not copied again
  const float* values = f32.data<float>();
  const int64_t row_bytes = blocks * quant_block_bytes(block_dtype);
  Tensor out = Tensor::empty({rows, row_bytes}, block_dtype, Device::cpu());
  auto* bytes = static_cast<uint8_t*>(out.data_ptr());
#pragma omp parallel for if (rows * columns > (1 << 16))
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t b = 0; b < blocks; ++b)
      quantize_block(values + r * columns + b * kBlock,
                     bytes + r * row_bytes + b * quant_block_bytes(block_dtype));
  return out;
}

}  // namespace transformers::ops
