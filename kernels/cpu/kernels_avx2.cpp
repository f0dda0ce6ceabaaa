// The row kernels compiled for avx2 (flags set in kernels/cpu/CMakeLists.txt).
#include "kernels.hpp"

#define KERNEL_NAMESPACE avx2
#define KERNEL_BLOCK 16  // floats per register block: 2 vectors of this ISA
#include "kernels_impl.hpp"
#include "quantized_impl.hpp"

namespace transformers::kernels::cpu {

const KernelTable& avx2_kernels() {
  static const KernelTable table{Isa::Avx2,          "avx2+fma",           avx2::softmax_row, avx2::layer_norm_row,
                                 avx2::rms_norm_row, avx2::attention_head, avx2::widen_half,  avx2::dot_rows, avx2::quantize_activations, avx2::dot_blocks, avx2::widen_blocks};
  return table;
}

}  // namespace transformers::kernels::cpu
