// Eigen's GEMM compiled for generic (flags in CMakeLists.txt); see eigen_gemm_impl.hpp.
#define Eigen EigenBenchGeneric
#define EIGEN_GEMM_FUNCTION eigen_linear_generic
#include "eigen_gemm_impl.hpp"
