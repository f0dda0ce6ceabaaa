#pragma once
// Argument checks shared by the ops: each failure names the op and the argument.
#include <string>
#include <vector>

#include "transformers/core/tensor.hpp"

namespace transformers::ops::detail {

inline void require_defined(const Tensor& t, const char* op, const char* arg) {
  if (!t.defined()) throw InvalidArgument(std::string(op) + ": " + arg + " is an undefined tensor");
}

inline void require_f32(const Tensor& t, const char* op, const char* arg) {
  require_defined(t, op, arg);
  if (t.dtype() != DType::F32)
    throw InvalidArgument(std::string(op) + ": " + arg + " must be float32, got " + t.describe() +
                          " (cast it with ops::cast or Tensor::to)");
}

// Floating-point ops compute in f32: an f32 input is used as it is, a bf16 or f16 one (a weight
// used as an activation, a half-precision caller's tensor) is widened first; anything else is refused.
inline Tensor as_f32(const Tensor& t, const char* op, const char* arg) {
  require_defined(t, op, arg);
  if (t.dtype() == DType::F32) return t;
  if (t.dtype() == DType::BF16 || t.dtype() == DType::F16) return t.to(DType::F32);
  throw InvalidArgument(std::string(op) + ": " + arg + " must be float32 (or bfloat16 / float16, widened), got " +
                        t.describe() + " (cast it with ops::cast or Tensor::to)");
}

// A weight an op reads in its stored format: f32, or bf16 / f16 (widened by the backend as it reads).
inline void require_float_weight(const Tensor& t, const char* op, const char* arg) {
  require_defined(t, op, arg);
  if (t.dtype() != DType::F32 && t.dtype() != DType::BF16 && t.dtype() != DType::F16)
    throw InvalidArgument(std::string(op) + ": " + arg + " must be float32, bfloat16 or float16, got " + t.describe());
}

// A weight linear and embedding read: float, or block-quantized (on the CPU only).
inline void require_linear_weight(const Tensor& t, const char* op, const char* arg) {
  require_defined(t, op, arg);
  if (!is_block_quantized(t.dtype())) return require_float_weight(t, op, arg);
  if (!t.device().is_cpu())
    throw InvalidArgument(std::string(op) + ": " + arg + " " + t.describe() +
                          " holds quantized blocks, which only the CPU multiplies");
  // Interleaved rows come in groups of eight: a view must start and end on a group.
  if (is_packed_quantized(t.dtype()) && t.dim() == 2 &&
      (t.size(0) % 8 != 0 || t.offset() % (8 * t.size(1)) != 0 || !t.is_contiguous()))
    throw InvalidArgument(std::string(op) + ": " + arg + " " + t.describe() +
                          " is a view of rows interleaved by eight that splits a group of eight");
}

// The columns of a 2-D weight: its elements per row, for a block-quantized one too.
inline int64_t weight_columns(const Tensor& weight) {
  return is_block_quantized(weight.dtype()) ? block_columns(weight.dtype(), weight.size(1)) : weight.size(1);
}

inline void require_integer(const Tensor& t, const char* op, const char* arg) {
  require_defined(t, op, arg);
  if (t.dtype() != DType::I64 && t.dtype() != DType::I32 && t.dtype() != DType::I16 && t.dtype() != DType::I8 &&
      t.dtype() != DType::U8)
    throw InvalidArgument(std::string(op) + ": " + arg + " must hold integers, got " + t.describe());
}

inline void require_rank(const Tensor& t, int64_t rank, const char* op, const char* arg) {
  if (t.dim() != rank)
    throw InvalidArgument(std::string(op) + ": " + arg + " must have " + std::to_string(rank) + " dimensions, got " +
                          t.describe());
}

inline void require_same_device(const Tensor& a, const Tensor& b, const char* op, const char* arg_b) {
  if (b.defined() && a.device() != b.device())
    throw InvalidArgument(std::string(op) + ": " + arg_b + " is on " + b.device().str() + " but the input is on " +
                          a.device().str());
}

// The shape two operands broadcast to, as numpy and torch define it.
inline Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1)
      throw InvalidArgument(std::string(op) + ": shapes " + shape_str(a) + " and " + shape_str(b) +
                            " do not broadcast (dimension " + std::to_string(i) + ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace transformers::ops::detail
