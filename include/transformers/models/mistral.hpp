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
  static nlohmann::json tiny_config() { return decoder::tiny_config({{"sliding_window", 3}}); }

  MistralModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    load_llama_layout(w, decoder::rotary(config, family_config()), {}, decoder::gated_mlps(w, family_config()));
  }
};

using MistralForCausalLM = ForCausalLM<MistralModel>;

}  // namespace transformers
