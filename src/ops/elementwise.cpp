#include <string>

#include "../backends/backend.hpp"
#include "activations.hpp"
#include "checks.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

namespace {

using backend::Binary;
using backend::Unary;

Tensor run_unary(Unary op, const Tensor& x_in, const char* name, float scalar = 0.0f) {
  const Tensor x = detail::as_f32(x_in, name, "input");
  Tensor in = x.contiguous();
  Tensor out = Tensor::empty(x.shape(), DType::F32, x.device());
  if (x.numel() > 0) backend::backend_for(x.device()).unary(op, in, out, scalar);
  return out;
}

Tensor run_binary(Binary op, const Tensor& a_in, const Tensor& b_in, const char* name) {
  const Tensor a = detail::as_f32(a_in, name, "a");
  const Tensor b = detail::as_f32(b_in, name, "b");
  detail::require_same_device(a, b, name, "b");
  Shape shape = detail::broadcast_shapes(a.shape(), b.shape(), name);
  Tensor out = Tensor::empty(shape, DType::F32, a.device());
  if (out.numel() > 0) backend::backend_for(a.device()).binary(op, a.expand(shape), b.expand(shape), out);
  return out;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return run_binary(Binary::Add, a, b, "add"); }
Tensor sub(const Tensor& a, const Tensor& b) { return run_binary(Binary::Sub, a, b, "sub"); }
Tensor mul(const Tensor& a, const Tensor& b) { return run_binary(Binary::Mul, a, b, "mul"); }
Tensor div(const Tensor& a, const Tensor& b) { return run_binary(Binary::Div, a, b, "div"); }
Tensor minimum(const Tensor& a, const Tensor& b) { return run_binary(Binary::Minimum, a, b, "minimum"); }
Tensor scale(const Tensor& x, float factor) { return run_unary(Unary::Scale, x, "scale", factor); }
Tensor add_scalar(const Tensor& x, float value) { return run_unary(Unary::AddScalar, x, "add_scalar", value); }

Tensor gelu(const Tensor& x) { return run_unary(Unary::Gelu, x, "gelu"); }
Tensor gelu_tanh(const Tensor& x) { return run_unary(Unary::GeluTanh, x, "gelu_tanh"); }
Tensor quick_gelu(const Tensor& x) { return run_unary(Unary::QuickGelu, x, "quick_gelu"); }
Tensor relu(const Tensor& x) { return run_unary(Unary::Relu, x, "relu"); }
Tensor silu(const Tensor& x) { return run_unary(Unary::Silu, x, "silu"); }
Tensor tanh(const Tensor& x) { return run_unary(Unary::Tanh, x, "tanh"); }
Tensor sigmoid(const Tensor& x) { return run_unary(Unary::Sigmoid, x, "sigmoid"); }

Tensor activation(const Tensor& x, std::string_view name) {
  return run_unary(detail::activation_op(name), x, "activation");
}

}  // namespace transformers::ops
