#pragma once
// Llama (1, 2, 3.x), read top to bottom like transformers' modeling_llama.py: RMSNorm pre-norm layers
// of grouped-query attention with rotary embeddings (every rope_type: nn/rotary.hpp) and a SiLU-gated
// MLP, a final RMSNorm, and the causal LM head (models/decoder_model.hpp).
#include <string>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

struct LlamaConfig : DecoderConfig {
  bool attention_bias = false, mlp_bias = false;

  // transformers' LlamaConfig defaults for anything config.json leaves out.
  static LlamaConfig from(const PretrainedConfig& c) {
    LlamaConfig l;
    static_cast<DecoderConfig&>(l) = read(c, {.vocab_size = 32000,
                                              .hidden_size = 4096,
                                              .num_hidden_layers = 32,
                                              .num_attention_heads = 32,
                                              .intermediate_size = 11008,
                                              .max_position_embeddings = 2048,
                                              .hidden_act = "silu",
                                              .norm_eps = 1e-6,
                                              .tie_word_embeddings = false});
    l.attention_bias = c.get<bool>("attention_bias", false);
    l.mlp_bias = c.get<bool>("mlp_bias", false);
    l.check(c);
    return l;
  }
};

class LlamaModel final : public DecoderModel<LlamaConfig> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  // A config as small as transformers' model testers use, for tests and benchmarks.
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99},
            {"hidden_size", 32},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 4},
            {"num_key_value_heads", 2},
            {"intermediate_size", 37},
            {"max_position_embeddings", 64}};
  }

  LlamaModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const LlamaConfig& c = family_config();
    embed_tokens_ = nn::Embedding::load(w, "model.embed_tokens", c.vocab_size, c.hidden_size);
    rotary_.push_back(decoder::rotary(config, c));
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const std::string p = "model.layers." + std::to_string(i);
      layers_.push_back(decoder::llama_layer(
          w, p, c, i, {.qkv_bias = c.attention_bias, .o_bias = c.attention_bias},
          decoder::load_gated_mlp(w, p + ".mlp", c.hidden_size, c.intermediate_size, c.hidden_act, c.mlp_bias)));
    }
    norm_ = decoder::rms_norm(w, "model.norm", c);
  }
};

using LlamaForCausalLM = ForCausalLM<LlamaModel>;

}  // namespace transformers
