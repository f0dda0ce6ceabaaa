#include <algorithm>

#include "../backends/backend.hpp"
#include "checks.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

namespace {

Shape reduced_shape(const Tensor& x, int64_t axis, bool keepdim) {
  Shape shape = x.shape();
  if (keepdim)
    shape[axis] = 1;
  else
    shape.erase(shape.begin() + axis);
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

Tensor sum(const Tensor& x, int64_t axis, bool keepdim) {
  return run_reduce(backend::Reduce::Sum, x, axis, keepdim, "sum");
}
Tensor mean(const Tensor& x, int64_t axis, bool keepdim) {
  return run_reduce(backend::Reduce::Mean, x, axis, keepdim, "mean");
}
Tensor max(const Tensor& x, int64_t axis, bool keepdim) {
  return run_reduce(backend::Reduce::Max, x, axis, keepdim, "max");
}

Tensor argmax(const Tensor& x_in, int64_t axis, bool keepdim) {
  const Tensor x = detail::as_f32(x_in, "argmax", "input");
  if (x.dim() == 0) throw InvalidArgument("argmax: input must have at least 1 dimension");
  axis = x.normalize_dim(axis);
  const int64_t n = x.size(axis);
  if (n == 0) throw InvalidArgument("argmax: dimension " + std::to_string(axis) + " of " + x.describe() + " is empty");
  const Tensor rows = rows_along(x, axis);
  Tensor out = Tensor::empty({rows.numel() / n}, DType::I64, x.device());
  if (out.numel() > 0) backend::backend_for(x.device()).argmax(rows.view({out.numel(), n}), out);
  return out.view(reduced_shape(x, axis, keepdim));
}

std::pair<Tensor, Tensor> topk(const Tensor& x_in, int64_t k, int64_t axis, bool largest) {
  const Tensor x = detail::as_f32(x_in, "topk", "input");
  if (x.dim() == 0) throw InvalidArgument("topk: input must have at least 1 dimension");
  axis = x.normalize_dim(axis);
  const int64_t n = x.size(axis);
  if (k < 0 || k > n)
    throw InvalidArgument("topk: k = " + std::to_string(k) + " is outside [0, " + std::to_string(n) + "] for " +
                          x.describe());
  // Results come out as [rows..., k] on the input's device; k moves back to `axis` there.
  Shape moved_shape;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != axis) moved_shape.push_back(x.size(d));
  moved_shape.push_back(k);
  const int64_t rows = shape_numel(moved_shape) / std::max<int64_t>(k, 1);
  Tensor values = Tensor::empty(moved_shape, DType::F32, x.device());
  Tensor indices = Tensor::empty(moved_shape, DType::I64, x.device());
  if (values.numel() > 0) {
    Tensor values2 = values.view({rows, k}), indices2 = indices.view({rows, k});
    backend::backend_for(x.device()).topk(rows_along(x, axis).view({rows, n}), k, largest, values2, indices2);
  }
  std::vector<int64_t> back(static_cast<size_t>(x.dim()));
  for (int64_t d = 0, src = 0; d < x.dim(); ++d) back[d] = d == axis ? x.dim() - 1 : src++;
  return {values.permute(back).contiguous(), indices.permute(back).contiguous()};
}

}  // namespace transformers::ops
