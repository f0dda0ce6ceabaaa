#pragma once
// GPT-2, read like transformers' modeling_gpt2.py: learned position embeddings added to the token
// embeddings, pre-LayerNorm blocks whose projections are Conv1D layers (weights stored [in, out],
// made Linear at load; c_attn splits into q, k, v), a GELU-tanh MLP, a final LayerNorm and the LM head
// tied to the token embeddings.
#include <algorithm>
#include <cmath>
#include <string>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

struct GPT2Config : DecoderConfig {
  bool scale_attn_weights = true, scale_attn_by_inverse_layer_idx = false;

  // GPT2Config's own field names (n_embd, n_layer, ...) and defaults.
  static GPT2Config from(const PretrainedConfig& c) {
    GPT2Config g;
    g.vocab_size = c.get<int64_t>("vocab_size", 50257);
    g.hidden_size = c.get<int64_t>("n_embd", 768);
    g.num_hidden_layers = c.get<int64_t>("n_layer", 12);
    g.num_attention_heads = c.get<int64_t>("n_head", 12);
    g.num_key_value_heads = g.num_attention_heads;
    g.head_dim = g.num_attention_heads > 0 ? g.hidden_size / g.num_attention_heads : 0;
    g.intermediate_size = c.get<int64_t>("n_inner", 4 * g.hidden_size);  // null: 4 * n_embd
    g.max_position_embeddings = c.get<int64_t>("n_positions", 1024);
    g.hidden_act = c.get<std::string>("activation_function", "gelu_new");
    g.norm_eps = c.get<double>("layer_norm_epsilon", 1e-5);
    g.tie_word_embeddings = c.get<bool>("tie_word_embeddings", true);
    g.sliding_windows.assign(static_cast<size_t>(std::max<int64_t>(g.num_hidden_layers, 0)), 0);
    g.scale_attn_weights = c.get<bool>("scale_attn_weights", true);
    g.scale_attn_by_inverse_layer_idx = c.get<bool>("scale_attn_by_inverse_layer_idx", false);
    if (c.get<bool>("add_cross_attention", false))
      throw FileError(c.source + ": add_cross_attention is not supported (GPT-2 as a decoder-only model)");
    if (g.num_attention_heads <= 0 || g.hidden_size % g.num_attention_heads != 0)
      throw FileError(c.source + ": n_embd " + std::to_string(g.hidden_size) + " is not a multiple of n_head " +
                      std::to_string(g.num_attention_heads));
    g.check(c);
    return g;
  }
};

class GPT2Model final : public DecoderModel<GPT2Config> {
 public:
  static constexpr const char* base_model_prefix = "transformer";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99}, {"n_embd", 32}, {"n_layer", 2}, {"n_head", 4}, {"n_inner", 37}, {"n_positions", 64}};
  }

  GPT2Model(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const GPT2Config& c = family_config();
    const int64_t hidden = c.hidden_size;
    embed_tokens_ = nn::Embedding::load(w, "transformer.wte", c.vocab_size, hidden);
    embed_positions_ = nn::Embedding::load(w, "transformer.wpe", c.max_position_embeddings, hidden);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const std::string p = "transformer.h." + std::to_string(i);
      nn::DecoderLayer layer;
      layer.attention_norm = nn::Norm::of(nn::LayerNorm::load(w, p + ".ln_1", hidden, c.norm_eps));
      const nn::Linear qkv = nn::Linear::load_conv1d(w, p + ".attn.c_attn", hidden, 3 * hidden);
      layer.attention.q_proj = qkv.rows(0, hidden);
      layer.attention.k_proj = qkv.rows(hidden, hidden);
      layer.attention.v_proj = qkv.rows(2 * hidden, hidden);
      layer.attention.o_proj = nn::Linear::load_conv1d(w, p + ".attn.c_proj", hidden, hidden);
      layer.attention.heads = layer.attention.kv_heads = c.num_attention_heads;
      layer.attention.head_dim = c.head_dim;
      double scale = c.scale_attn_weights ? std::pow(static_cast<double>(c.head_dim), -0.5) : 1.0;
      if (c.scale_attn_by_inverse_layer_idx) scale /= static_cast<double>(i + 1);
      layer.attention.scale = static_cast<float>(scale);
      layer.mlp_norm = nn::Norm::of(nn::LayerNorm::load(w, p + ".ln_2", hidden, c.norm_eps));
      layer.mlp = nn::MLP{nn::Linear::load_conv1d(w, p + ".mlp.c_fc", hidden, c.intermediate_size),
                          nn::Linear::load_conv1d(w, p + ".mlp.c_proj", c.intermediate_size, hidden), c.hidden_act};
      layers_.push_back(std::move(layer));
    }
    norm_ = nn::Norm::of(nn::LayerNorm::load(w, "transformer.ln_f", hidden, c.norm_eps));
  }
};

using GPT2LMHeadModel = ForCausalLM<GPT2Model>;

}  // namespace transformers
