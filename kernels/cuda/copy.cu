// Strided, converting copies between two views on one GPU: what contiguous(), casts, a write into
// a slice of a cache and concat are made of. The element types are runtime arguments (a uniform
// branch per element) to keep one kernel for every pair of dtypes.
#include "kernels.hpp"
#include "launch.cuh"

namespace transformers::kernels::cuda {

namespace {

__device__ inline bool is_integer(ElementType type) {
  return type == ElementType::I64 || type == ElementType::I32 || type == ElementType::I16 || type == ElementType::I8 ||
         type == ElementType::U8 || type == ElementType::Bool;
}

// Integers travel as int64 (exact), floats as double (exact for every float type).
__device__ inline int64_t load_integer(const void* base, ElementType type, int64_t offset) {
  switch (type) {
    case ElementType::I64: return static_cast<const int64_t*>(base)[offset];
    case ElementType::I32: return static_cast<const int32_t*>(base)[offset];
    case ElementType::I16: return static_cast<const int16_t*>(base)[offset];
    case ElementType::I8: return static_cast<const int8_t*>(base)[offset];
    case ElementType::U8: return static_cast<const uint8_t*>(base)[offset];
    case ElementType::Bool: return static_cast<const bool*>(base)[offset] ? 1 : 0;
    default: return 0;
  }
}

__device__ inline double load_float(const void* base, ElementType type, int64_t offset) {
  switch (type) {
    case ElementType::F32: return static_cast<const float*>(base)[offset];
    case ElementType::F64: return static_cast<const double*>(base)[offset];
    case ElementType::F16: return f16_bits_to_float(static_cast<const uint16_t*>(base)[offset]);
    case ElementType::BF16: return bf16_bits_to_float(static_cast<const uint16_t*>(base)[offset]);
    default: return static_cast<double>(load_integer(base, type, offset));
  }
}

__device__ inline void store_integer(void* base, ElementType type, int64_t offset, int64_t value) {
  switch (type) {
    case ElementType::I64: static_cast<int64_t*>(base)[offset] = value; break;
    case ElementType::I32: static_cast<int32_t*>(base)[offset] = static_cast<int32_t>(value); break;
    case ElementType::I16: static_cast<int16_t*>(base)[offset] = static_cast<int16_t>(value); break;
    case ElementType::I8: static_cast<int8_t*>(base)[offset] = static_cast<int8_t>(value); break;
    case ElementType::U8: static_cast<uint8_t*>(base)[offset] = static_cast<uint8_t>(value); break;
    case ElementType::Bool: static_cast<bool*>(base)[offset] = value != 0; break;
    default: break;
  }
}

// Floats go through f32 into f16 and bf16 (round to nearest even), as the CPU conversion does;
// float -> integer truncates toward zero; anything -> bool is != 0.
__device__ inline void store_float(void* base, ElementType type, int64_t offset, double value) {
  switch (type) {
    case ElementType::F32: static_cast<float*>(base)[offset] = static_cast<float>(value); break;
    case ElementType::F64: static_cast<double*>(base)[offset] = value; break;
    case ElementType::F16: static_cast<uint16_t*>(base)[offset] = float_to_f16_bits(static_cast<float>(value)); break;
    case ElementType::BF16: static_cast<uint16_t*>(base)[offset] = float_to_bf16_bits(static_cast<float>(value)); break;
    case ElementType::Bool: static_cast<bool*>(base)[offset] = value != 0.0; break;
    default: store_integer(base, type, offset, static_cast<int64_t>(value)); break;
  }
}

__global__ void copy_kernel(const void* src, ElementType src_type, void* dst, ElementType dst_type, PairLayout layout,
                            int64_t count) {
  const bool integers = is_integer(src_type) && is_integer(dst_type);
  for (int64_t i = global_thread_index(); i < count; i += global_thread_count()) {
    int64_t rest = i, from = 0, to = 0;
    for (int d = layout.rank - 1; d >= 0; --d) {
      const int64_t coordinate = rest % layout.sizes[d];
      rest /= layout.sizes[d];
      from += coordinate * layout.strides_a[d];
      to += coordinate * layout.strides_b[d];
    }
    if (integers) {
      store_integer(dst, dst_type, to, load_integer(src, src_type, from));
    } else {
      store_float(dst, dst_type, to, load_float(src, src_type, from));
    }
  }
}

}  // namespace

void copy(const void* src, ElementType src_type, void* dst, ElementType dst_type, const PairLayout& layout,
          int64_t count) {
  if (count == 0) return;
  copy_kernel<<<blocks_for(count), kThreadsPerBlock>>>(src, src_type, dst, dst_type, layout, count);
  check_launch("copy");
}

}  // namespace transformers::kernels::cuda
