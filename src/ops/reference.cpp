#include "transformers/ops/reference.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "checks.hpp"

namespace transformers::ops::reference {

namespace {

std::vector<double> values_of(const Tensor& t) { return t.to_vector<double>(); }

Tensor from_doubles(const std::vector<double>& values, const Shape& shape) {
  std::vector<float> f(values.begin(), values.end());
  return Tensor::from_vector(f, shape);
}

double activate(double x, std::string_view name) {
  if (name == "gelu") return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0)));
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast")
    return 0.5 * x * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (x + 0.044715 * x * x * x)));
  if (name == "quick_gelu") return x / (1.0 + std::exp(-1.702 * x));
  if (name == "relu") return x > 0 ? x : 0.0;
  if (name == "silu" || name == "swish") return x / (1.0 + std::exp(-x));
  if (name == "tanh") return std::tanh(x);
  if (name == "sigmoid") return 1.0 / (1.0 + std::exp(-x));
  throw InvalidArgument("reference::unary: unknown activation '" + std::string(name) + "'");
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  const int64_t out_features = weight.size(0), in_features = weight.size(1);
  const int64_t rows = x.numel() / in_features;
  std::vector<double> xs = values_of(x), ws = values_of(weight), bs;
  if (bias.defined()) bs = values_of(bias);
  std::vector<double> y(static_cast<size_t>(rows * out_features));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < out_features; ++o) {
      double total = bias.defined() ? bs[o] : 0.0;
      for (int64_t i = 0; i < in_features; ++i) total += xs[r * in_features + i] * ws[o * in_features + i];
      y[r * out_features + o] = total;
    }
  Shape shape = x.shape();
  shape.back() = out_features;
  return from_doubles(y, shape);
}

Tensor matmul(const Tensor& a_in, const Tensor& b_in) {
  Tensor a = a_in.dim() == 2 ? a_in.unsqueeze(0) : a_in;
  Tensor b = b_in.dim() == 2 ? b_in.unsqueeze(0) : b_in;
  const int64_t batch = std::max(a.size(0), b.size(0));
  const int64_t m = a.size(1), k = a.size(2), n = b.size(2);
  std::vector<double> as = values_of(a), bs = values_of(b), c(static_cast<size_t>(batch * m * n));
  for (int64_t p = 0; p < batch; ++p) {
    const double* pa = as.data() + (a.size(0) == 1 ? 0 : p * m * k);
    const double* pb = bs.data() + (b.size(0) == 1 ? 0 : p * k * n);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double total = 0.0;
        for (int64_t q = 0; q < k; ++q) total += pa[i * k + q] * pb[q * n + j];
        c[(p * m + i) * n + j] = total;
      }
  }
  Shape shape = (a_in.dim() == 2 && b_in.dim() == 2) ? Shape{m, n} : Shape{batch, m, n};
  return from_doubles(c, shape);
}

Tensor unary(const Tensor& x, std::string_view activation_name) {
  std::vector<double> v = values_of(x);
  for (double& e : v) e = activate(e, activation_name);
  return from_doubles(v, x.shape());
}

Tensor softmax(const Tensor& x, const Tensor& mask, bool log) {
  const int64_t n = x.size(-1), rows = x.numel() / n;
  std::vector<double> v = values_of(x);
  if (mask.defined()) {
    std::vector<double> m = values_of(mask.expand(x.shape()).contiguous());
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(static_cast<float>(v[i] + m[i]));
  }
  for (int64_t r = 0; r < rows; ++r) {
    double* row = v.data() + r * n;
    double best = -std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < n; ++i) best = std::max(best, row[i]);
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) total += std::exp(row[i] - best);
    for (int64_t i = 0; i < n; ++i) row[i] = log ? row[i] - best - std::log(total) : std::exp(row[i] - best) / total;
  }
  return from_doubles(v, x.shape());
}

Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps) {
  const int64_t n = x.size(-1), rows = x.numel() / n;
  std::vector<double> v = values_of(x), w, b;
  if (weight.defined()) w = values_of(weight);
  if (bias.defined()) b = values_of(bias);
  for (int64_t r = 0; r < rows; ++r) {
    double* row = v.data() + r * n;
    double mean = 0.0, var = 0.0;
    for (int64_t i = 0; i < n; ++i) mean += row[i];
    mean /= static_cast<double>(n);
    for (int64_t i = 0; i < n; ++i) var += (row[i] - mean) * (row[i] - mean);
    var /= static_cast<double>(n);
    const double inv = 1.0 / std::sqrt(var + eps);
    for (int64_t i = 0; i < n; ++i)
      row[i] = (row[i] - mean) * inv * (w.empty() ? 1.0 : w[i]) + (b.empty() ? 0.0 : b[i]);
  }
  return from_doubles(v, x.shape());
}

Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps) {
  const int64_t n = x.size(-1), rows = x.numel() / n;
  std::vector<double> v = values_of(x), w;
  if (weight.defined()) w = values_of(weight);
  for (int64_t r = 0; r < rows; ++r) {
    double* row = v.data() + r * n;
    double squares = 0.0;
    for (int64_t i = 0; i < n; ++i) squares += row[i] * row[i];
    const double inv = 1.0 / std::sqrt(squares / static_cast<double>(n) + eps);
    for (int64_t i = 0; i < n; ++i) row[i] = row[i] * inv * (w.empty() ? 1.0 : w[i]);
  }
  return from_doubles(v, x.shape());
}

Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options) {
  const int64_t batch = q.size(0), heads = q.size(1), queries = q.size(2), dim = q.size(3);
  const int64_t kv_heads = k.size(1), keys = k.size(2), groups = heads / kv_heads;
  const double scale = options.scale ? *options.scale : 1.0 / std::sqrt(static_cast<double>(dim));
  const double masked = std::numeric_limits<float>::lowest();
  std::vector<double> qs = values_of(q), ks = values_of(k), vs = values_of(v);
  std::vector<double> additive;
  const bool float_mask = options.mask.defined() && is_floating(options.mask.dtype());
  if (float_mask) additive = values_of(options.mask.expand({batch, heads, queries, keys}).contiguous());
  std::vector<int64_t> keep;
  if (options.mask.defined() && !float_mask) keep = options.mask.to_vector<int64_t>();
  std::vector<double> out(static_cast<size_t>(batch * heads * queries * dim), 0.0), scores(static_cast<size_t>(keys));
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h) {
      const int64_t kh = h / groups;  // consecutive query heads share a kv head, as repeat_kv does
      for (int64_t i = 0; i < queries; ++i) {
        double best = -std::numeric_limits<double>::infinity();
        for (int64_t j = 0; j < keys; ++j) {
          double s = 0.0;
          for (int64_t d = 0; d < dim; ++d)
            s += qs[((b * heads + h) * queries + i) * dim + d] * ks[((b * kv_heads + kh) * keys + j) * dim + d];
          s = static_cast<float>(s * scale);
          if (options.softcap) s = static_cast<float>(*options.softcap * std::tanh(s / *options.softcap));
          bool hidden = !keep.empty() && keep[b * keys + j] == 0;
          if (options.causal && j > keys - queries + i) hidden = true;
          if (float_mask && !hidden) s = static_cast<float>(s + additive[((b * heads + h) * queries + i) * keys + j]);
          if (hidden) s = static_cast<float>(s + masked);
          scores[j] = s;
          best = std::max(best, s);
        }
        double total = 0.0;
        for (int64_t j = 0; j < keys; ++j) total += (scores[j] = std::exp(scores[j] - best));
        for (int64_t j = 0; j < keys; ++j)
          for (int64_t d = 0; d < dim; ++d)
            out[((b * heads + h) * queries + i) * dim + d] +=
                scores[j] / total * vs[((b * kv_heads + kh) * keys + j) * dim + d];
      }
    }
  return from_doubles(out, {batch, heads, queries, dim});
}

}  // namespace transformers::ops::reference
