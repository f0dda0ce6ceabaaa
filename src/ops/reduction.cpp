#include <algorithm>
#include <cmath>
#include <numeric>

#include "../backends/backend.hpp"
#include "checks.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

namespace {

Shape reduced_shape(const Tensor& x, int64_t axis, bool keepdim) {
  Shape shape = x.shape();
  if (keepdim) shape[axis] = 1;
  else shape.erase(shape.begin() + axis);
  return shape;
}

// x with `axis` moved last, contiguous, as [rows, n].
Tensor rows_along(const Tensor& x, int64_t axis) {
  std::vector<int64_t> order;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != axis) order.push_back(d);
  order.push_back(axis);
  return x.permute(order).contiguous();
}

Tensor run_reduce(backend::Reduce op, const Tensor& x_in, int64_t axis, bool keepdim, const char* name) {
  const Tensor x = detail::as_f32(x_in, name, "input");
  if (x.dim() == 0) throw InvalidArgument(std::string(name) + ": input must have at least 1 dimension");
  axis = x.normalize_dim(axis);
  if (x.size(axis) == 0 && op == backend::Reduce::Max)
    throw InvalidArgument(std::string(name) + ": cannot take the max of an empty dimension of " + x.describe());
  Tensor rows = rows_along(x, axis);
  Tensor out = Tensor::empty(reduced_shape(x, axis, keepdim), DType::F32, x.device());
  if (out.numel() > 0) backend::backend_for(x.device()).reduce(op, rows, out);
  return out;
}

}  // namespace

Tensor sum(const Tensor& x, int64_t axis, bool keepdim) { return run_reduce(backend::Reduce::Sum, x, axis, keepdim, "sum"); }
Tensor mean(const Tensor& x, int64_t axis, bool keepdim) {
  return run_reduce(backend::Reduce::Mean, x, axis, keepdim, "mean");
}
Tensor max(const Tensor& x, int64_t axis, bool keepdim) { return run_reduce(backend::Reduce::Max, x, axis, keepdim, "max"); }

Tensor argmax(const Tensor& x_in, int64_t axis, bool keepdim) {
  const Tensor x = detail::as_f32(x_in, "argmax", "input");
  if (x.dim() == 0) throw InvalidArgument("argmax: input must have at least 1 dimension");
  axis = x.normalize_dim(axis);
  const int64_t n = x.size(axis);
  if (n == 0) throw InvalidArgument("argmax: dimension " + std::to_string(axis) + " of " + x.describe() + " is empty");
  std::vector<float> values = rows_along(x, axis).to_vector<float>();
  std::vector<int64_t> result(values.size() / static_cast<size_t>(n));
  for (size_t r = 0; r < result.size(); ++r) {
    const float* row = values.data() + r * static_cast<size_t>(n);
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i) {
      if (std::isnan(row[best])) break;  // torch: the first NaN is the maximum
      if (std::isnan(row[i]) || row[i] > row[best]) best = i;
    }
    result[r] = best;
  }
  return Tensor::from_vector(result, reduced_shape(x, axis, keepdim)).to(x.device());
}

std::pair<Tensor, Tensor> topk(const Tensor& x_in, int64_t k, int64_t axis, bool largest) {
  const Tensor x = detail::as_f32(x_in, "topk", "input");
  if (x.dim() == 0) throw InvalidArgument("topk: input must have at least 1 dimension");
  axis = x.normalize_dim(axis);
  const int64_t n = x.size(axis);
  if (k < 0 || k > n)
    throw InvalidArgument("topk: k = " + std::to_string(k) + " is outside [0, " + std::to_string(n) + "] for " +
                          x.describe());
  std::vector<float> values = rows_along(x, axis).to_vector<float>();
  const size_t rows = n == 0 ? 0 : values.size() / static_cast<size_t>(n);
  std::vector<float> top_values(rows * static_cast<size_t>(k));
  std::vector<int64_t> top_indices(rows * static_cast<size_t>(k));
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (size_t r = 0; r < rows; ++r) {
    const float* row = values.data() + r * static_cast<size_t>(n);
    std::iota(order.begin(), order.end(), 0);
    // NaN counts as the largest value, as in torch; ties keep the lower index first.
    auto before = [&](int64_t i, int64_t j) {
      const float a = row[i], b = row[j];
      const bool a_nan = std::isnan(a), b_nan = std::isnan(b);
      if (a_nan || b_nan) return largest ? (a_nan && !b_nan) : (!a_nan && b_nan);
      return largest ? a > b : a < b;
    };
    std::stable_sort(order.begin(), order.end(), before);
    for (int64_t i = 0; i < k; ++i) {
      top_values[r * static_cast<size_t>(k) + i] = row[order[i]];
      top_indices[r * static_cast<size_t>(k) + i] = order[i];
    }
  }
  // Results come out as [rows..., k]; move k back to `axis`.
  Shape moved_shape;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != axis) moved_shape.push_back(x.size(d));
  moved_shape.push_back(k);
  std::vector<int64_t> back(static_cast<size_t>(x.dim()));
  for (int64_t d = 0, src = 0; d < x.dim(); ++d) back[d] = d == axis ? x.dim() - 1 : src++;
  Tensor v = Tensor::from_vector(top_values, moved_shape).permute(back).contiguous();
  Tensor i = Tensor::from_vector(top_indices, moved_shape).permute(back).contiguous();
  return {v.to(x.device()), i.to(x.device())};
}

}  // namespace transformers::ops
