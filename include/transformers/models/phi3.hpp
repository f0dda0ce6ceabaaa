#pragma once
// Phi-3, read like transformers' modeling_phi3.py: Llama's layers with the q, k, v projections fused
// into qkv_proj and gate and up into gate_up_proj (split into their parts at load), LongRoPE scaling
// (config files also call it "su" or "yarn"), an optional partial rotary factor and sliding window,
// and the one cache recomputation generation does when LongRoPE switches factors (recompute_cache).
#include <string>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

struct Phi3Config : DecoderConfig {
  int64_t original_max_position_embeddings = 4096;

  static Phi3Config from(const PretrainedConfig& c) {
    Phi3Config p;
    static_cast<DecoderConfig&>(p) = read(c, {.vocab_size = 32064,
                                              .hidden_size = 3072,
                                              .num_hidden_layers = 32,
                                              .num_attention_heads = 32,
                                              .intermediate_size = 8192,
                                              .max_position_embeddings = 4096,
                                              .hidden_act = "silu",
                                              .norm_eps = 1e-5,
                                              .tie_word_embeddings = false});
    p.original_max_position_embeddings = c.get<int64_t>("original_max_position_embeddings", 4096);
    p.check(c);
    const int64_t window = sliding_window(c, std::nullopt);
    p.sliding_windows.assign(p.sliding_windows.size(), window);
    return p;
  }
};

class Phi3Model final : public DecoderModel<Phi3Config> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() { return decoder::tiny_config({{"pad_token_id", 0}}); }

  Phi3Model(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const Phi3Config& c = family_config();
    // Phi3Config keeps original_max_position_embeddings (4096 by default) outside the rope parameters.
    nn::RotaryEmbedding rotary = decoder::rotary(
        config, c,
        {.original_max_position_embeddings = 4096, .renamed_types = {{"su", "longrope"}, {"yarn", "longrope"}}});
    // The MLP's gate and up projections are one gate_up_proj, split in halves.
    load_llama_layout(
        w, std::move(rotary), {.fused_qkv = true}, [&](const std::string& prefix, int64_t) -> nn::FeedForward {
          const nn::Linear gate_up =
              nn::Linear::load(w, prefix + ".mlp.gate_up_proj", c.hidden_size, 2 * c.intermediate_size, false);
          return nn::GatedMLP{
              gate_up.rows(0, c.intermediate_size), gate_up.rows(c.intermediate_size, c.intermediate_size),
              nn::Linear::load(w, prefix + ".mlp.down_proj", c.intermediate_size, c.hidden_size, false), c.hidden_act};
        });
  }

  // Phi3ForCausalLM.prepare_inputs_for_generation: once, when the sequence (padding included) first
  // outgrows original_max_position_embeddings, the cache is recomputed under the long rope factors.
  bool recompute_cache(int64_t sequence_length, int64_t cached) const override {
    const int64_t original = family_config().original_max_position_embeddings;
    return sequence_length >= original + 1 && cached <= original;
  }
};

using Phi3ForCausalLM = ForCausalLM<Phi3Model>;

}  // namespace transformers
