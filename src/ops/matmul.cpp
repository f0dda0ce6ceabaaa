#include "../backends/backend.hpp"
#include "activations.hpp"
#include "checks.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) { return linear(x, weight, bias, {}); }

Tensor linear(const Tensor& x_in, const Tensor& weight, const Tensor& bias_in, const LinearEpilogue& epilogue) {
  const Tensor x = detail::as_f32(x_in, "linear", "input");
  const Tensor bias = bias_in.defined() ? detail::as_f32(bias_in, "linear", "bias") : bias_in;
  detail::require_linear_weight(weight, "linear", "weight");
  detail::require_rank(weight, 2, "linear", "weight");
  detail::require_same_device(x, weight, "linear", "weight");
  const int64_t out_features = weight.size(0), in_features = detail::weight_columns(weight);
  if (x.dim() < 1 || x.size(-1) != in_features)
    throw InvalidArgument("linear: input " + x.describe() + " does not end in in_features = " +
                          std::to_string(in_features) + " of weight " + weight.describe());
  if (bias.defined()) {
    detail::require_same_device(x, bias, "linear", "bias");
    if (bias.dim() != 1 || bias.size(0) != out_features)
      throw InvalidArgument("linear: bias " + bias.describe() + " must be [" + std::to_string(out_features) + "]");
  }
  Shape out_shape = x.shape();
  out_shape.back() = out_features;
  backend::Epilogue fused;
  if (!epilogue.activation.empty()) {
    fused.has_activation = true;
    fused.activation = detail::activation_op(epilogue.activation);
  }
  const Tensor residual =
      epilogue.residual.defined() ? detail::as_f32(epilogue.residual, "linear", "residual") : epilogue.residual;
  if (residual.defined()) {
    detail::require_same_device(x, residual, "linear", "residual");
    if (residual.shape() != out_shape)
      throw InvalidArgument("linear: residual " + residual.describe() + " must have the output's shape " +
                            shape_str(out_shape));
  }
  int64_t rows = 1;  // every dimension but the last (not numel / in_features: in_features may be 0)
  for (int64_t d = 0; d + 1 < x.dim(); ++d) rows *= x.size(d);
  Tensor bias_c = bias.defined() ? bias.contiguous() : bias;
  backend::Backend& device = backend::backend_for(x.device());
  // An f32 weight stored transposed (a view of a [in, out] tensor) is used as is, without a copy.
  const bool weight_is_transposed_view = weight.dtype() == DType::F32 && !weight.is_contiguous() &&
                                         weight.stride(0) == 1 && weight.stride(1) == out_features;
  if (weight_is_transposed_view) {
    Tensor out = Tensor::empty({1, rows, out_features}, DType::F32, x.device());
    if (residual.defined()) fused.residual = residual.contiguous().view({1, rows, out_features});
    device.matmul_epilogue(x.contiguous().view({1, rows, in_features}),
                           weight.transpose(0, 1).view({1, in_features, out_features}), bias_c, out, false, false, 1.0f,
                           fused);
    return out.view(out_shape);
  }
  Tensor out = Tensor::empty({rows, out_features}, DType::F32, x.device());
  if (residual.defined()) fused.residual = residual.contiguous().view({rows, out_features});
  device.linear(x.contiguous().view({rows, in_features}), weight.contiguous(), bias_c, out, fused);
  return out.view(out_shape);
}

Tensor matmul(const Tensor& a_given, const Tensor& b_given, bool transpose_a, bool transpose_b, float alpha) {
  const Tensor a_in = detail::as_f32(a_given, "matmul", "a");
  const Tensor b_in = detail::as_f32(b_given, "matmul", "b");
  detail::require_same_device(a_in, b_in, "matmul", "b");
  if (a_in.dim() == 0 || b_in.dim() == 0) throw InvalidArgument("matmul: operands must have at least 1 dimension");
  // Vectors become matrices: a [K] -> [1, K], b [K] -> [K, 1]; the extra dims are dropped again.
  const bool a_vector = a_in.dim() == 1, b_vector = b_in.dim() == 1;
  Tensor a = a_vector ? a_in.unsqueeze(0) : a_in;
  Tensor b = b_vector ? b_in.unsqueeze(1) : b_in;
  if (transpose_a) a = a.transpose(-1, -2);
  if (transpose_b) b = b.transpose(-1, -2);
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  if (b.size(-2) != k)
    throw InvalidArgument("matmul: inner dimensions differ: a " + a_in.describe() +
                          (transpose_a ? " (transposed)" : "") + " and b " + b_in.describe() +
                          (transpose_b ? " (transposed)" : ""));
  Shape batch_a(a.shape().begin(), a.shape().end() - 2), batch_b(b.shape().begin(), b.shape().end() - 2);
  Shape batch = detail::broadcast_shapes(batch_a, batch_b, "matmul");
  const int64_t batch_count = shape_numel(batch);
  // Each operand's batch must be either the full batch or a single matrix; otherwise expand it.
  auto prepare = [&](Tensor t, const Shape& own_batch, int64_t rows, int64_t cols, bool& transposed) {
    const bool single = shape_numel(own_batch) == 1;
    Shape full = single ? Shape{} : batch;
    if (!single && own_batch != batch) {
      Shape expanded = batch;
      expanded.push_back(rows);
      expanded.push_back(cols);
      t = t.expand(expanded);
    }
    const int64_t count = single ? 1 : batch_count;
    // A matrix whose last two dims are swapped in memory is passed transposed instead of copied.
    Tensor swapped = t.transpose(-1, -2);
    if (!t.is_contiguous() && swapped.is_contiguous()) {
      transposed = true;
      return swapped.view({count, cols, rows});
    }
    transposed = false;
    return t.contiguous().view({count, rows, cols});
  };
  bool ta = false, tb = false;
  Tensor a3 = prepare(a, batch_a, m, k, ta);
  Tensor b3 = prepare(b, batch_b, k, n, tb);
  Tensor out = Tensor::empty({batch_count, m, n}, DType::F32, a_in.device());
  backend::backend_for(a_in.device()).matmul(a3, b3, Tensor(), out, ta, tb, alpha);
  Shape out_shape = batch;
  if (!a_vector) out_shape.push_back(m);
  if (!b_vector) out_shape.push_back(n);
  return out.view(out_shape);
}

}  // namespace transformers::ops
