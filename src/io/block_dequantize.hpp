#pragma once
// Dequantization of one run of blocks by dtype, for readers outside the GGUF code (the CPU
// backend's embedding lookup of a quantized table). The same arithmetic as gguf::dequantize.
#include <cstdint>

#include "transformers/core/dtype.hpp"

namespace transformers {

// `count` elements (a whole number of blocks) of block-quantized dtype `dtype` at `blocks` into `out`.
void dequantize_blocks(DType dtype, const void* blocks, float* out, int64_t count);

}  // namespace transformers
