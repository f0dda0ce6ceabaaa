// The CUDA API on a machine where it cannot run kernels (every CI machine: no GPU). A build
// without CUDA answers "not built"; a CUDA build loads its backend library on first use and then
// reports no device - never "could not be loaded", which would mean the library is missing from
// beside the core. With a GPU, tests/cuda covers the rest.
#include <catch2/catch.hpp>
#include <string>

#include "transformers/backends/cuda.hpp"
#include "transformers/core/error.hpp"
#include "transformers/core/tensor.hpp"

using namespace transformers;

TEST_CASE("CUDA API without a usable GPU: clear answers, no crash", "[cuda]") {
  if (cuda::is_available()) {
    WARN("a GPU is present: tests/cuda covers this build");
    return;
  }
  CHECK(cuda::device_count() == 0);
  CHECK(cuda::cached_bytes() == 0);
  cuda::empty_cache();  // nothing to free, and nothing to load for it
  if (!cuda::is_built()) {
    CHECK_THROWS_AS(cuda::allocate(16, 0), NotBuilt);
    return;
  }
  try {
    cuda::allocate(16, 0);
    FAIL("cuda::allocate succeeded without a GPU");
  } catch (const DeviceError& error) {
    INFO(error.what());
    CHECK(std::string(error.what()).find("could not be loaded") == std::string::npos);
    CHECK(std::string(error.what()).find("cuda:0") != std::string::npos);
  }
}
