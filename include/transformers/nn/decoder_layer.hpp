#pragma once
// The blocks decoder-only families share: causal self-attention with rotary embeddings, a KV cache,
// grouped-query heads, optional q/k norms and soft-capping; the feed-forward networks (a plain MLP,
// the gated MLP of Llama, a mixture of experts); and the pre-norm layer that joins them, with
// Gemma 2's extra norms on each output and GPT-NeoX's parallel residual. Family headers load these
// under their weight names (models/<arch>.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "transformers/nn/decoder_step.hpp"
#include "transformers/nn/layers.hpp"
#include "transformers/nn/moe.hpp"

namespace transformers::nn {

// LayerNorm (GPT-2, GPT-NeoX) or RMSNorm (the Llama family, Gemma's offset form); undefined when a
// layer has no such norm.
struct Norm {
  LayerNorm layer;
  RMSNorm rms;

  static Norm of(LayerNorm norm) { return {std::move(norm), {}}; }
  static Norm of(RMSNorm norm) { return {{}, std::move(norm)}; }
  bool defined() const { return rms.weight.defined() || layer.weight.defined(); }
  Tensor operator()(const Tensor& x) const { return rms.weight.defined() ? rms(x) : layer(x); }
};

// Causal self-attention: q, k, v projections (fused checkpoints are split into them at load), heads
// and kv_heads of head_dim, q/k norms (Qwen3, Gemma 3) before the rotary embedding, the cache, scaled
// (and, Gemma 2, soft-capped) scores under the step's mask, the output projection.
struct SelfAttention {
  Linear q_proj, k_proj, v_proj, o_proj;
  RMSNorm q_norm, k_norm;  // undefined unless the family normalizes each head
  int64_t heads = 0, kv_heads = 0, head_dim = 0;
  float scale = 1.0f;
  std::optional<float> softcap = std::nullopt;
  int64_t sliding_window = 0;                   // 0: every earlier token
  std::optional<size_t> rotary = std::nullopt;  // which of the model's rotary tables; none with learned positions

  Tensor operator()(const Tensor& x, int64_t layer, DecoderStep& step) const {
    Tensor q = split_heads(q_proj(x), heads), k = split_heads(k_proj(x), kv_heads);
    const Tensor v = split_heads(v_proj(x), kv_heads);
    if (q_norm.weight.defined()) {
      q = q_norm(q);
      k = k_norm(k);
    }
    if (rotary) {
      const auto& [cos, sin] = step.rotary(*rotary);
      q = apply_rotary(q, cos, sin);
      k = apply_rotary(k, cos, sin);
    }
    const KVCache::Attended seen = step.attend(layer, k, v);
    ops::AttentionOptions options;
    options.mask = step.mask(sliding_window, seen.indices);
    options.scale = scale;
    options.softcap = softcap;
    return o_proj(merge_heads(ops::attention(q, seen.keys, seen.values, options)));
  }
};

// GPT-2's and GPT-NeoX's MLP: proj(act(fc(x))).
struct MLP {
  Linear fc, proj;
  std::string activation;

  Tensor operator()(const Tensor& x) const { return proj(fc(x, {.activation = activation})); }
};

// The feed-forward network of a layer.
using FeedForward = std::variant<MLP, GatedMLP, SparseMoE>;

// A pre-norm decoder layer: x + attn(norm(x)), then x + mlp(norm(x)); Gemma 2 and 3 also normalize
// each output before adding it; GPT-NeoX's parallel residual adds both to the same input.
struct DecoderLayer {
  Norm attention_norm, attention_output_norm;  // input_layernorm; Gemma's post_attention_layernorm
  Norm mlp_norm, mlp_output_norm;              // Llama's post_attention_layernorm; Gemma's post_feedforward
  SelfAttention attention;
  FeedForward mlp;
  bool parallel_residual = false;

  Tensor operator()(const Tensor& x, int64_t layer, DecoderStep& step) const {
    Tensor attended = attention(attention_norm(x), layer, step);
    if (attention_output_norm.defined()) attended = attention_output_norm(attended);
    if (parallel_residual) return ops::add(ops::add(feed_forward(mlp_norm(x)), attended), x);
    const Tensor h = ops::add(x, attended);
    Tensor fed = feed_forward(mlp_norm(h));
    if (mlp_output_norm.defined()) fed = mlp_output_norm(fed);
    return ops::add(h, fed);
  }

 private:
  Tensor feed_forward(const Tensor& x) const {
    return std::visit([&](const auto& network) { return network(x); }, mlp);
  }
};

}  // namespace transformers::nn
