#pragma once
// GPT-NeoX (Pythia and others), read like transformers' modeling_gpt_neox.py: LayerNorm layers whose
// attention fuses q, k, v per head in query_key_value (reordered into q, k, v at load), rotary
// embeddings on the first rotary_pct of each head, a GELU MLP added in parallel with the attention
// (use_parallel_residual) or after it, a final LayerNorm and an untied head, embed_out.
#include <string>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

struct GPTNeoXConfig : DecoderConfig {
  bool use_parallel_residual = true, attention_bias = true;

  static GPTNeoXConfig from(const PretrainedConfig& c) {
    GPTNeoXConfig g;
    static_cast<DecoderConfig&>(g) = read(c, {.vocab_size = 50432,
                                              .hidden_size = 6144,
                                              .num_hidden_layers = 44,
                                              .num_attention_heads = 64,
                                              .intermediate_size = 24576,
                                              .max_position_embeddings = 2048,
                                              .hidden_act = "gelu",
                                              .norm_eps = 1e-5,
                                              .tie_word_embeddings = false});
    g.num_key_value_heads = g.num_attention_heads;  // no grouped-query attention
    g.head_dim = g.num_attention_heads > 0 ? g.hidden_size / g.num_attention_heads : 0;
    g.norm_eps = c.get<double>("layer_norm_eps", 1e-5);
    g.use_parallel_residual = c.get<bool>("use_parallel_residual", true);
    g.attention_bias = c.get<bool>("attention_bias", true);
    if (g.num_attention_heads <= 0 || g.hidden_size % g.num_attention_heads != 0)
      throw FileError(c.source + ": hidden_size " + std::to_string(g.hidden_size) +
                      " is not a multiple of num_attention_heads " + std::to_string(g.num_attention_heads));
    g.check(c);
    return g;
  }
};

namespace gpt_neox {

// query_key_value's rows are [head 0: q k v, head 1: q k v, ...]; the same rows as [q | k | v]. rows:
// [3 * heads * head_dim] or [3 * heads * head_dim, columns] (the weight, the bias, an adapter's B).
inline Tensor heads_to_qkv(const Tensor& rows, int64_t heads, int64_t head_dim) {
  const int64_t columns = rows.dim() == 2 ? rows.size(1) : 1;
  return rows.contiguous()
      .view({heads, 3, head_dim, columns})
      .transpose(0, 1)
      .contiguous()
      .view(rows.dim() == 2 ? Shape{3 * heads * head_dim, columns} : Shape{3 * heads * head_dim});
}

// heads_to_qkv's inverse.
inline Tensor qkv_to_heads(const Tensor& rows, int64_t heads, int64_t head_dim) {
  const int64_t columns = rows.dim() == 2 ? rows.size(1) : 1;
  return rows.contiguous()
      .view({3, heads, head_dim, columns})
      .transpose(0, 1)
      .contiguous()
      .view(rows.dim() == 2 ? Shape{3 * heads * head_dim, columns} : Shape{3 * heads * head_dim});
}

}  // namespace gpt_neox

class GPTNeoXModel final : public DecoderModel<GPTNeoXConfig> {
 public:
  static constexpr const char* base_model_prefix = "gpt_neox";
  static constexpr const char* lm_head = "embed_out";
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99},         {"hidden_size", 32},       {"num_hidden_layers", 2},
            {"num_attention_heads", 2}, {"intermediate_size", 37}, {"max_position_embeddings", 64}};
  }

  GPTNeoXModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const GPTNeoXConfig& c = family_config();
    const int64_t hidden = c.hidden_size;
    embed_tokens_ = nn::Embedding::load(w, "gpt_neox.embed_in", c.vocab_size, hidden);
    rotary_.push_back(decoder::rotary(
        config, c, {.theta_field = "rotary_emb_base", .partial_rotary_factor = 0.25, .partial_field = "rotary_pct"}));
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const std::string p = "gpt_neox.layers." + std::to_string(i);
      nn::DecoderLayer layer;
      layer.attention_norm = nn::Norm::of(nn::LayerNorm::load(w, p + ".input_layernorm", hidden, c.norm_eps));
      nn::Linear fused;  // loaded as stored: its rows are reordered, then quantized if asked
      fused.weight = w.get(p + ".attention.query_key_value.weight", {3 * hidden, hidden});
      if (c.attention_bias) fused.bias = w.get(p + ".attention.query_key_value.bias", {3 * hidden}).to(DType::F32);
      const auto to_qkv = [heads = c.num_attention_heads, head_dim = c.head_dim](const Tensor& rows) {
        return gpt_neox::heads_to_qkv(rows, heads, head_dim);
      };
      nn::Linear qkv{w.quantized(to_qkv(fused.weight)), fused.bias.defined() ? to_qkv(fused.bias) : Tensor()};
      const auto to_heads = [heads = c.num_attention_heads, head_dim = c.head_dim](const Tensor& rows) {
        return gpt_neox::qkv_to_heads(rows, heads, head_dim);
      };
      qkv = std::move(qkv).adaptable(w, p + ".attention.query_key_value", {to_qkv, to_heads});
      layer.attention.q_proj = qkv.rows(0, hidden);
      layer.attention.k_proj = qkv.rows(hidden, hidden);
      layer.attention.v_proj = qkv.rows(2 * hidden, hidden);
      layer.attention.o_proj = nn::Linear::load(w, p + ".attention.dense", hidden, hidden, c.attention_bias);
      layer.attention.heads = layer.attention.kv_heads = c.num_attention_heads;
      layer.attention.head_dim = c.head_dim;
      layer.attention.scale = static_cast<float>(std::pow(static_cast<double>(c.head_dim), -0.5));
      layer.attention.rotary = 0;
      layer.mlp_norm = nn::Norm::of(nn::LayerNorm::load(w, p + ".post_attention_layernorm", hidden, c.norm_eps));
      layer.mlp = nn::MLP{nn::Linear::load(w, p + ".mlp.dense_h_to_4h", hidden, c.intermediate_size),
                          nn::Linear::load(w, p + ".mlp.dense_4h_to_h", c.intermediate_size, hidden), c.hidden_act};
      layer.parallel_residual = c.use_parallel_residual;
      layers_.push_back(std::move(layer));
    }
    norm_ = nn::Norm::of(nn::LayerNorm::load(w, "gpt_neox.final_layer_norm", hidden, c.norm_eps));
  }
};

using GPTNeoXForCausalLM = ForCausalLM<GPTNeoXModel>;

}  // namespace transformers
