#pragma once
// Qwen2 / Qwen2.5, read like transformers' modeling_qwen2.py: Llama's layers with biases on the q, k
// and v projections (none on o_proj or the MLP), and sliding-window attention in the layers
// layer_types names (by default, with use_sliding_window, the layers from max_window_layers on).
#include <string>
#include <vector>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

namespace qwen2 {

// Qwen2Config's layer_types: config.json's, else sliding_attention for layers >= max_window_layers
// when use_sliding_window sets a sliding_window.
inline void read_sliding_windows(const PretrainedConfig& c, DecoderConfig& d) {
  const int64_t window = c.get<bool>("use_sliding_window", false) ? DecoderConfig::sliding_window(c, 4096) : 0;
  std::vector<std::string> types = c.get<std::vector<std::string>>("layer_types", {});
  if (types.empty()) {
    const int64_t first_sliding = c.get<int64_t>("max_window_layers", 28);
    for (int64_t i = 0; i < d.num_hidden_layers; ++i)
      types.push_back(window > 0 && i >= first_sliding ? "sliding_attention" : "full_attention");
  }
  d.read_layer_types(c, types, window);
}

}  // namespace qwen2

struct Qwen2Config : DecoderConfig {
  static Qwen2Config from(const PretrainedConfig& c) {
    Qwen2Config q;
    static_cast<DecoderConfig&>(q) = read(c, {.vocab_size = 151936,
                                              .hidden_size = 4096,
                                              .num_hidden_layers = 32,
                                              .num_attention_heads = 32,
                                              .intermediate_size = 22016,
                                              .max_position_embeddings = 32768,
                                              .hidden_act = "silu",
                                              .norm_eps = 1e-6,
                                              .tie_word_embeddings = false});
    q.check(c);
    qwen2::read_sliding_windows(c, q);
    return q;
  }
};

class Qwen2Model final : public DecoderModel<Qwen2Config> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() { return decoder::tiny_config({{"tie_word_embeddings", true}}); }

  Qwen2Model(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    load_llama_layout(w, decoder::rotary(config, family_config()), {.qkv_bias = true},
                      decoder::gated_mlps(w, family_config()));
  }
};

using Qwen2ForCausalLM = ForCausalLM<Qwen2Model>;

}  // namespace transformers
