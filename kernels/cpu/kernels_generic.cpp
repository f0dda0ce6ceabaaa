// The row kernels compiled for generic (flags set in kernels/cpu/CMakeLists.txt).
#include "kernels.hpp"

#define KERNEL_NAMESPACE generic
#define KERNEL_BLOCK 8  // floats per register block: 2 vectors of this ISA
#include "kernels_impl.hpp"
#include "quantized_impl.hpp"

namespace transformers::kernels::cpu {

const KernelTable& generic_kernels() {
  static const KernelTable table{
      Isa::Generic,          "generic (x86-64)",      generic::softmax_row, generic::layer_norm_row,
      generic::rms_norm_row, generic::attention_head, generic::widen_half,  generic::dot_rows, generic::quantize_activations, generic::dot_blocks, generic::widen_blocks};
  return table;
}

}  // namespace transformers::kernels::cpu
