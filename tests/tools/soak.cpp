// Soak runs outside CI (scripts/soak.sh): many pipeline calls on one model from many threads, each
// result compared with the serial one, and a model loaded and freed over and over, with the
// resident memory printed as it goes. Exits 1 on a differing result or when memory keeps growing
// after warm-up (more than 10 % + 16 MiB over the level reached at 20 % of the run).
//
//   soak [--model DIR] [--task TASK] [--calls N] [--threads T] [--loads L]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "transformers/models/auto.hpp"
#include "transformers/pipelines/pipeline.hpp"

using nlohmann::json;

namespace {

double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

struct Options {
  std::string model = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/tiny-sentiment";
  std::string task = "text-classification";
  size_t calls = 10000, threads = 8, loads = 1000;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--model")
      o.model = value;
    else if (flag == "--task")
      o.task = value;
    else if (flag == "--calls")
      o.calls = std::stoul(value);
    else if (flag == "--threads")
      o.threads = std::stoul(value);
    else if (flag == "--loads")
      o.loads = std::stoul(value);
    else
      throw std::invalid_argument("unknown option " + flag);
  }
  return o;
}

std::vector<std::string> texts() {
  const char* words[] = {"good", "bad", "movie", "never", "again", "loved", "it", "the", "plot", "was", "fine"};
  std::vector<std::string> out;
  for (size_t i = 0; i < 64; ++i) {
    std::string text;
    for (size_t w = 0; w <= i % 23; ++w) text += std::string(w ? " " : "") + words[(i * 7 + w * 3) % 11];
    out.push_back(text);
  }
  return out;
}

// Memory that keeps growing after warm-up: the level at 20 % of the run is the baseline.
bool grew(const std::vector<double>& samples) {
  if (samples.size() < 5) return false;
  const double baseline = samples[samples.size() / 5];
  return samples.back() > baseline * 1.10 + 16.0;
}

bool soak_pipeline(const Options& o) {
  auto pipe = transformers::pipeline(o.task, o.model);
  const std::vector<std::string> inputs = texts();
  std::vector<json> serial;
  for (const std::string& text : inputs) serial.push_back((*pipe)(text));
  std::atomic<size_t> done{0}, mismatches{0};
  std::latch start(o.threads);
  std::vector<std::thread> threads;
  const size_t per_thread = o.calls / o.threads;
  for (size_t t = 0; t < o.threads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (size_t i = 0; i < per_thread; ++i) {
        const size_t index = (i * 5 + t * 11) % inputs.size();
        if ((*pipe)(inputs[index]) != serial[index]) ++mismatches;
        ++done;
      }
    });
  std::vector<double> samples;
  const auto began = std::chrono::steady_clock::now();
  while (done < per_thread * o.threads) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    samples.push_back(resident_mib());
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  std::printf("pipeline: %zu calls on %zu threads in %.1f s, %zu differ from serial; RSS MiB", done.load(), o.threads,
              seconds, mismatches.load());
  for (size_t i = 0; i < samples.size(); i += std::max<size_t>(1, samples.size() / 8)) std::printf(" %.1f", samples[i]);
  std::printf(" %.1f\n", samples.empty() ? resident_mib() : samples.back());
  return mismatches == 0 && !grew(samples);
}

bool soak_loading(const Options& o) {
  std::vector<double> samples;
  for (size_t i = 0; i < o.loads; ++i) {
    auto model = transformers::AutoModel::from_pretrained(o.model);
    model.reset();
    if (i % std::max<size_t>(1, o.loads / 20) == 0) samples.push_back(resident_mib());
  }
  samples.push_back(resident_mib());
  std::printf("loading: %zu loads and frees; RSS MiB", o.loads);
  for (double mib : samples) std::printf(" %.1f", mib);
  std::printf("\n");
  return !grew(samples);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    const bool pipeline_ok = soak_pipeline(o);
    const bool loading_ok = soak_loading(o);
    std::printf("%s\n", pipeline_ok && loading_ok ? "soak: OK" : "soak: FAILED");
    return pipeline_ok && loading_ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "soak: " << e.what() << "\n";
    return 2;
  }
}
