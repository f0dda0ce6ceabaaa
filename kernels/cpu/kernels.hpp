#pragma once
// Fused row kernels for the CPU backend, compiled once per instruction set (kernels_impl.hpp is
// built as generic x86-64, AVX2+FMA and AVX-512) and picked at run time for the CPU we run on.
// Each works on one row; the backend spreads rows over the OpenMP threads.
#include <cstdint>
#include <string>
#include <vector>

namespace transformers::kernels::cpu {

enum class Isa { Generic, Avx2, Avx512 };

struct KernelTable {
  Isa isa;
  const char* name;
  // out = softmax(x + mask) over n elements (log-softmax when `log`); mask may be null, and is
  // read at mask[i * mask_stride] so a broadcast (stride 0) mask needs no copy.
  void (*softmax_row)(const float* x, const float* mask, int64_t mask_stride, float* out, int64_t n, bool log);
  // out = (x - mean) / sqrt(var + eps) * weight + bias; weight and bias may be null.
  void (*layer_norm_row)(const float* x, const float* weight, const float* bias, float eps, float* out, int64_t n);
  // out = x / sqrt(mean(x^2) + eps) * weight; weight may be null.
  void (*rms_norm_row)(const float* x, const float* weight, float eps, float* out, int64_t n);
};

// The best table this CPU supports; TRANSFORMERS_CPU_ISA=generic|avx2|avx512 caps it.
const KernelTable& best_kernels();
// Every table this CPU can run (tests compare each with the reference ops).
std::vector<const KernelTable*> supported_kernels();

}  // namespace transformers::kernels::cpu
