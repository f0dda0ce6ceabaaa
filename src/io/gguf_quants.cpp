// Dequantization of ggml's block formats, in the order of operations of gguf.quants (the `gguf`
// Python package), so that the f32 results are the same bits: scales are multiplied first
// (d * scale), then by the quant, then the minimum is subtracted. This file is compiled without FMA,
// so no multiply-add is fused behind our back.
#include <cstring>

#include "transformers/core/error.hpp"
#include "transformers/core/half.hpp"
#include "transformers/io/gguf.hpp"
#include "block_dequantize.hpp"

namespace transformers::gguf {

namespace {

constexpr int64_t kQK = 32;    // elements per block of the basic formats
constexpr int64_t kQKK = 256;  // elements per block of the k-quants

float half(const uint8_t* p) {
  uint16_t bits;
  std::memcpy(&bits, p, 2);
  return f16_bits_to_float(bits);
}

void q4_0(const uint8_t* b, float* y) {  // d (f16), 16 bytes of two nibbles
  const float d = half(b);
  for (int j = 0; j < 16; ++j) {
    y[j] = d * static_cast<float>(static_cast<int>(b[2 + j] & 0x0F) - 8);
    y[j + 16] = d * static_cast<float>(static_cast<int>(b[2 + j] >> 4) - 8);
  }
}

void q4_1(const uint8_t* b, float* y) {  // d, m (f16), 16 bytes of two nibbles
  const float d = half(b), m = half(b + 2);
  for (int j = 0; j < 16; ++j) {
    y[j] = d * static_cast<float>(b[4 + j] & 0x0F) + m;
    y[j + 16] = d * static_cast<float>(b[4 + j] >> 4) + m;
  }
}

// The fifth bit of element j of a Q5 block, from its 32-bit little-endian qh.
uint32_t fifth_bit(const uint8_t* qh, int j) {
  uint32_t bits;
  std::memcpy(&bits, qh, 4);
  return (bits >> j) & 1u;
}

void q5_0(const uint8_t* b, float* y) {  // d, qh[4], qs[16]
  const float d = half(b);
  const uint8_t* qs = b + 6;
  for (int j = 0; j < 16; ++j) {
    const int low = static_cast<int>((qs[j] & 0x0F) | (fifth_bit(b + 2, j) << 4));
    const int high = static_cast<int>((qs[j] >> 4) | (fifth_bit(b + 2, j + 16) << 4));
    y[j] = d * static_cast<float>(low - 16);
    y[j + 16] = d * static_cast<float>(high - 16);
  }
}

void q5_1(const uint8_t* b, float* y) {  // d, m, qh[4], qs[16]
  const float d = half(b), m = half(b + 2);
  const uint8_t* qs = b + 8;
  for (int j = 0; j < 16; ++j) {
    y[j] = d * static_cast<float>((qs[j] & 0x0F) | (fifth_bit(b + 4, j) << 4)) + m;
    y[j + 16] = d * static_cast<float>((qs[j] >> 4) | (fifth_bit(b + 4, j + 16) << 4)) + m;
  }
}

void q8_0(const uint8_t* b, float* y) {  // d, 32 signed bytes
  const float d = half(b);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<int8_t>(b[2 + j])) * d;
}

void q2_k(const uint8_t* b, float* y) {  // scales[16], qs[64], d, dmin
  const uint8_t* scales = b;
  const uint8_t* qs = b + 16;
  const float d = half(b + 80), dmin = half(b + 82);
  for (int e = 0; e < kQKK; ++e) {
    const int group = e / 16, half_block = e / 128, shift = ((e % 128) / 32) * 2;
    const float dl = d * static_cast<float>(scales[group] & 0x0F);
    const float ml = dmin * static_cast<float>(scales[group] >> 4);
    const float q = static_cast<float>((qs[half_block * 32 + e % 32] >> shift) & 3);
    y[e] = dl * q - ml;
  }
}

void q3_k(const uint8_t* b, float* y) {  // hmask[32], qs[64], scales[12], d
  const uint8_t* hmask = b;
  const uint8_t* qs = b + 32;
  const uint8_t* packed = b + 96;
  const float d = half(b + 108);
  float dl[16];
  for (int i = 0; i < 16; ++i) {
    const int low = i < 8 ? (packed[i] & 0x0F) : (packed[i - 8] >> 4);
    const int high = (packed[8 + i % 4] >> ((i / 4) * 2)) & 0x03;
    dl[i] = d * static_cast<float>(static_cast<int8_t>(static_cast<uint8_t>(low | (high << 4))) - 32);
  }
  for (int e = 0; e < kQKK; ++e) {
    const int half_block = e / 128, shift = ((e % 128) / 32) * 2;
    const int low = (qs[half_block * 32 + e % 32] >> shift) & 3;
    const int high_bit = (hmask[e % 32] >> (e / 32)) & 1;
    y[e] = dl[e / 16] * static_cast<float>(low - ((high_bit ^ 1) << 2));
  }
}

// The eight 6-bit scales and minimums of a Q4_K / Q5_K block.
void scales_and_mins(const uint8_t* s, int* scale, int* minimum) {
  for (int i = 0; i < 4; ++i) {
    scale[i] = s[i] & 0x3F;
    minimum[i] = s[4 + i] & 0x3F;
    scale[4 + i] = (s[8 + i] & 0x0F) | ((s[i] >> 2) & 0x30);
    minimum[4 + i] = (s[8 + i] >> 4) | ((s[4 + i] >> 2) & 0x30);
  }
}

void q4_k(const uint8_t* b, float* y) {  // d, dmin, scales[12], qs[128]
  const float d = half(b), dmin = half(b + 2);
  int scale[8], minimum[8];
  scales_and_mins(b + 4, scale, minimum);
  const uint8_t* qs = b + 16;
  for (int e = 0; e < kQKK; ++e) {
    const int chunk = e / 32;
    const float dc = d * static_cast<float>(scale[chunk]), mc = dmin * static_cast<float>(minimum[chunk]);
    const int q = (qs[(chunk / 2) * 32 + e % 32] >> ((chunk % 2) * 4)) & 0x0F;
    y[e] = dc * static_cast<float>(q) - mc;
  }
}

void q5_k(const uint8_t* b, float* y) {  // d, dmin, scales[12], qh[32], qs[128]
  const float d = half(b), dmin = half(b + 2);
  int scale[8], minimum[8];
  scales_and_mins(b + 4, scale, minimum);
  const uint8_t* qh = b + 16;
  const uint8_t* qs = b + 48;
  for (int e = 0; e < kQKK; ++e) {
    const int chunk = e / 32;
    const float dc = d * static_cast<float>(scale[chunk]), mc = dmin * static_cast<float>(minimum[chunk]);
    const int low = (qs[(chunk / 2) * 32 + e % 32] >> ((chunk % 2) * 4)) & 0x0F;
    const int high = (qh[e % 32] >> chunk) & 1;
    y[e] = dc * static_cast<float>(low | (high << 4)) - mc;
  }
}

void q6_k(const uint8_t* b, float* y) {  // ql[128], qh[64], scales[16] (int8), d
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const auto* scales = reinterpret_cast<const int8_t*>(b + 192);
  const float d = half(b + 208);
  for (int e = 0; e < kQKK; ++e) {
    const int half_block = e / 128, within = e % 128, quarter = within / 32, l = within % 32;
    const int low = (ql[half_block * 64 + (quarter % 2) * 32 + l] >> ((quarter / 2) * 4)) & 0x0F;
    const int high = (qh[half_block * 32 + l] >> (quarter * 2)) & 0x03;
    const float dl = d * static_cast<float>(scales[e / 16]);
    y[e] = dl * static_cast<float>(static_cast<int8_t>(static_cast<uint8_t>(low | (high << 4))) - 32);
  }
}

using BlockFn = void (*)(const uint8_t*, float*);

BlockFn block_function(TensorType type) {
  switch (type) {
    case TensorType::Q4_0: return q4_0;
    case TensorType::Q4_1: return q4_1;
    case TensorType::Q5_0: return q5_0;
    case TensorType::Q5_1: return q5_1;
    case TensorType::Q8_0: return q8_0;
    case TensorType::Q2_K: return q2_k;
    case TensorType::Q3_K: return q3_k;
    case TensorType::Q4_K: return q4_k;
    case TensorType::Q5_K: return q5_k;
    case TensorType::Q6_K: return q6_k;
    default: return nullptr;
  }
}

}  // namespace

void dequantize(TensorType type, const void* blocks, float* out, int64_t count) {
  const auto* bytes = static_cast<const uint8_t*>(blocks);
  switch (type) {
    case TensorType::F32: std::memcpy(out, bytes, static_cast<size_t>(count) * 4); return;
    case TensorType::F16:
      for (int64_t i = 0; i < count; ++i) out[i] = half(bytes + 2 * i);
      return;
    case TensorType::BF16:
      for (int64_t i = 0; i < count; ++i) {
        uint16_t bits;
        std::memcpy(&bits, bytes + 2 * i, 2);
        out[i] = bf16_bits_to_float(bits);
      }
      return;
    default: break;
  }
  const BlockFn fn = block_function(type);
  if (!fn) throw InvalidArgument(std::string("gguf::dequantize: unsupported tensor type ") + type_name(type));
  const int64_t per_block = block_elements(type), size = block_bytes(type);
  if (count % per_block != 0)
    throw InvalidArgument("gguf::dequantize: " + std::to_string(count) + " elements are not whole " + type_name(type) +
                          " blocks of " + std::to_string(per_block));
  const int64_t blocks_count = count / per_block;
#pragma omp parallel for if (blocks_count > 256)
  for (int64_t i = 0; i < blocks_count; ++i) fn(bytes + i * size, out + i * per_block);
}

std::optional<DType> block_dtype(TensorType type) {
  switch (type) {
    case TensorType::Q4_0: return DType::Q4_0;
    case TensorType::Q4_1: return DType::Q4_1;
    case TensorType::Q5_0: return DType::Q5_0;
    case TensorType::Q5_1: return DType::Q5_1;
    case TensorType::Q8_0: return DType::Q8_0;
    case TensorType::Q2_K: return DType::Q2_K;
    case TensorType::Q3_K: return DType::Q3_K;
    case TensorType::Q4_K: return DType::Q4_K;
    case TensorType::Q5_K: return DType::Q5_K;
    case TensorType::Q6_K: return DType::Q6_K;
    default: return std::nullopt;
  }
}

const char* type_name(TensorType type) {
  switch (type) {
    case TensorType::F32: return "F32";
    case TensorType::F16: return "F16";
    case TensorType::BF16: return "BF16";
    case TensorType::Q4_0: return "Q4_0";
    case TensorType::Q4_1: return "Q4_1";
    case TensorType::Q5_0: return "Q5_0";
    case TensorType::Q5_1: return "Q5_1";
    case TensorType::Q8_0: return "Q8_0";
    case TensorType::Q2_K: return "Q2_K";
    case TensorType::Q3_K: return "Q3_K";
    case TensorType::Q4_K: return "Q4_K";
    case TensorType::Q5_K: return "Q5_K";
    case TensorType::Q6_K: return "Q6_K";
  }
  return "unknown";
}

int64_t block_elements(TensorType type) {
  switch (type) {
    case TensorType::F32:
    case TensorType::F16:
    case TensorType::BF16: return 1;
    case TensorType::Q4_0:
    case TensorType::Q4_1:
    case TensorType::Q5_0:
    case TensorType::Q5_1:
    case TensorType::Q8_0: return kQK;
    default: return kQKK;
  }
}

int64_t block_bytes(TensorType type) {
  switch (type) {
    case TensorType::F32: return 4;
    case TensorType::F16:
    case TensorType::BF16: return 2;
    case TensorType::Q4_0: return 18;
    case TensorType::Q4_1: return 20;
    case TensorType::Q5_0: return 22;
    case TensorType::Q5_1: return 24;
    case TensorType::Q8_0: return 34;
    case TensorType::Q2_K: return 84;
    case TensorType::Q3_K: return 110;
    case TensorType::Q4_K: return 144;
    case TensorType::Q5_K: return 176;
    case TensorType::Q6_K: return 210;
  }
  return 0;
}

}  // namespace transformers::gguf

namespace transformers {

void dequantize_blocks(DType dtype, const void* blocks, float* out, int64_t count) {
  for (const gguf::TensorType type : {gguf::TensorType::Q4_0, gguf::TensorType::Q4_1, gguf::TensorType::Q5_0,
                                      gguf::TensorType::Q5_1, gguf::TensorType::Q8_0, gguf::TensorType::Q2_K,
                                      gguf::TensorType::Q3_K, gguf::TensorType::Q4_K, gguf::TensorType::Q5_K,
                                      gguf::TensorType::Q6_K})
    if (gguf::block_dtype(type) == dtype) return gguf::dequantize(type, blocks, out, count);
  throw InvalidArgument(std::string("dequantize_blocks: ") + dtype_name(dtype) + " is not a block-quantized dtype");
}

}  // namespace transformers
