// The memory read bandwidth a decode step can hope for: a streaming sum over a buffer far larger
// than the caches (1 GiB by default), on all threads. Prints one JSON line: the median GB/s of
// several passes. bench_decode.py divides it by the bytes of weights a decode step reads to get
// the roofline that DEVELOPERS' decode targets refer to.
//   bench_bandwidth [MiB=1024] [passes=7]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

int main(int argc, char** argv) {
  const size_t mib = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1024;
  const int passes = argc > 2 ? std::atoi(argv[2]) : 7;
  const size_t count = mib * (size_t{1} << 20) / sizeof(float);
  std::vector<uint32_t> data(count);       // integers: their sum vectorizes without reordering rules
#pragma omp parallel for schedule(static)  // first touch by the threads that read it
  for (size_t i = 0; i < count; ++i) data[i] = static_cast<uint32_t>(i & 1023);
  std::vector<double> rates;
  uint64_t checksum = 0;
  for (int pass = 0; pass < passes; ++pass) {
    const auto start = std::chrono::steady_clock::now();
    uint32_t sum = 0;  // wraps; only the reading matters
#pragma omp parallel reduction(+ : sum)
    {
      // One contiguous band per thread, summed into 32 independent lanes: a single accumulator
      // (what `omp simd reduction` gives) keeps too few loads in flight and measured half the
      // bandwidth that llama.cpp's decode streams on this machine.
      const size_t threads = static_cast<size_t>(omp_get_num_threads());
      const size_t band = count / threads, begin = band * static_cast<size_t>(omp_get_thread_num());
      const uint32_t* p = data.data() + begin;
      constexpr size_t kLanes = 32;
      uint32_t lanes[kLanes] = {};
      for (size_t i = 0; i + kLanes <= band; i += kLanes) {
#pragma omp simd
        for (size_t l = 0; l < kLanes; ++l) lanes[l] += p[i + l];
      }
      for (uint32_t lane : lanes) sum += lane;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rates.push_back(static_cast<double>(count * sizeof(uint32_t)) / seconds / 1e9);
    checksum += sum;
  }
  std::sort(rates.begin(), rates.end());
  std::printf("{\"mib\": %zu, \"threads\": %d, \"read_gb_per_s\": %.3f, \"checksum\": %llu}\n", mib,
              omp_get_max_threads(), rates[rates.size() / 2], static_cast<unsigned long long>(checksum));
  return 0;
}
