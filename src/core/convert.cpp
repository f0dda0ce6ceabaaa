#include "convert.hpp"

#include <cstring>
#include <type_traits>

namespace transformers::detail {

namespace {

template <typename T>
constexpr bool kIsIntegral = std::is_integral_v<T>;

// Reads element i of a buffer of dtype `t` as double (floats) or int64 (integers).
template <typename Visitor>
void visit_dtype(DType t, Visitor&& v) {
  switch (t) {
    case DType::F32: return v(float{});
    case DType::F16: return v(Half{});
    case DType::BF16: return v(BFloat16{});
    case DType::F64: return v(double{});
    case DType::I64: return v(int64_t{});
    case DType::I32: return v(int32_t{});
    case DType::I16: return v(int16_t{});
    case DType::I8: return v(int8_t{});
    case DType::U8: return v(uint8_t{});
    case DType::Bool: return v(bool{});
    default: break;
  }
  throw InvalidArgument(std::string("a ") + dtype_name(t) +
                        " tensor holds quantized blocks, not elements: only linear and embedding read it");
}

template <typename T>
double load_float(const T& x) {
  if constexpr (std::is_same_v<T, Half>)
    return f16_bits_to_float(x.bits);
  else if constexpr (std::is_same_v<T, BFloat16>)
    return bf16_bits_to_float(x.bits);
  else
    return static_cast<double>(x);
}

template <typename Dst, typename Src>
Dst convert_one(const Src& x) {
  if constexpr (std::is_same_v<Dst, bool>) {
    return load_float(x) != 0.0;
  } else if constexpr (std::is_same_v<Dst, Half>) {
    return Half{float_to_f16_bits(static_cast<float>(load_float(x)))};
  } else if constexpr (std::is_same_v<Dst, BFloat16>) {
    return BFloat16{float_to_bf16_bits(static_cast<float>(load_float(x)))};
  } else if constexpr (kIsIntegral<Dst> && kIsIntegral<Src>) {
    return static_cast<Dst>(static_cast<int64_t>(x));  // exact for every integer width
  } else if constexpr (kIsIntegral<Dst>) {
    return static_cast<Dst>(static_cast<int64_t>(load_float(x)));  // truncates toward zero
  } else if constexpr (std::is_same_v<Dst, float> && std::is_same_v<Src, int64_t>) {
    return static_cast<float>(x);  // direct, as PyTorch: no double rounding through f64
  } else {
    return static_cast<Dst>(load_float(x));
  }
}

}  // namespace

void convert_elements(const void* src, DType src_dtype, void* dst, DType dst_dtype, size_t count) {
  if (count == 0) return;  // empty buffers may be null, which memcpy must not see
  if (src_dtype == dst_dtype) {
    std::memcpy(dst, src, count * dtype_size(src_dtype));
    return;
  }
  visit_dtype(src_dtype, [&](auto src_tag) {
    using Src = decltype(src_tag);
    visit_dtype(dst_dtype, [&](auto dst_tag) {
      using Dst = decltype(dst_tag);
      const Src* in = static_cast<const Src*>(src);
      Dst* out = static_cast<Dst*>(dst);
      for (size_t i = 0; i < count; ++i) out[i] = convert_one<Dst>(in[i]);
    });
  });
}

}  // namespace transformers::detail
