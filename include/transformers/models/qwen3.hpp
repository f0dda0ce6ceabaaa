#pragma once
// Qwen3, read like transformers' modeling_qwen3.py: Qwen2's layers without the q/k/v biases (unless
// attention_bias) and with an RMSNorm over each head of q and k before the rotary embedding.
#include <string>

#include "transformers/models/qwen2.hpp"

namespace transformers {

struct Qwen3Config : DecoderConfig {
  bool attention_bias = false;

  static Qwen3Config from(const PretrainedConfig& c) {
    Qwen3Config q;
    static_cast<DecoderConfig&>(q) = read(c, {.vocab_size = 151936,
                                              .hidden_size = 4096,
                                              .num_hidden_layers = 32,
                                              .num_attention_heads = 32,
                                              .head_dim = 128,
                                              .intermediate_size = 22016,
                                              .max_position_embeddings = 32768,
                                              .hidden_act = "silu",
                                              .norm_eps = 1e-6,
                                              .tie_word_embeddings = false});
    q.attention_bias = c.get<bool>("attention_bias", false);
    q.check(c);
    qwen2::read_sliding_windows(c, q);
    return q;
  }
};

class Qwen3Model final : public DecoderModel<Qwen3Config> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() { return decoder::tiny_config({{"head_dim", 16}}); }

  Qwen3Model(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const Qwen3Config& c = family_config();
    load_llama_layout(w, decoder::rotary(config, c),
                      {.qkv_bias = c.attention_bias, .o_bias = c.attention_bias, .qk_norm = true},
                      decoder::gated_mlps(w, c));
  }
};

using Qwen3ForCausalLM = ForCausalLM<Qwen3Model>;

}  // namespace transformers
