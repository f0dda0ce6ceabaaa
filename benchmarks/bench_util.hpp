#pragma once
// What the benchmark programs share: reading their options, pseudo-random input ids the Python
// scripts can reproduce, and medians.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "transformers/core/tensor.hpp"

namespace bench {

// Walks argv: `for (Arguments args(argc, argv, usage); args.next();)` then compare args.name() and
// read its value with value() or integer(); `usage` must not return (it prints and exits).
class Arguments {
 public:
  Arguments(int argc, char** argv, std::function<void(const std::string&)> usage)
      : argc_(argc), argv_(argv), usage_(std::move(usage)) {}
  bool next() { return ++at_ < argc_ && (name_ = argv_[at_], true); }
  const std::string& name() const { return name_; }
  std::string value() {
    if (at_ + 1 >= argc_) fail("missing value after " + name_);
    return argv_[++at_];
  }
  int64_t integer(int64_t min) {
    const std::string text = value();
    char* end = nullptr;
    const long long n = std::strtoll(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || n < min) fail(name_ + " wants an integer >= " + std::to_string(min));
    return static_cast<int64_t>(n);
  }
  [[noreturn]] void fail(const std::string& message) {
    usage_(message);
    std::exit(2);
  }

 private:
  int argc_;
  char** argv_;
  std::function<void(const std::string&)> usage_;
  int at_ = 0;
  std::string name_;
};

// [batch, length] ids in [lo, hi): xorshift64 seeded with seed * golden-ratio constant + 1,
// id = lo + (state >> 33) % (hi - lo), row-major (bench_encoders.py computes the same).
inline transformers::Tensor random_ids(int64_t batch, int64_t length, int64_t lo, int64_t hi, uint64_t seed) {
  std::vector<int64_t> ids(static_cast<size_t>(batch * length));
  uint64_t state = seed * 0x9E3779B97F4A7C15ull + 1;
  for (int64_t& id : ids) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    id = lo + static_cast<int64_t>((state >> 33) % static_cast<uint64_t>(hi - lo));
  }
  return transformers::Tensor::from_vector(ids, {batch, length});
}

inline double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace bench
