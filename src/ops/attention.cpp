// Scaled dot-product attention: the backend's fused kernel where it has one (CPU), otherwise
// composed from matmul and the masked softmax, which every backend has.
#include <cmath>
#include <limits>

#include "../backends/backend.hpp"
#include "checks.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::ops {

namespace {

constexpr float kMaskedScore = std::numeric_limits<float>::lowest();  // torch.finfo(float32).min

// Repeats each of k's kv_heads `groups` times along dim 1: [B, Hkv, L, D] -> [B, Hkv*groups, L, D].
Tensor repeat_kv(const Tensor& t, int64_t groups) {
  if (groups == 1) return t;
  const int64_t b = t.size(0), h = t.size(1), l = t.size(2), d = t.size(3);
  return t.unsqueeze(2).expand({b, h, groups, l, d}).reshape({b, h * groups, l, d});
}

// The user's mask as an additive f32 mask that broadcasts to [B, H, Lq, Lk]: 0 where attention
// is allowed, finfo.min where it is not. Undefined when there is no mask.
Tensor additive_mask(const Tensor& mask, int64_t batch, int64_t heads, int64_t queries, int64_t keys) {
  if (!mask.defined()) return {};
  if (is_floating(mask.dtype())) {
    const Shape target{batch, heads, queries, keys};
    if (detail::broadcast_shapes(target, mask.shape(), "attention") != target)
      throw InvalidArgument("attention: float mask " + mask.describe() + " does not broadcast to scores " +
                            shape_str(target));
    return mask.to(DType::F32);
  }
  if (mask.dim() != 2 || mask.size(0) != batch || mask.size(1) != keys)
    throw InvalidArgument("attention: padding mask " + mask.describe() + " must be [batch, keys] = [" +
                          std::to_string(batch) + ", " + std::to_string(keys) + "]");
  // Built where the mask is (no trip through the host for a GPU mask): keep is 0 or 1, so
  // (min(keep, 1) - 1) * finfo.max is 0 where attention is allowed and finfo.min where it is not.
  const Tensor keep = minimum(mask.to(DType::F32), Tensor::full({1}, 1.0, DType::F32, mask.device()));
  return scale(add_scalar(keep, -1.0f), std::numeric_limits<float>::max()).view({batch, 1, 1, keys});
}

// `additive` (or zeros) with the causal positions set to finfo.min - the minimum of the two, not
// their sum, so a position masked twice is still finfo.min rather than -inf. The causal pattern
// is made on the host (it depends on the sizes only) and combined on the scores' device.
Tensor with_causal(const Tensor& additive, const Shape& scores_shape, Device device) {
  const int64_t queries = scores_shape[2], keys = scores_shape[3];
  std::vector<float> causal(static_cast<size_t>(queries * keys), 0.0f);
  for (int64_t q = 0; q < queries; ++q)
    for (int64_t k = keys - queries + q + 1; k < keys; ++k) causal[static_cast<size_t>(q * keys + k)] = kMaskedScore;
  const Tensor pattern = Tensor::from_vector(causal, {1, 1, queries, keys}).to(device);
  return additive.defined() ? minimum(additive.to(device), pattern) : pattern;
}

}  // namespace

Tensor attention(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, const AttentionOptions& options) {
  const Tensor q = detail::as_f32(q_in, "attention", "q");
  const Tensor k = detail::as_f32(k_in, "attention", "k");
  const Tensor v = detail::as_f32(v_in, "attention", "v");
  detail::require_rank(q, 4, "attention", "q");
  detail::require_rank(k, 4, "attention", "k");
  detail::require_rank(v, 4, "attention", "v");
  detail::require_same_device(q, k, "attention", "k");
  detail::require_same_device(q, v, "attention", "v");
  const int64_t batch = q.size(0), heads = q.size(1), queries = q.size(2), head_dim = q.size(3);
  const int64_t kv_heads = k.size(1), keys = k.size(2);
  if (k.size(0) != batch || k.size(3) != head_dim || v.shape() != k.shape())
    throw InvalidArgument("attention: k " + k.describe() + " and v " + v.describe() + " must be [" +
                          std::to_string(batch) + ", kv_heads, keys, " + std::to_string(head_dim) + "] for q " +
                          q.describe());
  if (kv_heads == 0 || heads % kv_heads != 0)
    throw InvalidArgument("attention: q has " + std::to_string(heads) + " heads, not a multiple of k's " +
                          std::to_string(kv_heads));
  if (options.causal && queries > keys)
    throw InvalidArgument("attention: causal attention needs at least as many keys as queries");
  if (options.softcap && !(*options.softcap > 0.0f))
    throw InvalidArgument("attention: softcap must be positive, got " + std::to_string(*options.softcap));
  const float scale = options.scale.value_or(1.0f / std::sqrt(static_cast<float>(head_dim)));
  Tensor mask = additive_mask(options.mask, batch, heads, queries, keys);
  backend::Backend& device = backend::backend_for(q.device());
  // The output is laid out [B, Lq, H, D] in memory and returned as a [B, H, Lq, D] view, so that
  // merging the heads back ([B, Lq, H * D]) is free.
  Tensor out = Tensor::empty({batch, queries, heads, head_dim}, DType::F32, q.device()).transpose(1, 2);
  if (out.numel() == 0) return out;
  Tensor expanded = mask.defined() ? mask.to(q.device()).expand({batch, heads, queries, keys}) : Tensor();
  // Views whose rows are contiguous (the heads of a [B, L, H * D] projection) are passed as they are.
  auto rows_contiguous = [](const Tensor& t) { return t.stride(3) == 1 ? t : t.contiguous(); };
  // The fused kernels know no soft-capping: capped scores take the composed route.
  if (!options.softcap && device.fused_attention(rows_contiguous(q), rows_contiguous(k), rows_contiguous(v), expanded,
                                                 options.causal, scale, out))
    return out;
  if (options.causal) mask = with_causal(mask, {batch, heads, queries, keys}, q.device());
  Tensor keys_full = repeat_kv(k, heads / kv_heads), values_full = repeat_kv(v, heads / kv_heads);
  Tensor scores = matmul(q, keys_full, false, true, scale);
  if (options.softcap) scores = ops::scale(ops::tanh(ops::scale(scores, 1.0f / *options.softcap)), *options.softcap);
  return matmul(softmax(scores, -1, mask.defined() ? mask.to(q.device()) : mask), values_full);
}

}  // namespace transformers::ops
