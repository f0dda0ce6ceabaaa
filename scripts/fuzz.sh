#!/usr/bin/env bash
# Fuzzes the parsers of outside input (tests/fuzz/fuzz_*.cpp) with libFuzzer under ASan + UBSan:
# clang-16 builds the `fuzz` preset, then each target runs for a budget from its seeds and
# tests/fuzz/corpus/<name>/, with its dictionary, until the time or 10 million executions are spent.
# Outside CI (CI replays the corpora: CTest tests fuzz_<name>). A crash is saved under
# build/fuzz/crashes/<name>/: fix it, then commit the input into tests/fuzz/corpus/<name>/ so that
# the replay keeps it fixed. The table of executions and coverage goes to build/fuzz/report.md.
#
#   bash scripts/fuzz.sh [seconds per target, default 3600] [target names, default all]
set -euo pipefail
cd "$(dirname "$0")/.."

# clang-16 with libFuzzer and OpenMP, from Debian (clang-14 cannot compile the code's C++20 ranges
# with libstdc++ 12). Only this script needs them, so scripts/install-deps.sh leaves them out.
if ! command -v clang++-16 >/dev/null || [ ! -e /usr/lib/llvm-16/lib/libomp.so ]; then
  packages=(clang-16 libclang-rt-16-dev libomp-16-dev)
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && apt-get install -y -q "${packages[@]}"
  else
    echo "scripts/fuzz.sh needs clang-16: sudo apt-get install ${packages[*]}" >&2
    exit 1
  fi
fi
seconds="${1:-3600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in tests/fuzz/fuzz_*.cpp; do
    name="$(basename "$source" .cpp)"
    targets+=("${name#fuzz_}")
  done
fi

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${TRANSFORMERS_JOBS:-$(nproc)}"

bin=build/fuzz/tests/fuzz
report=build/fuzz/report.md
echo "| target | seconds | executions | exec/s | coverage (edges) | features | corpus | crashes |" > "$report"
echo "|---|---|---|---|---|---|---|---|" >> "$report"
status=0
for name in "${targets[@]}"; do
  corpus="build/fuzz/corpus/$name"
  crashes="build/fuzz/crashes/$name"
  mkdir -p "$corpus" "$crashes"
  while read -r seed; do  # libFuzzer reads folders only: the seed files are copied in
    [ -n "$seed" ] && find "$seed" -type f -size -4M -exec cp -n {} "$corpus/" \;
  done < "$bin/fuzz_$name.seeds"
  dict=()
  [ -f "tests/fuzz/$name.dict" ] && dict=("-dict=tests/fuzz/$name.dict")
  log="build/fuzz/$name.log"
  echo "=== fuzz_$name: $seconds s"
  set +e
  ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=0" UBSAN_OPTIONS="print_stacktrace=1" \
    "$bin/fuzz_$name" "$corpus" "${dict[@]}" -max_total_time="$seconds" -runs=10000000 -timeout=10 \
    -rss_limit_mb=4096 -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" > "$log" 2>&1
  code=$?
  set -e
  done_line="$(grep -E '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$log" | tail -1 || true)"
  executions="$(grep -oP 'stat::number_of_executed_units: \K[0-9]+' "$log" || echo 0)"
  rate="$(grep -oP 'stat::average_exec_per_sec: \K[0-9]+' "$log" || echo 0)"
  coverage="$(echo "$done_line" | grep -oP 'cov: \K[0-9]+' || echo ?)"
  features="$(echo "$done_line" | grep -oP 'ft: \K[0-9]+' || echo ?)"
  found="$(find "$crashes" -type f | wc -l)"
  echo "| $name | $seconds | $executions | $rate | $coverage | $features | $(ls "$corpus" | wc -l) | $found |" >> "$report"
  if [ "$code" -ne 0 ] || [ "$found" -ne 0 ]; then
    echo "fuzz_$name found a problem (exit $code): see $log and $crashes/" >&2
    status=1
  fi
done
cat "$report"
exit $status
