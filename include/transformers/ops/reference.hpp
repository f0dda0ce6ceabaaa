#pragma once
// Plain, obviously-correct versions of the ops: loops over f32 CPU tensors, accumulating in double.
// They are slow on purpose; the tests check every backend and kernel against them.
#include "transformers/ops/ops.hpp"

namespace transformers::ops::reference {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});
// a [batch, M, K] . b [batch, K, N] (batch may be 1 on either side); 2-D operands allowed.
Tensor matmul(const Tensor& a, const Tensor& b);
Tensor unary(const Tensor& x, std::string_view activation_name);
// Over the last dimension; mask (optional) broadcasts to x.
Tensor softmax(const Tensor& x, const Tensor& mask = {}, bool log = false);
Tensor layer_norm(const Tensor& x, const Tensor& weight, const Tensor& bias, float eps);
Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps);
Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options = {});

}  // namespace transformers::ops::reference
