// The row kernels compiled for generic (flags set in kernels/cpu/CMakeLists.txt).
#include "kernels.hpp"

#define KERNEL_NAMESPACE generic
#include "kernels_impl.hpp"

namespace transformers::kernels::cpu {

const KernelTable& generic_kernels() {
  static const KernelTable table{Isa::Generic, "generic (x86-64)", generic::softmax_row, generic::layer_norm_row, generic::rms_norm_row};
  return table;
}

}  // namespace transformers::kernels::cpu
