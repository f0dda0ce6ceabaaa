#pragma once
// Helpers shared by the tests: seeded random tensors, closeness checks, running a command.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <sys/wait.h>

#include "transformers/core/tensor.hpp"

namespace test_util {

inline transformers::Tensor random_tensor(const transformers::Shape& shape, uint32_t seed, float low = -2.0f,
                                          float high = 2.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> values(static_cast<size_t>(transformers::shape_numel(shape)));
  for (float& v : values) v = dist(gen);
  return transformers::Tensor::from_vector(values, shape);
}

inline double max_abs_diff(const transformers::Tensor& a, const transformers::Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  std::vector<double> x = a.to_vector<double>(), y = b.to_vector<double>();
  double worst = 0.0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (std::isnan(x[i]) != std::isnan(y[i])) return INFINITY;
    if (!std::isnan(x[i])) worst = std::max(worst, std::fabs(x[i] - y[i]));
  }
  return worst;
}

#define REQUIRE_CLOSE(a, b, tolerance)                                      \
  do {                                                                      \
    const double diff_ = test_util::max_abs_diff((a), (b));                 \
    INFO("max abs diff " << diff_ << " (tolerance " << (tolerance) << ")"); \
    REQUIRE(diff_ <= (tolerance));                                          \
  } while (0)

// Runs a shell command; REQUIREs exit status 0 and returns its standard output split into lines.
inline std::vector<std::string> command_output_lines(const std::string& command) {
  INFO(command);
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  REQUIRE(pclose(pipe) == 0);
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = output.find('\n', start)) != std::string::npos; start = end + 1)
    lines.push_back(output.substr(start, end - start));
  return lines;
}

struct CommandResult {
  int status;          // the exit status, -1 when the command did not exit normally
  std::string output;  // stdout and stderr together
};

// Runs a shell command with stderr merged into stdout; never REQUIREs success.
inline CommandResult run_command(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

}  // namespace test_util
