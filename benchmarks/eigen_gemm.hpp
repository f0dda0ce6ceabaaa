#pragma once
// Eigen's GEMM as a comparison point for ops::linear. Eigen picks its SIMD width at compile time,
// so eigen_gemm_impl.hpp is compiled once per instruction set (eigen_gemm_<isa>.cpp, flags in
// CMakeLists.txt) and bench_kernels calls the widest copy the CPU can run.
#include <cstdint>

namespace bench {

// y[m, n] = x[m, k] . w[n, k]^T (+ bias[n] when bias is not null); all row-major f32.
using EigenLinearFn = void (*)(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t k,
                               int64_t n);

void eigen_linear_generic(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t k, int64_t n);
void eigen_linear_avx2(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t k, int64_t n);
void eigen_linear_avx512(const float* x, const float* w, const float* bias, float* y, int64_t m, int64_t k, int64_t n);

}  // namespace bench
