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
  # Leak checking stays on; OpenMP's runtime keeps its thread pool alive at exit by design. The asan
  # test preset leaves out test_real (real LLMs under a sanitizer take most of an hour; they run
  # there only by hand: ctest --test-dir build/asan -R '^real$' after scripts/real-models.sh).
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1" run_preset asan
  # ThreadSanitizer where objects are shared by threads: the tokenizer tests (one Tokenizer used by
  # threads, tests/tokenizers/test_thread_safety.cpp) and one pipeline called from threads
  # (tests/pipelines/test_pipeline_threads.cpp), and generate() from threads on one model with a
  # streamer's queue between threads (tests/generation, tag [threads]), and the server answering
  # concurrent requests of every kind (tests/server, tag [threads]). OpenMP's runtime is not
  # instrumented, so its teams are kept to one thread (the test's own std::threads are what is checked).
  echo "=== tsan: configure, build test_tokenizers, test_pipelines, test_generation and test_server, test"
  cmake --preset tsan >/dev/null
  cmake --build --preset tsan -j "$jobs" --target test_tokenizers test_pipelines test_generation test_server
  OMP_NUM_THREADS=1 TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
    ctest --preset tsan -R "^(tokenizers|pipelines_threads|generation_threads|server_threads)$"
fi
