#pragma once
// Helpers of the CUDA tests: random host tensors and the GPU-versus-CPU comparison.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "transformers/core/tensor.hpp"

namespace cuda_test {

using transformers::Device;
using transformers::DType;
using transformers::Shape;
using transformers::Tensor;

inline const Device kGpu = Device::cuda(0);

// Uniform values in [low, high) on the CPU; the same seed gives the same tensor.
inline Tensor random_tensor(const Shape& shape, uint32_t seed, float low = -3.0f, float high = 3.0f) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(low, high);
  std::vector<float> values(static_cast<size_t>(transformers::shape_numel(shape)));
  for (float& v : values) v = uniform(generator);
  return Tensor::from_vector(values, shape);
}

// Every element of `gpu` (a CUDA result) matches `cpu` (the CPU op's result) within `tolerance`,
// absolute for small values and relative for large ones; NaN matches NaN, inf matches inf.
inline void require_close(const Tensor& gpu, const Tensor& cpu, double tolerance = 1e-4) {
  REQUIRE(gpu.device().is_cuda());
  REQUIRE(cpu.device().is_cpu());
  REQUIRE(gpu.shape() == cpu.shape());
  const std::vector<float> got = gpu.to_vector<float>(), want = cpu.to_vector<float>();
  size_t mismatches = 0, first = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = got[i], w = want[i];
    const bool same =
        (std::isnan(g) && std::isnan(w)) || g == w || std::abs(g - w) <= tolerance * std::max(1.0, std::abs(w));
    if (!same && mismatches++ == 0) first = i;
  }
  if (mismatches > 0) {
    INFO(mismatches << " of " << got.size() << " elements differ; first at flat index " << first << ": cuda "
                    << got[first] << " vs cpu " << want[first]);
    CHECK(mismatches == 0);
  }
}

}  // namespace cuda_test
