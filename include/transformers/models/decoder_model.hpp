#pragma once
// What every decoder-only family shares: the config fields they all have under transformers' names,
// the base model (embeddings, layers of nn/decoder_layer.hpp, final norm) whose forward runs a step
// of nn::DecoderStep, the loaders of Llama-shaped attention and MLPs, and the causal LM head on top
// (ForCausalLM: tied to the embeddings or its own lm_head, logits_to_keep, final soft-capping).
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/decoder_layer.hpp"
#include "transformers/nn/rotary.hpp"

namespace transformers {

struct DecoderConfig {
  int64_t vocab_size = 0, hidden_size = 0, num_hidden_layers = 0, num_attention_heads = 0, num_key_value_heads = 0;
  int64_t head_dim = 0, intermediate_size = 0, max_position_embeddings = 0;
  std::string hidden_act;
  double norm_eps = 1e-6;  // rms_norm_eps, layer_norm_eps or layer_norm_epsilon as the family names it
  bool tie_word_embeddings = false;
  std::vector<int64_t> sliding_windows = {};                     // per layer: 0 = full attention, w = the last w tokens
  std::optional<double> final_logit_softcapping = std::nullopt;  // Gemma 2

  // The fields under the Llama family's names, `defaults` (transformers' <Arch>Config) for those
  // config.json leaves out: num_key_value_heads and head_dim (also a null one), when the family has
  // no default, are num_attention_heads and hidden_size / num_attention_heads. Every layer is full
  // attention until the family says otherwise.
  static DecoderConfig read(const PretrainedConfig& c, const DecoderConfig& defaults) {
    DecoderConfig d = defaults;
    d.vocab_size = c.get<int64_t>("vocab_size", defaults.vocab_size);
    d.hidden_size = c.get<int64_t>("hidden_size", defaults.hidden_size);
    d.num_hidden_layers = c.get<int64_t>("num_hidden_layers", defaults.num_hidden_layers);
    d.num_attention_heads = c.get<int64_t>("num_attention_heads", defaults.num_attention_heads);
    d.num_key_value_heads = c.get<int64_t>(
        "num_key_value_heads", defaults.num_key_value_heads > 0 ? defaults.num_key_value_heads : d.num_attention_heads);
    d.intermediate_size = c.get<int64_t>("intermediate_size", defaults.intermediate_size);
    d.max_position_embeddings = c.get<int64_t>("max_position_embeddings", defaults.max_position_embeddings);
    d.hidden_act = c.get<std::string>("hidden_act", defaults.hidden_act);
    d.norm_eps = c.get<double>("rms_norm_eps", defaults.norm_eps);
    d.tie_word_embeddings = c.get<bool>("tie_word_embeddings", defaults.tie_word_embeddings);
    const int64_t even_split = d.num_attention_heads > 0 ? d.hidden_size / d.num_attention_heads : 0;
    d.head_dim = c.get<int64_t>("head_dim", defaults.head_dim > 0 ? defaults.head_dim : even_split);
    d.sliding_windows.assign(static_cast<size_t>(std::max<int64_t>(d.num_hidden_layers, 0)), 0);
    return d;
  }

  // A number field whose null means "none" (sliding_window, soft-capping): `fallback` (the config
  // class's default) when config.json leaves it out.
  static std::optional<double> optional_number(const PretrainedConfig& c, const std::string& key,
                                               std::optional<double> fallback) {
    if (!c.raw.contains(key)) return fallback;
    if (c.raw.at(key).is_null()) return std::nullopt;
    return c.get<double>(key, 0.0);
  }
  // A sliding_window field: 0 when null (no window).
  static int64_t sliding_window(const PretrainedConfig& c, std::optional<double> fallback) {
    return static_cast<int64_t>(optional_number(c, "sliding_window", fallback).value_or(0.0));
  }

  // Throws FileError naming the field when the sizes cannot make a model.
  void check(const PretrainedConfig& c) const {
    auto positive = [&](const char* field, int64_t value) {
      if (value <= 0) throw FileError(c.source + ": " + field + " must be positive, got " + std::to_string(value));
    };
    positive("vocab_size", vocab_size);
    positive("hidden_size", hidden_size);
    positive("num_hidden_layers", num_hidden_layers);
    positive("num_attention_heads", num_attention_heads);
    positive("num_key_value_heads", num_key_value_heads);
    positive("head_dim", head_dim);
    if (num_attention_heads % num_key_value_heads != 0)
      throw FileError(c.source + ": num_attention_heads " + std::to_string(num_attention_heads) +
                      " is not a multiple of num_key_value_heads " + std::to_string(num_key_value_heads));
  }

  // Sliding windows from config.json's layer_types ("full_attention" / "sliding_attention" per
  // layer), the sliding ones `window` wide.
  void read_layer_types(const PretrainedConfig& c, const std::vector<std::string>& layer_types, int64_t window) {
    if (static_cast<int64_t>(layer_types.size()) != num_hidden_layers)
      throw FileError(c.source + ": layer_types has " + std::to_string(layer_types.size()) + " entries for " +
                      std::to_string(num_hidden_layers) + " layers");
    for (size_t i = 0; i < layer_types.size(); ++i) {
      if (layer_types[i] != "full_attention" && layer_types[i] != "sliding_attention")
        throw FileError(c.source + ": layer_types[" + std::to_string(i) + "] is '" + layer_types[i] +
                        "' (transformers.cpp knows full_attention and sliding_attention)");
      if (layer_types[i] == "sliding_attention" && window <= 0)
        throw FileError(c.source + ": layer_types asks for sliding_attention but sliding_window is " +
                        std::to_string(window));
      sliding_windows[i] = layer_types[i] == "sliding_attention" ? window : 0;
    }
  }
};

// A decoder family's base model: embeddings, layers and final norm, which the family's constructor
// loads (models/<arch>.hpp); forward is the same for all.
// Loaders of the Llama-shaped blocks, by transformers' names under a layer's prefix.
namespace decoder {

// How a family's attention differs from Llama's.
struct AttentionSpec {
  bool qkv_bias = false, o_bias = false;  // Llama's attention_bias sets both; Qwen2 has q/k/v biases only
  bool fused_qkv = false;                 // Phi-3: one qkv_proj, split [q | k | v]
  bool qk_norm = false;                   // Qwen3, Gemma 3: RMSNorm over each head's q and k
  nn::RMSNorm::Offset norm_offset = nn::RMSNorm::Offset::None;
  std::optional<double> query_pre_attn_scalar = std::nullopt;  // Gemma 2/3: scale = its ^-0.5, not head_dim's
  std::optional<double> softcap = std::nullopt;                // Gemma 2
  size_t rotary = 0;                                           // which rotary table (Gemma 3: local or global)
};

inline nn::SelfAttention load_attention(const nn::Weights& w, const std::string& prefix, const DecoderConfig& c,
                                        int64_t layer, const AttentionSpec& spec) {
  const int64_t hidden = c.hidden_size, q_size = c.num_attention_heads * c.head_dim,
                kv_size = c.num_key_value_heads * c.head_dim;
  nn::SelfAttention a;
  if (spec.fused_qkv) {
    const nn::Linear qkv = nn::Linear::load(w, prefix + ".qkv_proj", hidden, q_size + 2 * kv_size, spec.qkv_bias);
    a.q_proj = qkv.rows(0, q_size);
    a.k_proj = qkv.rows(q_size, kv_size);
    a.v_proj = qkv.rows(q_size + kv_size, kv_size);
  } else {
    a.q_proj = nn::Linear::load(w, prefix + ".q_proj", hidden, q_size, spec.qkv_bias);
    a.k_proj = nn::Linear::load(w, prefix + ".k_proj", hidden, kv_size, spec.qkv_bias);
    a.v_proj = nn::Linear::load(w, prefix + ".v_proj", hidden, kv_size, spec.qkv_bias);
  }
  a.o_proj = nn::Linear::load(w, prefix + ".o_proj", q_size, hidden, spec.o_bias);
  if (spec.qk_norm) {
    a.q_norm = nn::RMSNorm::load(w, prefix + ".q_norm", c.head_dim, c.norm_eps, spec.norm_offset);
    a.k_norm = nn::RMSNorm::load(w, prefix + ".k_norm", c.head_dim, c.norm_eps, spec.norm_offset);
  }
  a.heads = c.num_attention_heads;
  a.kv_heads = c.num_key_value_heads;
  a.head_dim = c.head_dim;
  a.scale = static_cast<float>(std::pow(spec.query_pre_attn_scalar.value_or(static_cast<double>(c.head_dim)), -0.5));
  if (spec.softcap) a.softcap = static_cast<float>(*spec.softcap);
  a.sliding_window = c.sliding_windows.at(static_cast<size_t>(layer));
  a.rotary = spec.rotary;
  return a;
}

// LlamaMLP: gate_proj, up_proj, down_proj (biases with Llama's mlp_bias).
inline nn::GatedMLP load_gated_mlp(const nn::Weights& w, const std::string& prefix, int64_t hidden,
                                   int64_t intermediate, const std::string& activation, bool bias = false) {
  return {nn::Linear::load(w, prefix + ".gate_proj", hidden, intermediate, bias),
          nn::Linear::load(w, prefix + ".up_proj", hidden, intermediate, bias),
          nn::Linear::load(w, prefix + ".down_proj", intermediate, hidden, bias), activation};
}

inline nn::Norm rms_norm(const nn::Weights& w, const std::string& name, const DecoderConfig& c,
                         nn::RMSNorm::Offset offset = nn::RMSNorm::Offset::None) {
  return nn::Norm::of(nn::RMSNorm::load(w, name, c.hidden_size, c.norm_eps, offset));
}

// LlamaDecoderLayer (and the families copied from it): input_layernorm, self_attn,
// post_attention_layernorm before the feed-forward network `mlp`, which the family loads.
inline nn::DecoderLayer llama_layer(const nn::Weights& w, const std::string& prefix, const DecoderConfig& c,
                                    int64_t layer, const AttentionSpec& attention, nn::FeedForward mlp) {
  nn::DecoderLayer l;
  l.attention_norm = rms_norm(w, prefix + ".input_layernorm", c, attention.norm_offset);
  l.attention = load_attention(w, prefix + ".self_attn", c, layer, attention);
  l.mlp_norm = rms_norm(w, prefix + ".post_attention_layernorm", c, attention.norm_offset);
  l.mlp = std::move(mlp);
  return l;
}

// The one rotary table of a family whose layers share it.
inline nn::RotaryEmbedding rotary(const PretrainedConfig& config, const DecoderConfig& c,
                                  const nn::RopeDefaults& defaults = {}) {
  return nn::RotaryEmbedding(nn::read_rope_parameters(config, defaults), c.head_dim, c.max_position_embeddings,
                             config.source);
}

// The tiny config of the Llama-shaped families (the sizes transformers' model testers use: hidden
// 32, 2 layers, 4 heads over 2 key/value heads), with a family's own `changes`.
inline nlohmann::json tiny_config(const nlohmann::json& changes = nlohmann::json::object()) {
  nlohmann::json config = {
      {"vocab_size", 99},         {"hidden_size", 32},       {"num_hidden_layers", 2},       {"num_attention_heads", 4},
      {"num_key_value_heads", 2}, {"intermediate_size", 37}, {"max_position_embeddings", 64}};
  config.update(changes);
  return config;
}

// The feed-forward network of most families: LlamaMLP under the layer's ".mlp".
inline auto gated_mlps(const nn::Weights& w, const DecoderConfig& c, bool bias = false) {
  return [&w, &c, bias](const std::string& layer_prefix, int64_t) -> nn::FeedForward {
    return load_gated_mlp(w, layer_prefix + ".mlp", c.hidden_size, c.intermediate_size, c.hidden_act, bias);
  };
}

// A sparse mixture of gated experts under `prefix`: the router `router` and experts.N.<names>.
inline nn::SparseMoE load_sparse_moe(const nn::Weights& w, const std::string& prefix, const std::string& router,
                                     int64_t hidden, int64_t experts, int64_t intermediate,
                                     const std::string& activation, const std::array<const char*, 3>& gate_up_down,
                                     int64_t top_k, bool normalize) {
  nn::SparseMoE moe;
  moe.router = nn::Linear::load(w, prefix + "." + router, hidden, experts, false);
  for (int64_t e = 0; e < experts; ++e) {
    const std::string expert = prefix + ".experts." + std::to_string(e) + ".";
    moe.experts.push_back({nn::Linear::load(w, expert + gate_up_down[0], hidden, intermediate, false),
                           nn::Linear::load(w, expert + gate_up_down[1], hidden, intermediate, false),
                           nn::Linear::load(w, expert + gate_up_down[2], intermediate, hidden, false), activation});
  }
  moe.top_k = top_k;
  moe.normalize_top_k = normalize;
  return moe;
}

}  // namespace decoder

template <typename Config>
class DecoderModel : public PreTrainedModel {
 public:
  ModelOutput forward(const ModelInputs& given, bool output_hidden_states = false) const override {
    nn::DecoderStep step(given, device(), rotary_);
    Tensor hidden = embed_tokens_(given.input_ids);
    if (embed_scale_) hidden = ops::scale(hidden, *embed_scale_);
    if (embed_positions_.weight.defined()) hidden = ops::add(hidden, embed_positions_(step.position_ids()));
    ModelOutput out;
    if (output_hidden_states) out.hidden_states.push_back(hidden);
    for (size_t i = 0; i < layers_.size(); ++i) {
      hidden = layers_[i](hidden, static_cast<int64_t>(i), step);
      if (output_hidden_states) out.hidden_states.push_back(hidden);
    }
    step.finish();
    out.last_hidden_state = norm_(hidden);
    // As transformers records them: the last entry is the normalized output.
    if (output_hidden_states) out.hidden_states.back() = out.last_hidden_state;
    return out;
  }

  std::optional<nn::CacheLayout> cache_layout() const override {
    nn::CacheLayout layout;
    layout.layers = static_cast<int64_t>(layers_.size());
    layout.kv_heads = family_config_.num_key_value_heads;
    layout.head_dim = family_config_.head_dim;
    for (const nn::DecoderLayer& layer : layers_) layout.sliding_windows.push_back(layer.attention.sliding_window);
    layout.dtype = DType::F32;
    layout.device = device();
    return layout;
  }

  const PretrainedConfig& config() const override { return config_; }
  const Config& family_config() const { return family_config_; }
  const Tensor& word_embeddings() const { return embed_tokens_.weight; }
  Device device() const { return embed_tokens_.weight.device(); }

 protected:
  explicit DecoderModel(const PretrainedConfig& config) : config_(config), family_config_(Config::from(config)) {}

  // The Llama layout most families share: model.embed_tokens, one rotary table, a llama_layer per
  // layer with the attention `spec` and the feed-forward network `mlp(layer_prefix, layer)` makes
  // (decoder::gated_mlps for LlamaMLP), then model.norm (with the spec's norm offset).
  template <typename MakeFeedForward>
  void load_llama_layout(const nn::Weights& w, nn::RotaryEmbedding rotary, const decoder::AttentionSpec& spec,
                         MakeFeedForward mlp) {
    const Config& c = family_config();
    embed_tokens_ = nn::Embedding::load(w, "model.embed_tokens", c.vocab_size, c.hidden_size);
    rotary_.push_back(std::move(rotary));
    for (int64_t i = 0; i < c.num_hidden_layers; ++i) {
      const std::string prefix = "model.layers." + std::to_string(i);
      layers_.push_back(decoder::llama_layer(w, prefix, c, i, spec, mlp(prefix, i)));
    }
    norm_ = decoder::rms_norm(w, "model.norm", c, spec.norm_offset);
  }

  nn::Embedding embed_tokens_;
  nn::Embedding embed_positions_;     // learned positions (GPT-2); undefined with rotary embeddings
  std::optional<float> embed_scale_;  // Gemma: sqrt(hidden_size), rounded to the weights' dtype
  std::vector<nn::RotaryEmbedding> rotary_;
  std::vector<nn::DecoderLayer> layers_;
  nn::Norm norm_;

 private:
  PretrainedConfig config_;
  Config family_config_;
};

// <Arch>ForCausalLM: logits [batch, n or logits_to_keep, vocab] = lm_head(last_hidden_state), the
// head tied to the word embeddings when tie_word_embeddings says so (save_pretrained then leaves it
// out of the file), soft-capped by final_logit_softcapping when the family has it. Base names its
// head's weight (lm_head; GPT-NeoX: embed_out).
template <typename Base>
class ForCausalLM final : public PreTrainedModel {
 public:
  static constexpr const char* base_model_prefix = Base::base_model_prefix;
  static nlohmann::json tiny_config() { return Base::tiny_config(); }

  ForCausalLM(const PretrainedConfig& config, const nn::Weights& w) : base_(config, w) {
    const auto& c = base_.family_config();
    lm_head_ = c.tie_word_embeddings ? base_.word_embeddings()
                                     : w.get_matrix(std::string(Base::lm_head) + ".weight", {c.vocab_size, c.hidden_size});
    if (c.final_logit_softcapping) final_logit_softcapping_ = static_cast<float>(*c.final_logit_softcapping);
  }

  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = base_.forward(in, output_hidden_states);
    Tensor hidden = out.last_hidden_state;
    const int64_t n = hidden.size(1);
    if (in.logits_to_keep > 0 && in.logits_to_keep < n)
      hidden = hidden.narrow(1, n - in.logits_to_keep, in.logits_to_keep);
    out.logits = ops::linear(hidden, lm_head_);
    if (final_logit_softcapping_)
      out.logits =
          ops::scale(ops::tanh(ops::scale(out.logits, 1.0f / *final_logit_softcapping_)), *final_logit_softcapping_);
    return out;
  }
  const PretrainedConfig& config() const override { return base_.config(); }
  std::optional<nn::CacheLayout> cache_layout() const override { return base_.cache_layout(); }
  bool recompute_cache(int64_t sequence_length, int64_t cached) const override {
    return base_.recompute_cache(sequence_length, cached);
  }

 private:
  Base base_;
  Tensor lm_head_;  // [vocab, hidden]
  std::optional<float> final_logit_softcapping_;
};

}  // namespace transformers
