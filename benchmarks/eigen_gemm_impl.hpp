// Body of the Eigen comparison GEMM; included by eigen_gemm_<isa>.cpp, which first define
// EIGEN_GEMM_FUNCTION and rename the `Eigen` namespace (a macro) to a name of their own. Without
// the rename, the three copies' template instantiations would share mangled names and the linker
// would keep one of them for all three: the "avx512" copy could silently run SSE2 code, or the
// generic one AVX-512 code.
#include <Eigen/Core>

#include "eigen_gemm.hpp"

namespace bench {

void EIGEN_GEMM_FUNCTION(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t k, int64_t n) {
  using RowMajorMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  Eigen::Map<const RowMajorMatrix> input(x, m, k);
  Eigen::Map<const RowMajorMatrix> weight(w, n, k);
  Eigen::Map<RowMajorMatrix> output(y, m, n);
  output.noalias() = input * weight.transpose();
  if (bias) output.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(bias, n);
}

}  // namespace bench
