#pragma once
// Element types. A tensor's dtype is a runtime field; compute happens in f32 unless an op says so.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transformers/core/error.hpp"
#include "transformers/core/half.hpp"

namespace transformers {

// From Q4_0 on: ggml's block-quantized formats, kept as a GGUF file stores them. A tensor of one
// holds whole rows of blocks and its last dimension counts bytes (dtype_size is 1), so that views
// of rows work as for any tensor; block_columns gives the elements a row stands for. The x8 ones
// are Q4_0 / Q4_1 / Q8_0 with eight rows interleaved for the CPU's kernels (ops::pack_quantized;
// views of whole groups of eight rows only). Only linear layers and embedding tables read them (on
// the CPU); converting one is an error.
enum class DType : uint8_t {
  F32, F16, BF16, F64, I64, I32, I16, I8, U8, Bool,
  Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, Q4_0x8, Q4_1x8, Q8_0x8
};

inline bool is_block_quantized(DType t) { return t >= DType::Q4_0; }
// Eight rows interleaved (Q4_0x8, Q4_1x8, Q8_0x8).
inline bool is_packed_quantized(DType t) { return t >= DType::Q4_0x8; }

// Elements and bytes of one block of a block-quantized dtype (0 for the others).
inline int64_t quant_block_elements(DType t) {
  if (!is_block_quantized(t)) return 0;
  return t >= DType::Q2_K && t <= DType::Q6_K ? 256 : 32;
}
inline int64_t quant_block_bytes(DType t) {
  switch (t) {
    case DType::Q4_0:
    case DType::Q4_0x8: return 18;
    case DType::Q4_1:
    case DType::Q4_1x8: return 20;
    case DType::Q5_0: return 22;
    case DType::Q5_1: return 24;
    case DType::Q8_0:
    case DType::Q8_0x8: return 34;
    case DType::Q2_K: return 84;
    case DType::Q3_K: return 110;
    case DType::Q4_K: return 144;
    case DType::Q5_K: return 176;
    case DType::Q6_K: return 210;
    default: return 0;
  }
}
// The elements a row of `row_bytes` bytes of block-quantized dtype `t` holds.
inline int64_t block_columns(DType t, int64_t row_bytes) {
  return row_bytes / quant_block_bytes(t) * quant_block_elements(t);
}

inline size_t dtype_size(DType t) {
  switch (t) {
    case DType::F64:
    case DType::I64: return 8;
    case DType::F32:
    case DType::I32: return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16: return 2;
    case DType::I8:
    case DType::U8:
    case DType::Bool:
    case DType::Q4_0:
    case DType::Q4_1:
    case DType::Q5_0:
    case DType::Q5_1:
    case DType::Q8_0:
    case DType::Q2_K:
    case DType::Q3_K:
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K:
    case DType::Q4_0x8:
    case DType::Q4_1x8:
    case DType::Q8_0x8: return 1;
  }
  return 0;
}

// PyTorch's names ("float32", "bfloat16", "int64", "bool").
inline const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32: return "float32";
    case DType::F16: return "float16";
    case DType::BF16: return "bfloat16";
    case DType::F64: return "float64";
    case DType::I64: return "int64";
    case DType::I32: return "int32";
    case DType::I16: return "int16";
    case DType::I8: return "int8";
    case DType::U8: return "uint8";
    case DType::Bool: return "bool";
    case DType::Q4_0: return "q4_0";
    case DType::Q4_1: return "q4_1";
    case DType::Q5_0: return "q5_0";
    case DType::Q5_1: return "q5_1";
    case DType::Q8_0: return "q8_0";
    case DType::Q2_K: return "q2_k";
    case DType::Q3_K: return "q3_k";
    case DType::Q4_K: return "q4_k";
    case DType::Q5_K: return "q5_k";
    case DType::Q6_K: return "q6_k";
    case DType::Q4_0x8: return "q4_0x8";
    case DType::Q4_1x8: return "q4_1x8";
    case DType::Q8_0x8: return "q8_0x8";
  }
  return "?";
}

inline bool is_floating(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16 || t == DType::F64; }

// Parses PyTorch names as config.json writes them ("float32", "torch.float16", "bf16"...).
DType parse_dtype(std::string_view name);
// from_pretrained's dtype argument as transformers 5 takes it: "auto" (nullopt: the checkpoint's own
// dtype) or a floating dtype name ("float32", "bfloat16", "float16", ...).
std::optional<DType> parse_model_dtype(std::string_view name);

// The C++ type behind each dtype, for typed access (tensor.data<float>()).
template <typename T>
constexpr DType dtype_of();
template <>
constexpr DType dtype_of<float>() {
  return DType::F32;
}
template <>
constexpr DType dtype_of<double>() {
  return DType::F64;
}
template <>
constexpr DType dtype_of<Half>() {
  return DType::F16;
}
template <>
constexpr DType dtype_of<BFloat16>() {
  return DType::BF16;
}
template <>
constexpr DType dtype_of<int64_t>() {
  return DType::I64;
}
template <>
constexpr DType dtype_of<int32_t>() {
  return DType::I32;
}
template <>
constexpr DType dtype_of<int16_t>() {
  return DType::I16;
}
template <>
constexpr DType dtype_of<int8_t>() {
  return DType::I8;
}
template <>
constexpr DType dtype_of<uint8_t>() {
  return DType::U8;
}
template <>
constexpr DType dtype_of<bool>() {
  return DType::Bool;
}

}  // namespace transformers
