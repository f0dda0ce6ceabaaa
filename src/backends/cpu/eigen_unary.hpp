#pragma once
#include <cstdint>

#include "../backend.hpp"

namespace transformers::backend::cpu {

// out[i] = f(x[i]) for n contiguous floats, vectorized by Eigen and split over the OpenMP threads.
void eigen_unary(Unary op, const float* x, float* out, int64_t n, float scalar);

}  // namespace transformers::backend::cpu
