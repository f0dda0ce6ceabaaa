#pragma once
// transformers' activation names (config.json's hidden_act, ACT2FN) and the backend op of each.
#include <optional>
#include <string>
#include <string_view>

#include "../backends/backend.hpp"

namespace transformers::ops::detail {

inline std::optional<backend::Unary> find_activation(std::string_view name) {
  using backend::Unary;
  if (name == "gelu") return Unary::Gelu;
  if (name == "gelu_new" || name == "gelu_pytorch_tanh" || name == "gelu_fast") return Unary::GeluTanh;
  if (name == "quick_gelu") return Unary::QuickGelu;
  if (name == "relu") return Unary::Relu;
  if (name == "silu" || name == "swish") return Unary::Silu;
  if (name == "tanh") return Unary::Tanh;
  if (name == "sigmoid") return Unary::Sigmoid;
  return std::nullopt;
}

// The op for `name`; throws listing the known names otherwise.
inline backend::Unary activation_op(std::string_view name) {
  if (std::optional<backend::Unary> op = find_activation(name)) return *op;
  throw InvalidArgument("unknown activation '" + std::string(name) +
                        "' (known: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, quick_gelu, relu, silu, swish, "
                        "tanh, sigmoid)");
}

}  // namespace transformers::ops::detail
