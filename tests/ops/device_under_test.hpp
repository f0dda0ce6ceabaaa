#pragma once
// The device the op tests run on. tests/ops is compiled twice: into test_ops, which runs every op on
// the CPU, and into test_cuda (TRANSFORMERS_TEST_DEVICE="cuda:0"), which runs the same test bodies on
// a GPU where one exists. Inputs are made on the host (seeded), moved with dev(), and results are
// compared on the host with the reference ops (ops/reference.hpp) or values derived by hand.
#include "test_util.hpp"
#include "transformers/core/tensor.hpp"

namespace device_test {

inline transformers::Device test_device() {
#ifdef TRANSFORMERS_TEST_DEVICE
  return transformers::Device(TRANSFORMERS_TEST_DEVICE);
#else
  return transformers::Device::cpu();
#endif
}

// `t` on the device under test (undefined stays undefined).
inline transformers::Tensor dev(const transformers::Tensor& t) { return t.defined() ? t.to(test_device()) : t; }

// test_util::random_tensor, on the device under test.
inline transformers::Tensor random_input(const transformers::Shape& shape, uint32_t seed, float low = -2.0f,
                                         float high = 2.0f) {
  return dev(test_util::random_tensor(shape, seed, low, high));
}

}  // namespace device_test
