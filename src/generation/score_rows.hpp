#pragma once
// Host copies of a processor's inputs, row by row: the scores [rows, vocab] as floats, the token ids
// [rows, length] as int64, and the probability helpers the warpers share (computed in double, as
// close to torch's float32 results as float32 allows).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "transformers/core/error.hpp"
#include "transformers/core/tensor.hpp"

namespace transformers::generation_detail {

constexpr float kNegativeInfinity = -std::numeric_limits<float>::infinity();

struct ScoreRows {
  std::vector<float> values;
  int64_t rows = 0, vocab = 0;

  explicit ScoreRows(const Tensor& scores) {
    if (scores.dim() != 2)
      throw InvalidArgument("logits processors take scores [rows, vocab], not " + scores.describe());
    rows = scores.size(0);
    vocab = scores.size(1);
    values = scores.to_vector<float>();
  }
  float* row(int64_t r) { return values.data() + r * vocab; }
  Tensor tensor() const { return Tensor::from_vector(values, {rows, vocab}); }
};

struct IdRows {
  std::vector<int64_t> values;
  int64_t rows = 0, length = 0;

  explicit IdRows(const Tensor& input_ids) {
    if (input_ids.dim() != 2)
      throw InvalidArgument("logits processors take input_ids [rows, length], not " + input_ids.describe());
    rows = input_ids.size(0);
    length = input_ids.size(1);
    values = input_ids.to_vector<int64_t>();
  }
  const int64_t* row(int64_t r) const { return values.data() + r * length; }
};

inline bool in_vocab(int64_t token, int64_t vocab) { return token >= 0 && token < vocab; }

// softmax of one row, in double (a row of -inf only gives NaN, as torch does).
inline std::vector<double> softmax(const float* row, int64_t n) {
  const double top = *std::max_element(row, row + n);
  std::vector<double> p(static_cast<size_t>(n));
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += p[static_cast<size_t>(i)] = std::exp(static_cast<double>(row[i]) - top);
  for (double& x : p) x /= sum;
  return p;
}

inline std::vector<double> log_softmax(const float* row, int64_t n) {
  const double top = *std::max_element(row, row + n);
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) sum += std::exp(static_cast<double>(row[i]) - top);
  const double log_sum = top + std::log(sum);
  std::vector<double> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = static_cast<double>(row[i]) - log_sum;
  return out;
}

// The k-th largest score of a row (k >= 1, at most n).
inline float kth_largest(const float* row, int64_t n, int64_t k) {
  std::vector<float> copy(row, row + n);
  std::nth_element(copy.begin(), copy.begin() + (k - 1), copy.end(), std::greater<float>());
  return copy[static_cast<size_t>(k - 1)];
}

// Indices of a row sorted by key, ascending; equal keys keep index order.
template <typename Key>
std::vector<int64_t> argsort_ascending(const std::vector<Key>& keys) {
  std::vector<int64_t> order(keys.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t a, int64_t b) { return keys[static_cast<size_t>(a)] < keys[static_cast<size_t>(b)]; });
  return order;
}

}  // namespace transformers::generation_detail
