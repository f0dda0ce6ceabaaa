// Eigen's GEMM compiled for avx512 (flags in CMakeLists.txt); see eigen_gemm_impl.hpp.
#define Eigen EigenBenchAvx512
#define EIGEN_GEMM_FUNCTION eigen_linear_avx512
#include "eigen_gemm_impl.hpp"
