#include "../backends/backend.hpp"
#include "checks.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

namespace {

Tensor run_softmax(const Tensor& x_in, int64_t axis, const Tensor& mask_in, bool log, const char* name) {
  const Tensor x = detail::as_f32(x_in, name, "input");
  const Tensor mask = mask_in.defined() ? detail::as_f32(mask_in, name, "mask") : mask_in;
  if (x.dim() == 0) throw InvalidArgument(std::string(name) + ": input must have at least 1 dimension");
  axis = x.normalize_dim(axis);
  Tensor expanded_mask;
  if (mask.defined()) {
    detail::require_same_device(x, mask, name, "mask");
    if (detail::broadcast_shapes(x.shape(), mask.shape(), name) != x.shape())
      throw InvalidArgument(std::string(name) + ": mask " + mask.describe() + " does not broadcast to input " +
                            x.describe());
    expanded_mask = mask.expand(x.shape());
  }
  // The kernels reduce over the last dimension: move `axis` there and back.
  const bool moved = axis != x.dim() - 1;
  Tensor in = moved ? x.transpose(axis, -1).contiguous() : x.contiguous();
  if (moved && expanded_mask.defined()) expanded_mask = expanded_mask.transpose(axis, -1);
  Tensor out = Tensor::empty(in.shape(), DType::F32, x.device());
  if (in.numel() > 0) backend::backend_for(x.device()).softmax(in, expanded_mask, out, log);
  return moved ? out.transpose(axis, -1).contiguous() : out;
}

Tensor norm_param(const Tensor& x, const Tensor& p_in, const char* op, const char* arg) {
  if (!p_in.defined()) return p_in;
  const Tensor p = detail::as_f32(p_in, op, arg);
  detail::require_same_device(x, p, op, arg);
  if (p.dim() != 1 || p.size(0) != x.size(-1))
    throw InvalidArgument(std::string(op) + ": " + arg + " " + p.describe() + " must be [" +
                          std::to_string(x.size(-1)) + "] to match input " + x.describe());
  return p.contiguous();
}

}  // namespace

Tensor softmax(const Tensor& x, int64_t axis, const Tensor& mask) {
  return run_softmax(x, axis, mask, false, "softmax");
}
Tensor log_softmax(const Tensor& x, int64_t axis, const Tensor& mask) {
  return run_softmax(x, axis, mask, true, "log_softmax");
}

Tensor layer_norm(const Tensor& x_in, const Tensor& weight_in, const Tensor& bias_in, float eps) {
  const Tensor x = detail::as_f32(x_in, "layer_norm", "input");
  if (x.dim() == 0) throw InvalidArgument("layer_norm: input must have at least 1 dimension");
  const Tensor weight = norm_param(x, weight_in, "layer_norm", "weight");
  const Tensor bias = norm_param(x, bias_in, "layer_norm", "bias");
  Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());
  if (x.numel() > 0) backend::backend_for(x.device()).layer_norm(x.contiguous(), weight, bias, eps, out);
  return out;
}

Tensor rms_norm(const Tensor& x_in, const Tensor& weight_in, float eps) {
  const Tensor x = detail::as_f32(x_in, "rms_norm", "input");
  if (x.dim() == 0) throw InvalidArgument("rms_norm: input must have at least 1 dimension");
  const Tensor weight = norm_param(x, weight_in, "rms_norm", "weight");
  Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());
  if (x.numel() > 0) backend::backend_for(x.device()).rms_norm(x.contiguous(), weight, eps, out);
  return out;
}

}  // namespace transformers::ops
