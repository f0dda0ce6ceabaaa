#pragma once
// Qwen3-MoE, read like transformers' modeling_qwen3_moe.py: Qwen3's attention (q/k norms) with a
// sparse mixture of experts (mlp.gate and mlp.experts.<e>.{gate,up,down}_proj) in every
// decoder_sparse_step-th layer not listed in mlp_only_layers (those keep a dense MLP of
// intermediate_size); the chosen experts' probabilities are renormalized only with norm_topk_prob.
#include <algorithm>
#include <string>
#include <vector>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

struct Qwen3MoeConfig : DecoderConfig {
  int64_t num_experts = 128, num_experts_per_tok = 8, moe_intermediate_size = 768, decoder_sparse_step = 1;
  bool norm_topk_prob = false, attention_bias = false;
  std::vector<int64_t> mlp_only_layers = {};

  static Qwen3MoeConfig from(const PretrainedConfig& c) {
    Qwen3MoeConfig q;
    static_cast<DecoderConfig&>(q) = read(c, {.vocab_size = 151936,
                                              .hidden_size = 2048,
                                              .num_hidden_layers = 24,
                                              .num_attention_heads = 32,
                                              .num_key_value_heads = 4,
                                              .intermediate_size = 6144,
                                              .max_position_embeddings = 32768,
                                              .hidden_act = "silu",
                                              .norm_eps = 1e-6,
                                              .tie_word_embeddings = false});
    // num_experts, which Qwen3MoeConfig saves as num_local_experts (its attribute_map).
    q.num_experts = c.get<int64_t>("num_local_experts", c.get<int64_t>("num_experts", 128));
    q.num_experts_per_tok = c.get<int64_t>("num_experts_per_tok", 8);
    q.moe_intermediate_size = c.get<int64_t>("moe_intermediate_size", 768);
    q.decoder_sparse_step = c.get<int64_t>("decoder_sparse_step", 1);
    q.norm_topk_prob = c.get<bool>("norm_topk_prob", false);
    q.attention_bias = c.get<bool>("attention_bias", false);
    q.mlp_only_layers = c.get<std::vector<int64_t>>("mlp_only_layers", {});
    if (q.num_experts > 0 && (q.num_experts_per_tok <= 0 || q.num_experts_per_tok > q.num_experts))
      throw FileError(c.source + ": num_experts_per_tok " + std::to_string(q.num_experts_per_tok) +
                      " must be between 1 and num_experts " + std::to_string(q.num_experts));
    if (q.decoder_sparse_step <= 0)
      throw FileError(c.source + ": decoder_sparse_step must be positive, got " +
                      std::to_string(q.decoder_sparse_step));
    q.check(c);
    const int64_t window = c.get<bool>("use_sliding_window", false) ? sliding_window(c, 4096) : 0;
    q.sliding_windows.assign(q.sliding_windows.size(), window);
    return q;
  }

  bool sparse(int64_t layer) const {
    return std::find(mlp_only_layers.begin(), mlp_only_layers.end(), layer) == mlp_only_layers.end() &&
           num_experts > 0 && (layer + 1) % decoder_sparse_step == 0;
  }
};

class Qwen3MoeModel final : public DecoderModel<Qwen3MoeConfig> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() {
    return decoder::tiny_config({{"num_experts", 4}, {"num_experts_per_tok", 2}, {"moe_intermediate_size", 16}});
  }

  Qwen3MoeModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const Qwen3MoeConfig& c = family_config();
    load_llama_layout(
        w, decoder::rotary(config, c), {.qkv_bias = c.attention_bias, .o_bias = c.attention_bias, .qk_norm = true},
        [&](const std::string& prefix, int64_t layer) { return feed_forward(w, prefix + ".mlp", c, layer); });
  }

 private:
  static nn::FeedForward feed_forward(const nn::Weights& w, const std::string& prefix, const Qwen3MoeConfig& c,
                                      int64_t layer) {
    if (!c.sparse(layer)) return decoder::load_gated_mlp(w, prefix, c.hidden_size, c.intermediate_size, c.hidden_act);
    return decoder::load_sparse_moe(w, prefix, "gate", c.hidden_size, c.num_experts, c.moe_intermediate_size,
                                    c.hidden_act, {"gate_proj", "up_proj", "down_proj"}, c.num_experts_per_tok,
                                    c.norm_topk_prob);
  }
};

using Qwen3MoeForCausalLM = ForCausalLM<Qwen3MoeModel>;

}  // namespace transformers
