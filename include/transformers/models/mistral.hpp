#pragma once
// Mistral, read like transformers' modeling_mistral.py: Llama's layers without biases, every layer
// attending to a sliding window of sliding_window tokens when the config sets one (v0.1; later
// versions set none).
#include <string>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

struct MistralConfig : DecoderConfig {
  static MistralConfig from(const PretrainedConfig& c) {
    MistralConfig m;
    static_cast<DecoderConfig&>(m) = read(c, {.vocab_size = 32000,
                                              .hidden_size = 4096,
                                              .num_hidden_layers = 32,
                                              .num_attention_heads = 32,
                                              .num_key_value_heads = 8,
                                              .intermediate_size = 14336,
                                              .max_position_embeddings = 131072,
                                              .hidden_act = "silu",
                                              .norm_eps = 1e-6,
                                              .tie_word_embeddings = false});
    m.check(c);
    const int64_t window = sliding_window(c, 4096);
    m.sliding_windows.assign(m.sliding_windows.size(), window);
    return m;
  }
};

class MistralModel final : public DecoderModel<MistralConfig> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99},
            {"hidden_size", 32},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 4},
            {"num_key_value_heads", 2},
            {"intermediate_size", 37},
            {"max_position_embeddings", 64},
            {"sliding_window", 3}};
  }

  MistralModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const MistralConfig& c = family_config();
    embed_tokens_ = nn::Embedding::load(w, "model.embed_tokens", c.vocab_size, c.hidden_size);
    rotary_.push_back(decoder::rotary(config, c));
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const std::string p = "model.layers." + std::to_string(i);
      layers_.push_back(decoder::llama_layer(
          w, p, c, i, {}, decoder::load_gated_mlp(w, p + ".mlp", c.hidden_size, c.intermediate_size, c.hidden_act)));
    }
    norm_ = decoder::rms_norm(w, "model.norm", c);
  }
};

using MistralForCausalLM = ForCausalLM<MistralModel>;

}  // namespace transformers
