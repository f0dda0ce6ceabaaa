// Catch2 main of test_cuda. The CUDA tests need a GPU: where none can be used the binary says so
// and exits with 77, which CTest reports as skipped (SKIP_RETURN_CODE) rather than passed.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>

#include "transformers/backends/cuda.hpp"

namespace {
constexpr int kSkipExitCode = 77;
}

int main(int argc, char* argv[]) {
  if (!transformers::cuda::is_available()) {
    std::printf("SKIPPED: no CUDA GPU (transformers.cpp CUDA tests need one)\n");
    return kSkipExitCode;
  }
  const int failures = Catch::Session().run(argc, argv);
  return failures == kSkipExitCode ? 1 : failures;  // 77 failures must not read as "skipped"
}
