// The row kernels compiled for avx512 (flags set in kernels/cpu/CMakeLists.txt).
#include "kernels.hpp"

#define KERNEL_NAMESPACE avx512
#define KERNEL_BLOCK 32  // floats per register block: 2 vectors of this ISA
#include "kernels_impl.hpp"
#include "quantized_impl.hpp"

namespace transformers::kernels::cpu {

const KernelTable& avx512_kernels() {
  static const KernelTable table{Isa::Avx512,          "avx512",
                                 avx512::softmax_row,  avx512::layer_norm_row,
                                 avx512::rms_norm_row, avx512::attention_head,
                                 avx512::widen_half,   avx512::dot_rows, avx512::quantize_activations, avx512::dot_blocks, avx512::widen_blocks};
  return table;
}

}  // namespace transformers::kernels::cpu
