#pragma once
// Mixtral, read like transformers' modeling_mixtral.py: Mistral's attention with a sparse mixture of
// experts as the feed-forward network (block_sparse_moe: a router and num_local_experts gated MLPs,
// w1 = gate, w3 = up, w2 = down), num_experts_per_tok experts per token, their router probabilities
// renormalized over the chosen ones.
#include <string>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

struct MixtralConfig : DecoderConfig {
  int64_t num_local_experts = 8, num_experts_per_tok = 2;

  static MixtralConfig from(const PretrainedConfig& c) {
    MixtralConfig m;
    static_cast<DecoderConfig&>(m) = read(c, {.vocab_size = 32000,
                                              .hidden_size = 4096,
                                              .num_hidden_layers = 32,
                                              .num_attention_heads = 32,
                                              .num_key_value_heads = 8,
                                              .intermediate_size = 14336,
                                              .max_position_embeddings = 131072,
                                              .hidden_act = "silu",
                                              .norm_eps = 1e-5,
                                              .tie_word_embeddings = false});
    m.num_local_experts = c.get<int64_t>("num_local_experts", c.get<int64_t>("num_experts", 8));  // attribute_map
    m.num_experts_per_tok = c.get<int64_t>("num_experts_per_tok", 2);
    if (m.num_experts_per_tok <= 0 || m.num_experts_per_tok > m.num_local_experts)
      throw FileError(c.source + ": num_experts_per_tok " + std::to_string(m.num_experts_per_tok) +
                      " must be between 1 and num_local_experts " + std::to_string(m.num_local_experts));
    m.check(c);
    const int64_t window = sliding_window(c, std::nullopt);
    m.sliding_windows.assign(m.sliding_windows.size(), window);
    return m;
  }
};

class MixtralModel final : public DecoderModel<MixtralConfig> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() { return decoder::tiny_config({{"num_local_experts", 4}}); }

  MixtralModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const MixtralConfig& c = family_config();
    // Each layer's feed-forward network is block_sparse_moe: experts w1 (gate), w3 (up), w2 (down).
    load_llama_layout(w, decoder::rotary(config, c, {.theta = 1000000.0}), {},
                      [&](const std::string& prefix, int64_t) -> nn::FeedForward {
                        return decoder::load_sparse_moe(w, prefix + ".block_sparse_moe", "gate", c.hidden_size,
                                                        c.num_local_experts, c.intermediate_size, c.hidden_act,
                                                        {"w1", "w3", "w2"}, c.num_experts_per_tok, true);
                      });
  }
};

using MixtralForCausalLM = ForCausalLM<MixtralModel>;

}  // namespace transformers
