#pragma once
// Gemma 2, read like transformers' modeling_gemma2.py: Gemma's layers with an RMSNorm on each
// sublayer's output too (four per layer), sliding-window attention in every other layer
// (layer_types), attention scores scaled by query_pre_attn_scalar^-0.5 and soft-capped
// (attn_logit_softcapping), and soft-capped final logits (final_logit_softcapping).
#include <string>
#include <vector>

#include "transformers/models/gemma.hpp"

namespace transformers {

namespace gemma2 {

// Gemma2DecoderLayer (also Gemma 3's): input_layernorm -> self_attn -> post_attention_layernorm,
// then pre_feedforward_layernorm -> mlp -> post_feedforward_layernorm, each added to the residual.
inline nn::DecoderLayer layer(const nn::Weights& w, const std::string& prefix, const DecoderConfig& c, int64_t index,
                              const decoder::AttentionSpec& attention) {
  nn::DecoderLayer l;
  l.attention_norm = decoder::rms_norm(w, prefix + ".input_layernorm", c, gemma::kNorm);
  l.attention = decoder::load_attention(w, prefix + ".self_attn", c, index, attention);
  l.attention_output_norm = decoder::rms_norm(w, prefix + ".post_attention_layernorm", c, gemma::kNorm);
  l.mlp_norm = decoder::rms_norm(w, prefix + ".pre_feedforward_layernorm", c, gemma::kNorm);
  l.mlp = decoder::load_gated_mlp(w, prefix + ".mlp", c.hidden_size, c.intermediate_size, c.hidden_act);
  l.mlp_output_norm = decoder::rms_norm(w, prefix + ".post_feedforward_layernorm", c, gemma::kNorm);
  return l;
}

// layer_types from config.json, else every `pattern`-th layer global and the others sliding.
inline void read_layer_types(const PretrainedConfig& c, DecoderConfig& d, int64_t pattern) {
  std::vector<std::string> types = c.get<std::vector<std::string>>("layer_types", {});
  if (types.empty())
    for (int64_t i = 0; i < d.num_hidden_layers; ++i)
      types.push_back((i + 1) % pattern != 0 ? "sliding_attention" : "full_attention");
  d.read_layer_types(c, types, DecoderConfig::sliding_window(c, 4096));
}

}  // namespace gemma2

struct Gemma2Config : DecoderConfig {
  double query_pre_attn_scalar = 256;
  std::optional<double> attn_logit_softcapping = std::nullopt;

  static Gemma2Config from(const PretrainedConfig& c) {
    Gemma2Config g;
    static_cast<DecoderConfig&>(g) = read(c, {.vocab_size = 256000,
                                              .hidden_size = 2304,
                                              .num_hidden_layers = 26,
                                              .num_attention_heads = 8,
                                              .num_key_value_heads = 4,
                                              .head_dim = 256,
                                              .intermediate_size = 9216,
                                              .max_position_embeddings = 8192,
                                              .hidden_act = "gelu_pytorch_tanh",
                                              .norm_eps = 1e-6,
                                              .tie_word_embeddings = true});
    g.hidden_act = c.get<std::string>("hidden_activation", "gelu_pytorch_tanh");
    g.query_pre_attn_scalar = c.get<double>("query_pre_attn_scalar", 256);
    g.attn_logit_softcapping = optional_number(c, "attn_logit_softcapping", 50.0);
    g.final_logit_softcapping = optional_number(c, "final_logit_softcapping", 30.0);
    if (c.get<bool>("use_bidirectional_attention", false))
      throw FileError(c.source + ": use_bidirectional_attention is not supported (causal decoders only)");
    g.check(c);
    gemma2::read_layer_types(c, g, 2);
    return g;
  }
};

class Gemma2Model final : public DecoderModel<Gemma2Config> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() {
    return decoder::tiny_config({{"head_dim", 16}, {"sliding_window", 3}, {"query_pre_attn_scalar", 12}});
  }

  Gemma2Model(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const Gemma2Config& c = family_config();
    embed_tokens_ = nn::Embedding::load(w, "model.embed_tokens", c.vocab_size, c.hidden_size);
    embed_scale_ = gemma::embedding_scale(c.hidden_size, w.dtype());
    rotary_.push_back(decoder::rotary(config, c));
    for (int64_t i = 0; i < c.num_hidden_layers; ++i)
      layers_.push_back(gemma2::layer(w, "model.layers." + std::to_string(i), c, i,
                                      {.norm_offset = gemma::kNorm,
                                       .query_pre_attn_scalar = c.query_pre_attn_scalar,
                                       .softcap = c.attn_logit_softcapping}));
    norm_ = decoder::rms_norm(w, "model.norm", c, gemma::kNorm);
  }
};

using Gemma2ForCausalLM = ForCausalLM<Gemma2Model>;

}  // namespace transformers
