#!/usr/bin/env bash
# Installs the dependencies, builds everything (the CUDA backend too when nvcc is present) with
# warnings as errors, and runs the test suite; then builds and tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer. This is the README's test command and all CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

jobs="${TRANSFORMERS_JOBS:-$(nproc)}"
run_preset() {
  local preset="$1"
  echo "=== $preset: configure, build, test"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  ctest --preset "$preset" -j "$jobs"
}

run_preset ci
if [ "${TRANSFORMERS_SKIP_SANITIZERS:-0}" != 1 ]; then
  # Leak checking stays on; OpenMP's runtime keeps its thread pool alive at exit by design.
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1" run_preset asan
  # ThreadSanitizer on the tokenizer tests only (one Tokenizer shared by threads,
  # tests/tokenizers/test_thread_safety.cpp): the library plus one test binary: ~7 min on 2 cores (6.7 build + 0.5 test).
  echo "=== tsan: configure, build test_tokenizers, test"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs" --target test_tokenizers
  TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" ctest --preset tsan -R tokenizers
fi
