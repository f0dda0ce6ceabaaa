#pragma once
// Batched f32 matmul through oneDNN, with one primitive per distinct shape kept in a cache (a
// primitive costs far more to create than to run at these sizes).
#include <cstddef>
#include <cstdint>

namespace transformers::backend::cpu {

struct MatmulShape {
  int64_t batch_a, batch_b, m, k, n;
  bool transpose_a, transpose_b, has_bias;
  float alpha;
  friend bool operator==(const MatmulShape&, const MatmulShape&) = default;
};

// c[batch, m, n] = alpha * op(a) . op(b) + bias[n]; every pointer is contiguous f32 in the layout
// described by Backend::matmul.
void dnnl_matmul(const MatmulShape& shape, const float* a, const float* b, const float* bias, float* c);

// Number of cached primitives (benchmarks and tests look at it).
size_t dnnl_matmul_cache_size();

}  // namespace transformers::backend::cpu
