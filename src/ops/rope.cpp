// Rotary position embeddings, composed from element-wise ops so they run on every backend.
#include <cmath>

#include "checks.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

std::pair<Tensor, Tensor> rope_cos_sin(const Tensor& position_ids, int64_t head_dim, float theta) {
  if (head_dim <= 0 || head_dim % 2 != 0)
    throw InvalidArgument("rope_cos_sin: head_dim must be even and positive, got " + std::to_string(head_dim));
  const int64_t half = head_dim / 2;
  std::vector<float> inv_freq(static_cast<size_t>(half));
  for (int64_t i = 0; i < half; ++i)
    inv_freq[i] = 1.0f / std::pow(theta, static_cast<float>(2 * i) / static_cast<float>(head_dim));
  return rope_cos_sin(position_ids, inv_freq);
}

std::pair<Tensor, Tensor> rope_cos_sin(const Tensor& position_ids, const std::vector<float>& inv_freq,
                                       float attention_scaling) {
  detail::require_integer(position_ids, "rope_cos_sin", "position_ids");
  detail::require_rank(position_ids, 2, "rope_cos_sin", "position_ids");
  if (inv_freq.empty()) throw InvalidArgument("rope_cos_sin: no inverse frequencies");
  const size_t half = inv_freq.size(), head_dim = 2 * half;
  std::vector<int64_t> positions = position_ids.to_vector<int64_t>();
  std::vector<float> cos(positions.size() * head_dim), sin(cos.size());
  for (size_t p = 0; p < positions.size(); ++p)
    for (size_t i = 0; i < head_dim; ++i) {
      const float angle = static_cast<float>(positions[p]) * inv_freq[i % half];
      cos[p * head_dim + i] = std::cos(angle) * attention_scaling;
      sin[p * head_dim + i] = std::sin(angle) * attention_scaling;
    }
  Shape shape{position_ids.size(0), position_ids.size(1), static_cast<int64_t>(head_dim)};
  return {Tensor::from_vector(cos, shape).to(position_ids.device()),
          Tensor::from_vector(sin, shape).to(position_ids.device())};
}

Tensor rope(const Tensor& x_in, const Tensor& cos_in, const Tensor& sin_in) {
  const Tensor x = detail::as_f32(x_in, "rope", "x");
  detail::require_rank(x, 4, "rope", "x");
  const Tensor cos = detail::as_f32(cos_in, "rope", "cos");
  const Tensor sin = detail::as_f32(sin_in, "rope", "sin");
  const int64_t batch = x.size(0), positions = x.size(2), head_dim = x.size(3), half = head_dim / 2;
  const Shape expected{batch, positions, head_dim};
  if (cos.shape() != expected || sin.shape() != expected)
    throw InvalidArgument("rope: cos " + cos.describe() + " and sin " + sin.describe() + " must be " +
                          shape_str(expected) + " for x " + x.describe());
  if (head_dim % 2 != 0) throw InvalidArgument("rope: head_dim of x " + x.describe() + " must be even");
  Tensor rotated = concat({scale(x.narrow(3, half, half), -1.0f), x.narrow(3, 0, half)}, 3);
  // cos/sin broadcast over heads: [batch, 1, positions, head_dim].
  return add(mul(x, cos.unsqueeze(1)), mul(rotated, sin.unsqueeze(1)));
}

}  // namespace transformers::ops
