#pragma once
// Batched f32 matmul through oneDNN, with one primitive per distinct shape kept in a cache (a
// primitive costs far more to create than to run at these sizes).
#include <cstddef>
#include <cstdint>

namespace transformers::backend::cpu {

// An activation oneDNN applies to the product in the same pass (an eltwise post-op).
enum class PostActivation { None, GeluErf, GeluTanh, Relu };

struct MatmulShape {
  int64_t batch_a, batch_b, m, k, n;
  bool transpose_a, transpose_b, has_bias;
  float alpha;
  PostActivation activation = PostActivation::None;
  bool has_residual = false;   // a binary-add post-op of a [batch, m, n] tensor
  bool serial = false;         // built and run on the calling thread alone (set by dnnl_matmul)
  int64_t ldc = 0;             // elements between rows of c (and of the residual); 0 means n
  bool bf16_operands = false;  // a and b hold bf16 (products accumulate in f32; c stays f32)
  friend bool operator==(const MatmulShape&, const MatmulShape&) = default;
};

// c[batch, m, n] = activation(alpha * op(a) . op(b) + bias[n]) + residual[batch, m, n]; every
// pointer is contiguous f32 (a and b bf16 when bf16_operands) in the layout described by
// Backend::matmul, c and residual with rows ldc apart; bias and residual are read only when the
// shape says so.
void dnnl_matmul(const MatmulShape& shape, const void* a, const void* b, const float* bias, float* c,
                 const float* residual = nullptr);

// Whether this CPU multiplies bf16 natively in oneDNN (AVX512_BF16 or AMX): then bf16 weights are
// multiplied as bf16, with the activations rounded to bf16 as transformers does in bf16.
bool dnnl_has_native_bf16();

// Number of cached primitives (benchmarks and tests look at it).
size_t dnnl_matmul_cache_size();

}  // namespace transformers::backend::cpu
