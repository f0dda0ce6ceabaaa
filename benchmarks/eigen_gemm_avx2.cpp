// Eigen's GEMM compiled for avx2 (flags in CMakeLists.txt); see eigen_gemm_impl.hpp.
#define Eigen EigenBenchAvx2
#define EIGEN_GEMM_FUNCTION eigen_linear_avx2
#include "eigen_gemm_impl.hpp"
