// The sampling warpers (transformers' TemperatureLogitsWarper ... EtaLogitsWarper): each removes
// unlikely tokens (score -inf) or rescales the scores, with transformers' comparisons in float32.
#include <algorithm>
#include <cmath>
#include <limits>

#include "python_repr.hpp"
#include "score_rows.hpp"
#include "transformers/generation/logits_process.hpp"

namespace transformers {
namespace {

using generation_detail::argsort_ascending;
using generation_detail::kNegativeInfinity;
using generation_detail::kth_largest;
using generation_detail::python_float;
using generation_detail::ScoreRows;

void require_min_tokens_to_keep(int64_t min_tokens_to_keep, const char* how = "a positive integer") {
  if (min_tokens_to_keep < 1)
    throw InvalidArgument(std::string("`min_tokens_to_keep` has to be ") + how + ", but is " +
                          std::to_string(min_tokens_to_keep));
}

std::vector<float> float_probabilities(const float* row, int64_t n) {
  const std::vector<double> p = generation_detail::softmax(row, n);
  return std::vector<float>(p.begin(), p.end());
}

// Removes the tokens `remove` marks, except those among the min_tokens_to_keep highest scores.
void remove_unless_top(float* row, int64_t n, const std::vector<bool>& remove, int64_t min_tokens_to_keep) {
  const float kth = kth_largest(row, n, std::min(min_tokens_to_keep, n));
  for (int64_t v = 0; v < n; ++v)
    if (remove[static_cast<size_t>(v)] && row[v] < kth) row[v] = kNegativeInfinity;
}

}  // namespace

TemperatureLogitsWarper::TemperatureLogitsWarper(double temperature) : temperature_(static_cast<float>(temperature)) {
  if (!(temperature > 0)) {
    std::string message = "`temperature` (=" + python_float(temperature) +
                          ") has to be a strictly positive float, otherwise your next token scores will be invalid.";
    if (temperature == 0.0) message += " If you're looking for greedy decoding strategies, set `do_sample=False`.";
    throw InvalidArgument(message);
  }
}

Tensor TemperatureLogitsWarper::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  for (float& x : out.values) x /= temperature_;
  return out.tensor();
}

TopKLogitsWarper::TopKLogitsWarper(int64_t top_k, int64_t min_tokens_to_keep)
    : top_k_(std::max(top_k, min_tokens_to_keep)) {
  if (top_k <= 0)
    throw InvalidArgument("`top_k` has to be a strictly positive integer, but is " + std::to_string(top_k));
}

Tensor TopKLogitsWarper::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  for (int64_t r = 0; r < out.rows; ++r) {
    float* row = out.row(r);
    const float kth = kth_largest(row, out.vocab, std::min(top_k_, out.vocab));
    for (int64_t v = 0; v < out.vocab; ++v)
      if (row[v] < kth) row[v] = kNegativeInfinity;
  }
  return out.tensor();
}

TopPLogitsWarper::TopPLogitsWarper(double top_p, int64_t min_tokens_to_keep)
    : top_p_(top_p), min_tokens_to_keep_(min_tokens_to_keep) {
  if (top_p < 0 || top_p > 1.0)
    throw InvalidArgument("`top_p` has to be a float > 0 and < 1, but is " + python_float(top_p));
  require_min_tokens_to_keep(min_tokens_to_keep);
}

// Sorted ascending, the tokens whose cumulative probability stays within 1 - top_p go.
Tensor TopPLogitsWarper::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  const float threshold = static_cast<float>(1.0 - top_p_);
  for (int64_t r = 0; r < out.rows; ++r) {
    float* row = out.row(r);
    const std::vector<int64_t> order = argsort_ascending(std::vector<float>(row, row + out.vocab));
    std::vector<float> sorted(order.size());
    for (size_t i = 0; i < order.size(); ++i) sorted[i] = row[order[i]];
    const std::vector<float> p = float_probabilities(sorted.data(), out.vocab);
    double cumulative = 0.0;  // torch's CPU cumsum accumulates float32 in double
    for (int64_t i = 0; i < out.vocab - min_tokens_to_keep_; ++i) {
      cumulative += p[static_cast<size_t>(i)];
      if (static_cast<float>(cumulative) <= threshold) row[order[static_cast<size_t>(i)]] = kNegativeInfinity;
    }
  }
  return out.tensor();
}

MinPLogitsWarper::MinPLogitsWarper(double min_p, int64_t min_tokens_to_keep)
    : min_p_(min_p), min_tokens_to_keep_(min_tokens_to_keep) {
  if (!(min_p >= 0 && min_p <= 1.0))
    throw InvalidArgument("`min_p` has to be a float in the [0, 1] interval, but is " + python_float(min_p));
  require_min_tokens_to_keep(min_tokens_to_keep);
}

Tensor MinPLogitsWarper::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  for (int64_t r = 0; r < out.rows; ++r) {
    float* row = out.row(r);
    const std::vector<float> p = float_probabilities(row, out.vocab);
    const float scaled_min_p = static_cast<float>(min_p_) * *std::max_element(p.begin(), p.end());
    // The min_tokens_to_keep most probable tokens stay (the highest scores: the same tokens).
    std::vector<bool> remove(p.size());
    for (size_t v = 0; v < p.size(); ++v) remove[v] = p[v] < scaled_min_p;
    const int64_t keep = std::min(min_tokens_to_keep_, out.vocab);
    const float kth = kth_largest(row, out.vocab, keep);
    int64_t kept_at_kth = 0;
    for (int64_t v = 0; v < out.vocab; ++v) {
      const bool in_top = row[v] > kth || (row[v] == kth && kept_at_kth++ < keep);
      if (remove[static_cast<size_t>(v)] && !in_top) row[v] = kNegativeInfinity;
    }
  }
  return out.tensor();
}

TypicalLogitsWarper::TypicalLogitsWarper(double mass, int64_t min_tokens_to_keep)
    : mass_(mass), min_tokens_to_keep_(min_tokens_to_keep) {
  if (!(mass > 0 && mass < 1))
    throw InvalidArgument("`typical_p` has to be a float > 0 and < 1, but is " + python_float(mass));
  require_min_tokens_to_keep(min_tokens_to_keep);
}

// Tokens sorted by how far their surprise is from the entropy; the closest whose probabilities
// add up to mass stay.
Tensor TypicalLogitsWarper::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  const int64_t n = out.vocab;
  for (int64_t r = 0; r < out.rows; ++r) {
    float* row = out.row(r);
    const std::vector<double> log_p = generation_detail::log_softmax(row, n);
    double entropy = 0.0;
    for (double lp : log_p)
      if (std::isfinite(lp)) entropy -= lp * std::exp(lp);  // nansum: -inf * 0 is skipped
    std::vector<float> shifted(static_cast<size_t>(n));
    for (size_t v = 0; v < shifted.size(); ++v) shifted[v] = static_cast<float>(std::fabs(-log_p[v] - entropy));
    const std::vector<int64_t> order = argsort_ascending(shifted);
    std::vector<float> sorted_logits(order.size());
    for (size_t i = 0; i < order.size(); ++i) sorted_logits[i] = row[order[i]];
    const std::vector<float> p = float_probabilities(sorted_logits.data(), n);
    int64_t last = 0;
    double cumulative = 0.0;
    for (float x : p) last += static_cast<float>(cumulative += x) < static_cast<float>(mass_);
    last = std::min(last, n - 1);
    const float limit = shifted[static_cast<size_t>(order[static_cast<size_t>(last)])];
    for (int64_t i = min_tokens_to_keep_; i < n; ++i)
      if (shifted[static_cast<size_t>(order[static_cast<size_t>(i)])] > limit)
        row[order[static_cast<size_t>(i)]] = kNegativeInfinity;
  }
  return out.tensor();
}

EpsilonLogitsWarper::EpsilonLogitsWarper(double epsilon, int64_t min_tokens_to_keep)
    : epsilon_(static_cast<float>(epsilon)), min_tokens_to_keep_(min_tokens_to_keep) {
  if (epsilon <= 0 || epsilon >= 1)
    throw InvalidArgument("`epsilon_cutoff` has to be a float > 0 and < 1, but is " + python_float(epsilon));
  require_min_tokens_to_keep(min_tokens_to_keep, "a strictly positive integer");
}

Tensor EpsilonLogitsWarper::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  for (int64_t r = 0; r < out.rows; ++r) {
    float* row = out.row(r);
    const std::vector<float> p = float_probabilities(row, out.vocab);
    std::vector<bool> remove(p.size());
    for (size_t v = 0; v < p.size(); ++v) remove[v] = p[v] < epsilon_;
    remove_unless_top(row, out.vocab, remove, min_tokens_to_keep_);
  }
  return out.tensor();
}

EtaLogitsWarper::EtaLogitsWarper(double epsilon, int64_t min_tokens_to_keep)
    : epsilon_(static_cast<float>(epsilon)), min_tokens_to_keep_(min_tokens_to_keep) {
  if (epsilon <= 0 || epsilon >= 1)
    throw InvalidArgument("`eta_cutoff` has to be a float > 0 and < 1, but is " + python_float(epsilon));
  require_min_tokens_to_keep(min_tokens_to_keep, "a strictly positive integer");
}

// eta = min(epsilon, sqrt(epsilon) * exp(-entropy)), torch.distributions.Categorical's entropy.
Tensor EtaLogitsWarper::operator()(const Tensor&, const Tensor& scores) const {
  ScoreRows out(scores);
  for (int64_t r = 0; r < out.rows; ++r) {
    float* row = out.row(r);
    const std::vector<double> log_p = generation_detail::log_softmax(row, out.vocab);
    double entropy = 0.0;
    for (double lp : log_p)
      entropy -= std::max(lp, static_cast<double>(std::numeric_limits<float>::lowest())) * std::exp(lp);
    const float eta = std::min(epsilon_, std::sqrt(epsilon_) * static_cast<float>(std::exp(-entropy)));
    const std::vector<float> p = float_probabilities(row, out.vocab);
    std::vector<bool> remove(p.size());
    for (size_t v = 0; v < p.size(); ++v) remove[v] = p[v] < eta;
    remove_unless_top(row, out.vocab, remove, min_tokens_to_keep_);
  }
  return out.tensor();
}

}  // namespace transformers
