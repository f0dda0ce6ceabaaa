// Lookups and data movement. index_select and gather work on host memory (a CUDA input makes a
// round trip); embedding and concat run on the input's device (concat writes each part into its
// slice of the output with the device's strided copy).
#include <cstring>

#include "../backends/backend.hpp"
#include "checks.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

namespace {

std::vector<int64_t> host_indices(const Tensor& index, int64_t limit, const char* op, const char* what) {
  std::vector<int64_t> values = index.to_vector<int64_t>();
  for (int64_t& v : values) {
    const int64_t original = v;
    if (v < 0) v += limit;
    if (v < 0 || v >= limit)
      throw InvalidArgument(std::string(op) + ": " + what + " " + std::to_string(original) + " is out of range [0, " +
                            std::to_string(limit) + ")");
  }
  return values;
}

}  // namespace

Tensor embedding(const Tensor& weight, const Tensor& ids) {
  detail::require_linear_weight(weight, "embedding", "weight");
  detail::require_rank(weight, 2, "embedding", "weight");
  detail::require_integer(ids, "embedding", "ids");
  const int64_t vocab = weight.size(0), dim = detail::weight_columns(weight);
  // Unlike torch, negative ids are an error too: a token id is never counted from the end.
  std::vector<int64_t> values = ids.to_vector<int64_t>();
  for (int64_t v : values)
    if (v < 0 || v >= vocab)
      throw InvalidArgument("embedding: id " + std::to_string(v) + " is out of range for a table of " +
                            std::to_string(vocab) + " rows");
  Tensor index = Tensor::from_vector(values, {static_cast<int64_t>(values.size())}).to(weight.device());
  Shape out_shape = ids.shape();
  out_shape.push_back(dim);
  Tensor out = Tensor::empty({static_cast<int64_t>(values.size()), dim}, DType::F32, weight.device());
  if (out.numel() > 0) backend::backend_for(weight.device()).embedding(weight.contiguous(), index, out);
  return out.view(out_shape);
}

Tensor pack_quantized(const Tensor& weight) {
  if (!weight.defined() || !is_block_quantized(weight.dtype())) return weight;
  return backend::backend_for(weight.device()).pack_weight(weight);
}

Tensor concat(const std::vector<Tensor>& tensors, int64_t axis) {
  if (tensors.empty()) throw InvalidArgument("concat: no tensors given");
  const Tensor& first = tensors.front();
  detail::require_defined(first, "concat", "tensors[0]");
  axis = first.normalize_dim(axis);
  Shape shape = first.shape();
  int64_t total = 0;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    const std::string arg = "tensors[" + std::to_string(i) + "]";
    detail::require_defined(t, "concat", arg.c_str());
    Shape expected = shape;
    expected[axis] = t.dim() == first.dim() ? t.size(axis) : -1;
    if (t.shape() != expected || t.dtype() != first.dtype() || t.device() != first.device())
      throw InvalidArgument("concat: " + arg + " " + t.describe() + " does not match " + first.describe() +
                            " outside dimension " + std::to_string(axis));
    total += t.size(axis);
  }
  shape[axis] = total;
  Tensor out = Tensor::empty(shape, first.dtype(), first.device());
  int64_t at = 0;
  for (const Tensor& t : tensors) {
    Tensor part = out.narrow(axis, at, t.size(axis));
    if (t.numel() > 0) part.copy_from(t);
    at += t.size(axis);
  }
  return out;
}

Tensor index_select(const Tensor& x, int64_t axis, const Tensor& index) {
  detail::require_defined(x, "index_select", "input");
  detail::require_integer(index, "index_select", "index");
  detail::require_rank(index, 1, "index_select", "index");
  axis = x.normalize_dim(axis);
  std::vector<int64_t> rows = host_indices(index, x.size(axis), "index_select", "index");
  Tensor host = x.to(Device::cpu());
  Shape shape = x.shape();
  shape[axis] = static_cast<int64_t>(rows.size());
  Tensor out = Tensor::empty(shape, x.dtype());
  for (size_t i = 0; i < rows.size(); ++i)
    out.select(axis, static_cast<int64_t>(i)).copy_from(host.select(axis, rows[i]));
  return out.to(x.device());
}

Tensor gather(const Tensor& x, int64_t axis, const Tensor& index) {
  detail::require_defined(x, "gather", "input");
  detail::require_integer(index, "gather", "index");
  axis = x.normalize_dim(axis);
  if (index.dim() != x.dim())
    throw InvalidArgument("gather: index " + index.describe() + " must have as many dimensions as input " +
                          x.describe());
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d != axis && index.size(d) > x.size(d))
      throw InvalidArgument("gather: index " + index.describe() + " is larger than input " + x.describe() +
                            " in dimension " + std::to_string(d));
  std::vector<int64_t> positions = host_indices(index.contiguous(), x.size(axis), "gather", "index");
  Tensor src = x.to(Device::cpu()).contiguous();
  Tensor out = Tensor::empty(index.shape(), x.dtype());
  const size_t element = dtype_size(x.dtype());
  const auto* in = static_cast<const char*>(src.data_ptr());
  auto* o = static_cast<char*>(out.data_ptr());
  const Shape& in_strides = src.strides();
  const Shape out_strides = contiguous_strides(index.shape());
  for (int64_t i = 0; i < out.numel(); ++i) {
    int64_t remaining = i, offset = 0;
    for (int64_t d = 0; d < x.dim(); ++d) {
      const int64_t coordinate = remaining / out_strides[d];
      remaining %= out_strides[d];
      offset += (d == axis ? positions[i] : coordinate) * in_strides[d];
    }
    std::memcpy(o + i * static_cast<int64_t>(element), in + offset * static_cast<int64_t>(element), element);
  }
  return out.to(x.device());
}

Tensor cast(const Tensor& x, DType dtype) {
  detail::require_defined(x, "cast", "input");
  return x.to(dtype);
}

}  // namespace transformers::ops
