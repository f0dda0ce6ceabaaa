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
  static nlohmann::json tiny_config() { return decoder::tiny_config(); }

  LlamaModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const LlamaConfig& c = family_config();
    load_llama_layout(w, decoder::rotary(config, c), {.qkv_bias = c.attention_bias, .o_bias = c.attention_bias},
                      decoder::gated_mlps(w, c, c.mlp_bias));
  }
};

using LlamaForCausalLM = ForCausalLM<LlamaModel>;

}  // namespace transformers
