#pragma once
// Element conversion between dtypes, with PyTorch's semantics: floats go through f32 into f16 and
// bf16 (round to nearest even), float -> integer truncates toward zero, anything -> bool is != 0.
#include <cstddef>
#include <cstdint>

#include "transformers/core/dtype.hpp"

namespace transformers::detail {

// Converts `count` contiguous elements.
void convert_elements(const void* src, DType src_dtype, void* dst, DType dst_dtype, size_t count);

}  // namespace transformers::detail
