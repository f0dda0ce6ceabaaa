#pragma once
// One forward of a decoder: where its n new tokens sit (cache indices past .. past + n - 1, rotary
// positions from the attention mask), what each layer attends to (the KV cache, or the step's own
// keys), and the masks, built once per (sliding window, cache slots) and shared by the layers.
//
// A query at cache index q = past + i sees the slot holding cache index j iff 0 <= j <= q, the
// attention mask is 1 at j, and, in a layer with sliding window w, j > q - w (transformers'
// causal_mask_function, padding_mask_function and sliding_window_overlay). Hidden slots get
// finfo(float32).min, so a query that sees nothing (left padding) averages every slot uniformly, as
// transformers' eager attention does.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "transformers/core/error.hpp"
#include "transformers/core/tensor.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/kv_cache.hpp"
#include "transformers/nn/rotary.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::nn {

// transformers' generate: position_ids = cumsum(attention_mask) - 1, 0 where the mask is 0, for the
// last n columns. attention_mask [batch, total] on the host; the result is int64 [batch, n] on the host.
inline Tensor position_ids_from_mask(const Tensor& attention_mask, int64_t n) {
  const int64_t batch = attention_mask.size(0), total = attention_mask.size(1);
  const std::vector<int64_t> mask = attention_mask.to(DType::I64).to_vector<int64_t>();
  std::vector<int64_t> positions(static_cast<size_t>(batch * n));
  for (int64_t b = 0; b < batch; ++b) {
    int64_t count = 0;
    for (int64_t j = 0; j < total; ++j) {
      const bool real = mask[static_cast<size_t>(b * total + j)] != 0;
      count += real ? 1 : 0;
      if (j >= total - n) positions[static_cast<size_t>(b * n + j - (total - n))] = real ? count - 1 : 0;
    }
  }
  return Tensor::from_vector(positions, {batch, n});
}

class DecoderStep {
 public:
  // `given`: the caller's inputs (on the host as built); `device`: the model's; `rotary`: the model's
  // rotary tables (none for learned positions).
  DecoderStep(const ModelInputs& given, Device device, const std::vector<RotaryEmbedding>& rotary)
      : cache_(given.past_key_values), device_(device), rotary_(&rotary) {
    if (!given.input_ids.defined() || given.input_ids.dim() != 2)
      throw InvalidArgument("decoder forward: input_ids must be [batch, seq], got " + given.input_ids.describe());
    batch_ = given.input_ids.size(0);
    n_ = given.input_ids.size(1);
    past_ = cache_ ? cache_->length() : 0;
    if (cache_ && cache_->batch() != batch_)
      throw InvalidArgument("decoder forward: a KV cache for a batch of " + std::to_string(cache_->batch()) +
                            " given input_ids " + given.input_ids.describe());
    const Shape mask_shape{batch_, past_ + n_};
    Tensor host_mask = given.attention_mask.defined() ? given.attention_mask.to(Device::cpu())
                                                      : Tensor::full(mask_shape, 1.0, DType::I64);
    if (host_mask.shape() != mask_shape)
      throw InvalidArgument("decoder forward: attention_mask " + host_mask.describe() + " must be " +
                            shape_str(mask_shape) + " ([batch, cached + new tokens])");
    position_ids_ =
        given.position_ids.defined() ? given.position_ids.to(Device::cpu()) : position_ids_from_mask(host_mask, n_);
    if (position_ids_.shape() != Shape{batch_, n_})
      throw InvalidArgument("decoder forward: position_ids " + position_ids_.describe() + " must be " +
                            shape_str({batch_, n_}));
    keep_ = host_mask.to(DType::F32).to(device_);
  }

  int64_t batch() const { return batch_; }
  int64_t length() const { return n_; }
  const Tensor& position_ids() const { return position_ids_; }  // int64 [batch, n], host

  // cos and sin of rotary table `index` for this step's positions, computed once per step.
  const std::pair<Tensor, Tensor>& rotary(size_t index) {
    auto it = tables_.find(index);
    if (it == tables_.end()) it = tables_.emplace(index, rotary_->at(index)(position_ids_, device_)).first;
    return it->second;
  }

  // Keys and values [batch, kv_heads, slots, head_dim] layer `layer` attends to, after storing this
  // step's (after rotary) in the cache when there is one.
  KVCache::Attended attend(int64_t layer, const Tensor& keys, const Tensor& values) {
    if (cache_) return cache_->update(layer, keys, values);
    std::vector<int64_t> indices(static_cast<size_t>(n_));
    for (int64_t i = 0; i < n_; ++i) indices[static_cast<size_t>(i)] = i;
    return {keys, values, std::move(indices)};
  }

  // The additive f32 mask [batch, 1, n, slots] of a layer with sliding window `window` (0: none)
  // attending to slots holding cache indices `indices`.
  Tensor mask(int64_t window, const std::vector<int64_t>& indices) {
    for (const Mask& m : masks_)
      if (m.window == window && m.indices == indices) return m.additive;
    masks_.push_back({window, indices, build_mask(window, indices)});
    return masks_.back().additive;
  }

  // Every layer has stored its keys and values: the cache now holds this step.
  void finish() {
    if (cache_) cache_->advance(n_);
  }

 private:
  struct Mask {
    int64_t window;
    std::vector<int64_t> indices;
    Tensor additive;
  };

  Tensor build_mask(int64_t window, const std::vector<int64_t>& indices) const {
    constexpr float kMasked = std::numeric_limits<float>::lowest();
    const int64_t slots = static_cast<int64_t>(indices.size());
    // Causal and window pattern from the indices alone [1, 1, n, slots], made on the host.
    std::vector<float> pattern(static_cast<size_t>(n_ * slots), kMasked);
    std::vector<int64_t> gather(static_cast<size_t>(slots), 0);
    for (int64_t s = 0; s < slots; ++s) {
      const int64_t j = indices[static_cast<size_t>(s)];
      if (j < 0) continue;
      gather[static_cast<size_t>(s)] = j;
      for (int64_t i = 0; i < n_; ++i) {
        const int64_t q = past_ + i;
        if (j <= q && (window == 0 || j > q - window)) pattern[static_cast<size_t>(i * slots + s)] = 0.0f;
      }
    }
    // Padding, on the device: the attention mask at each slot's index, 1 -> 0 and 0 -> finfo.min.
    const Tensor at_slots = ops::index_select(keep_, 1, Tensor::from_vector(gather, {slots}).to(device_));
    const Tensor padding = ops::scale(ops::add_scalar(at_slots, -1.0f), std::numeric_limits<float>::max());
    return ops::minimum(Tensor::from_vector(pattern, {1, 1, n_, slots}).to(device_),
                        padding.view({batch_, 1, 1, slots}));
  }

  KVCache* cache_;
  Device device_;
  const std::vector<RotaryEmbedding>* rotary_;
  int64_t batch_ = 0, n_ = 0, past_ = 0;
  Tensor position_ids_, keep_;
  std::map<size_t, std::pair<Tensor, Tensor>> tables_;
  std::vector<Mask> masks_;
};

}  // namespace transformers::nn
