#pragma once
// Gemma 3 (text), read like transformers' modeling_gemma3.py (Gemma3ForCausalLM): Gemma 2's layers
// with an RMSNorm over each head of q and k instead of soft-capped scores, sliding-window layers in a
// pattern (layer_types; by default five local layers to one global), and a rotary table per kind of
// layer: local layers at rope_local_base_freq (10000), global ones at rope_theta (1e6) with the
// config's rope scaling.
#include <string>

#include "transformers/models/gemma2.hpp"

namespace transformers {

struct Gemma3TextConfig : DecoderConfig {
  double query_pre_attn_scalar = 256;

  static Gemma3TextConfig from(const PretrainedConfig& c) {
    Gemma3TextConfig g;
    static_cast<DecoderConfig&>(g) = read(c, {.vocab_size = 262208,
                                              .hidden_size = 2304,
                                              .num_hidden_layers = 26,
                                              .num_attention_heads = 8,
                                              .num_key_value_heads = 4,
                                              .head_dim = 256,
                                              .intermediate_size = 9216,
                                              .max_position_embeddings = 131072,
                                              .hidden_act = "gelu_pytorch_tanh",
                                              .norm_eps = 1e-6,
                                              .tie_word_embeddings = true});
    g.hidden_act = c.get<std::string>("hidden_activation", "gelu_pytorch_tanh");
    g.query_pre_attn_scalar = c.get<double>("query_pre_attn_scalar", 256);
    g.final_logit_softcapping = optional_number(c, "final_logit_softcapping", std::nullopt);
    if (c.get<bool>("use_bidirectional_attention", false))
      throw FileError(c.source + ": use_bidirectional_attention is not supported (causal decoders only)");
    g.check(c);
    gemma2::read_layer_types(c, g, c.get<int64_t>("sliding_window_pattern", 6));
    return g;
  }
};

class Gemma3TextModel final : public DecoderModel<Gemma3TextConfig> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() {
    return decoder::tiny_config(
        {{"head_dim", 16}, {"sliding_window", 3}, {"layer_types", {"sliding_attention", "full_attention"}}});
  }

  Gemma3TextModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const Gemma3TextConfig& c = family_config();
    embed_tokens_ = nn::Embedding::load(w, "model.embed_tokens", c.vocab_size, c.hidden_size);
    embed_scale_ = gemma::embedding_scale(c.hidden_size, w.dtype());
    rotary_.push_back(decoder::rotary(
        config, c, {.theta = 10000.0, .theta_field = "rope_local_base_freq", .layer_type = "sliding_attention"}));
    rotary_.push_back(
        decoder::rotary(config, c, {.theta = 1000000.0, .theta_field = "rope_theta", .layer_type = "full_attention"}));
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const bool local = c.sliding_windows[static_cast<size_t>(i)] > 0;
      layers_.push_back(gemma2::layer(w, "model.layers." + std::to_string(i), c, i,
                                      {.qk_norm = true,
                                       .norm_offset = gemma::kNorm,
                                       .query_pre_attn_scalar = c.query_pre_attn_scalar,
                                       .rotary = local ? size_t{0} : size_t{1}}));
    }
    norm_ = decoder::rms_norm(w, "model.norm", c, gemma::kNorm);
  }
};

using Gemma3ForCausalLM = ForCausalLM<Gemma3TextModel>;

}  // namespace transformers
