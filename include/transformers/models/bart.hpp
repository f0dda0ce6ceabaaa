#pragma once
// BART, read like transformers' modeling_bart.py, and the stacks Marian shares with it
// (models/marian.hpp): token embeddings (shared, scaled by sqrt(d_model) with scale_embedding) plus
// position embeddings, post-norm layers (x = norm(x + sublayer(x))) whose attention has biases and
// the usual 1/sqrt(head_dim) scaling, cross-attention over the encoder's output in every decoder
// layer, fc1 -> activation -> fc2, and the LM head: the decoder's embeddings (or the checkpoint's own
// lm_head) plus final_logits_bias. BART learns its positions (offset by 2) and normalizes the
// embeddings (layernorm_embedding); Marian uses fixed sinusoids and no such norm.
#include <cmath>
#include <string>
#include <vector>

#include "transformers/models/encoder_decoder_model.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers {

struct BartConfig {
  int64_t vocab_size = 50265, decoder_vocab_size = 50265, d_model = 1024, max_position_embeddings = 1024;
  int64_t encoder_layers = 12, decoder_layers = 12, encoder_attention_heads = 16, decoder_attention_heads = 16;
  int64_t encoder_ffn_dim = 4096, decoder_ffn_dim = 4096;
  std::string activation_function = "gelu";
  bool scale_embedding = false;
  bool share_encoder_decoder_embeddings = true;  // Marian: false gives the decoder its own vocabulary

  static BartConfig from(const PretrainedConfig& c) {
    BartConfig b;
    auto field = [&](const char* name, int64_t fallback) {
      const int64_t value = c.get<int64_t>(name, fallback);
      if (value <= 0) throw FileError(c.source + ": " + name + " must be positive, got " + std::to_string(value));
      return value;
    };
    b.vocab_size = field("vocab_size", b.vocab_size);
    b.d_model = field("d_model", b.d_model);
    b.max_position_embeddings = field("max_position_embeddings", b.max_position_embeddings);
    b.encoder_layers = field("encoder_layers", b.encoder_layers);
    b.decoder_layers = field("decoder_layers", b.decoder_layers);
    b.encoder_attention_heads = field("encoder_attention_heads", b.encoder_attention_heads);
    b.decoder_attention_heads = field("decoder_attention_heads", b.decoder_attention_heads);
    b.encoder_ffn_dim = field("encoder_ffn_dim", b.encoder_ffn_dim);
    b.decoder_ffn_dim = field("decoder_ffn_dim", b.decoder_ffn_dim);
    b.activation_function = c.get<std::string>("activation_function", b.activation_function);
    b.scale_embedding = c.get<bool>("scale_embedding", false);
    b.share_encoder_decoder_embeddings = c.get<bool>("share_encoder_decoder_embeddings", true);
    const bool has_decoder_vocab = c.raw.contains("decoder_vocab_size") && !c.raw.at("decoder_vocab_size").is_null();
    b.decoder_vocab_size = b.share_encoder_decoder_embeddings || !has_decoder_vocab
                               ? b.vocab_size
                               : field("decoder_vocab_size", b.vocab_size);
    for (auto [heads, name] : {std::pair{b.encoder_attention_heads, "encoder_attention_heads"},
                               std::pair{b.decoder_attention_heads, "decoder_attention_heads"}})
      if (b.d_model % heads != 0)
        throw FileError(c.source + ": d_model " + std::to_string(b.d_model) + " is not a multiple of " + name + " " +
                        std::to_string(heads));
    return b;
  }
};

namespace bart {

// How a family's stacks differ from BART's.
struct Layout {
  bool learned_positions = true;     // BART: a table offset by 2; Marian: fixed sinusoids
  bool layernorm_embedding = true;   // BART normalizes embeddings + positions
};

// BartAttention: q, k, v, out_proj with biases, scores scaled by head_dim^-0.5.
struct Attention {
  nn::Linear q, k, v, o;
  int64_t heads = 0;
  float scale = 1.0f;

  static Attention load(const nn::Weights& w, const std::string& prefix, int64_t d_model, int64_t heads) {
    return {nn::Linear::load(w, prefix + ".q_proj", d_model, d_model),
            nn::Linear::load(w, prefix + ".k_proj", d_model, d_model),
            nn::Linear::load(w, prefix + ".v_proj", d_model, d_model),
            nn::Linear::load(w, prefix + ".out_proj", d_model, d_model), heads,
            static_cast<float>(std::pow(static_cast<double>(d_model / heads), -0.5))};
  }
  std::pair<Tensor, Tensor> keys_values(const Tensor& x) const {
    return {nn::split_heads(k(x), heads), nn::split_heads(v(x), heads)};
  }
  // out_proj(attention) + residual.
  Tensor attend(const Tensor& x, const Tensor& keys, const Tensor& values, const Tensor& mask,
                const Tensor& residual) const {
    ops::AttentionOptions options;
    options.mask = mask;
    options.scale = scale;
    return o(nn::merge_heads(ops::attention(nn::split_heads(q(x), heads), keys, values, options)),
             {.residual = residual});
  }
};

// An encoder layer (no cross-attention) or a decoder layer.
struct Layer {
  Attention self_attn, encoder_attn;
  nn::LayerNorm self_attn_layer_norm, encoder_attn_layer_norm, final_layer_norm;
  nn::Linear fc1, fc2;
  std::string activation;

  static Layer load(const nn::Weights& w, const std::string& prefix, const BartConfig& c, bool decoder) {
    const int64_t heads = decoder ? c.decoder_attention_heads : c.encoder_attention_heads;
    const int64_t ffn = decoder ? c.decoder_ffn_dim : c.encoder_ffn_dim;
    auto norm = [&](const std::string& name) { return nn::LayerNorm::load(w, prefix + "." + name, c.d_model, 1e-5); };
    Layer l;
    l.self_attn = Attention::load(w, prefix + ".self_attn", c.d_model, heads);
    l.self_attn_layer_norm = norm("self_attn_layer_norm");
    if (decoder) {
      l.encoder_attn = Attention::load(w, prefix + ".encoder_attn", c.d_model, heads);
      l.encoder_attn_layer_norm = norm("encoder_attn_layer_norm");
    }
    l.fc1 = nn::Linear::load(w, prefix + ".fc1", c.d_model, ffn);
    l.fc2 = nn::Linear::load(w, prefix + ".fc2", ffn, c.d_model);
    l.final_layer_norm = norm("final_layer_norm");
    l.activation = c.activation_function;
    return l;
  }
  Tensor feed_forward(const Tensor& x) const {
    return final_layer_norm(fc2(fc1(x, {.activation = activation}), {.residual = x}));
  }
};

// MarianSinusoidalPositionalEmbedding's table [positions, dim]: sin of the even features in the first
// half, cos of the odd ones in the second, computed in double and rounded to float as numpy does there.
inline Tensor sinusoidal_table(int64_t positions, int64_t dim) {
  std::vector<float> table(static_cast<size_t>(positions * dim));
  const int64_t sentinel = dim % 2 == 0 ? dim / 2 : dim / 2 + 1;
  for (int64_t pos = 0; pos < positions; ++pos) {
    float* row = table.data() + pos * dim;
    for (int64_t j = 0; j < dim; ++j) {
      const double angle =
          static_cast<double>(pos) / std::pow(10000.0, 2.0 * static_cast<double>(j / 2) / static_cast<double>(dim));
      if (j % 2 == 0) row[j / 2] = static_cast<float>(std::sin(angle));
      else row[sentinel + j / 2] = static_cast<float>(std::cos(angle));
    }
  }
  return Tensor::from_vector(table, {positions, dim});
}

}  // namespace bart

// The encoder and decoder with their embeddings: what the BART and Marian classes share.
class BartStacks {
 public:
  BartStacks(const PretrainedConfig& config, const nn::Weights& w, const std::string& prefix, bart::Layout layout)
      : config_(config), c_(BartConfig::from(config)), layout_(layout) {
    const std::string shared = prefix + ".shared";
    const bool has_shared = w.contains(shared + ".weight");
    if (c_.share_encoder_decoder_embeddings) {
      encoder_embed_ = nn::Embedding::load(w, has_shared ? shared : prefix + ".encoder.embed_tokens", c_.vocab_size,
                                           c_.d_model);
      decoder_embed_ = encoder_embed_;
    } else {
      encoder_embed_ = nn::Embedding::load(w, prefix + ".encoder.embed_tokens", c_.vocab_size, c_.d_model);
      decoder_embed_ = nn::Embedding::load(w, prefix + ".decoder.embed_tokens", c_.decoder_vocab_size, c_.d_model);
    }
    if (c_.scale_embedding) embed_scale_ = static_cast<float>(std::sqrt(static_cast<double>(c_.d_model)));
    if (layout.learned_positions) {
      encoder_positions_ = nn::Embedding::load(w, prefix + ".encoder.embed_positions", c_.max_position_embeddings + 2,
                                               c_.d_model);
      decoder_positions_ = nn::Embedding::load(w, prefix + ".decoder.embed_positions", c_.max_position_embeddings + 2,
                                               c_.d_model);
      position_offset_ = 2;
    } else {
      encoder_positions_.weight = bart::sinusoidal_table(c_.max_position_embeddings, c_.d_model).to(w.device());
      decoder_positions_ = encoder_positions_;
    }
    if (layout.layernorm_embedding) {
      encoder_embed_norm_ = nn::LayerNorm::load(w, prefix + ".encoder.layernorm_embedding", c_.d_model, 1e-5);
      decoder_embed_norm_ = nn::LayerNorm::load(w, prefix + ".decoder.layernorm_embedding", c_.d_model, 1e-5);
    }
    for (int64_t i = 0; i < c_.encoder_layers; ++i)
      encoder_.push_back(bart::Layer::load(w, prefix + ".encoder.layers." + std::to_string(i), c_, false));
    for (int64_t i = 0; i < c_.decoder_layers; ++i)
      decoder_.push_back(bart::Layer::load(w, prefix + ".decoder.layers." + std::to_string(i), c_, true));
  }

  Tensor encode(const Tensor& input_ids, const Tensor& attention_mask) const {
    if (!input_ids.defined() || input_ids.dim() != 2)
      throw InvalidArgument(config_.model_type + " encoder: input_ids must be [batch, seq], got " + input_ids.describe());
    const Tensor mask = attention_mask.defined() ? attention_mask.to(device())
                                                 : Tensor::full(input_ids.shape(), 1.0, DType::I64, device());
    if (mask.shape() != input_ids.shape())
      throw InvalidArgument(config_.model_type + " encoder: attention_mask " + mask.describe() +
                            " must have the shape of input_ids " + input_ids.describe());
    Tensor h = embed(encoder_embed_, encoder_positions_, encoder_embed_norm_, input_ids, 0);
    for (const bart::Layer& layer : encoder_) {
      const auto [keys, values] = layer.self_attn.keys_values(h);
      h = layer.self_attn_layer_norm(layer.self_attn.attend(h, keys, values, mask, h));
      h = layer.feed_forward(h);
    }
    return h;
  }

  // The decoder's last_hidden_state for in.decoder_input_ids over `encoder_output`, through the
  // caches in `in` when given.
  Tensor decode(const ModelInputs& in, const Tensor& encoder_output) const {
    seq2seq::DecoderPass pass(in, encoder_output, device(), config_.model_type);
    Tensor h = embed(decoder_embed_, decoder_positions_, decoder_embed_norm_, in.decoder_input_ids, pass.past());
    Tensor self_mask;
    for (size_t i = 0; i < decoder_.size(); ++i) {
      const bart::Layer& layer = decoder_[i];
      const auto [keys, values] = layer.self_attn.keys_values(h);
      const nn::KVCache::Attended seen = pass.step().attend(static_cast<int64_t>(i), keys, values);
      if (!self_mask.defined()) self_mask = pass.step().mask(0, seen.indices);
      h = layer.self_attn_layer_norm(layer.self_attn.attend(h, seen.keys, seen.values, self_mask, h));
      const auto& [cross_keys, cross_values] =
          pass.cross(i, [&] { return layer.encoder_attn.keys_values(encoder_output); });
      h = layer.encoder_attn_layer_norm(layer.encoder_attn.attend(h, cross_keys, cross_values, pass.encoder_mask(), h));
      h = layer.feed_forward(h);
    }
    pass.finish();
    return h;
  }

  std::optional<nn::CacheLayout> cache_layout() const {
    return seq2seq::decoder_cache_layout(c_.decoder_layers, c_.decoder_attention_heads,
                                         c_.d_model / c_.decoder_attention_heads, device());
  }

  const PretrainedConfig& config() const { return config_; }
  const BartConfig& bart_config() const { return c_; }
  const Tensor& decoder_embeddings() const { return decoder_embed_.weight; }
  Device device() const { return encoder_embed_.weight.device(); }

 private:
  // Token embeddings (scaled) + the positions from `past` on, normalized where the family does.
  Tensor embed(const nn::Embedding& tokens, const nn::Embedding& positions, const nn::LayerNorm& norm,
               const Tensor& ids, int64_t past) const {
    const int64_t n = ids.size(1);
    if (past + n > positions.weight.size(0) - position_offset_)
      throw InvalidArgument(config_.model_type + ": position " + std::to_string(past + n - 1) +
                            " is past max_position_embeddings " + std::to_string(c_.max_position_embeddings));
    std::vector<int64_t> index(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) index[static_cast<size_t>(i)] = past + i + position_offset_;
    Tensor h = tokens(ids);
    if (embed_scale_) h = ops::scale(h, *embed_scale_);
    h = ops::add(h, positions(Tensor::from_vector(index, {n})));
    return norm.weight.defined() ? norm(h) : h;
  }

  PretrainedConfig config_;
  BartConfig c_;
  bart::Layout layout_;
  nn::Embedding encoder_embed_, decoder_embed_, encoder_positions_, decoder_positions_;
  nn::LayerNorm encoder_embed_norm_, decoder_embed_norm_;
  std::optional<float> embed_scale_;
  int64_t position_offset_ = 0;
  std::vector<bart::Layer> encoder_, decoder_;
};

// <Family>Model (AutoModel) over BartStacks: the decoder's last_hidden_state and the encoder's.
template <typename Family>
class BartStyleModel final : public seq2seq::WithStacks<BartStacks> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static nlohmann::json tiny_config() { return Family::tiny_config(); }

  BartStyleModel(const PretrainedConfig& config, const nn::Weights& w)
      : seq2seq::WithStacks<BartStacks>(config, w, "model", Family::layout()) {}
  ModelOutput forward(const ModelInputs& in, bool /*output_hidden_states*/ = false) const override {
    return this->run(in);
  }
};

// BartForConditionalGeneration / MarianMTModel: logits = lm_head(decoder output) + final_logits_bias,
// lm_head being the checkpoint's own where it has one and the decoder's embeddings otherwise.
template <typename Family>
class BartStyleForConditionalGeneration final : public seq2seq::WithStacks<BartStacks> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static nlohmann::json tiny_config() { return Family::tiny_config(); }

  BartStyleForConditionalGeneration(const PretrainedConfig& config, const nn::Weights& w)
      : seq2seq::WithStacks<BartStacks>(config, w, "model", Family::layout()) {
    const BartConfig& c = this->stacks_.bart_config();
    lm_head_ = w.contains("lm_head.weight") ? w.get_matrix("lm_head.weight", {c.decoder_vocab_size, c.d_model})
                                            : this->stacks_.decoder_embeddings();
    if (w.contains("final_logits_bias"))
      final_logits_bias_ =
          w.get("final_logits_bias", {1, c.decoder_vocab_size}).to(DType::F32).view({c.decoder_vocab_size});
  }

  ModelOutput forward(const ModelInputs& in, bool /*output_hidden_states*/ = false) const override {
    ModelOutput out = this->run(in);
    out.logits = ops::linear(this->kept_positions(out.last_hidden_state, in.logits_to_keep), lm_head_,
                             final_logits_bias_);
    return out;
  }

 private:
  Tensor lm_head_;            // [decoder vocab, d_model]
  Tensor final_logits_bias_;  // [decoder vocab] f32, or undefined (zeros)
};

struct BartFamily {
  static bart::Layout layout() { return {true, true}; }
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99},           {"d_model", 32},           {"encoder_layers", 2},
            {"decoder_layers", 2},        {"encoder_attention_heads", 4}, {"decoder_attention_heads", 4},
            {"encoder_ffn_dim", 37},      {"decoder_ffn_dim", 37},   {"max_position_embeddings", 64},
            {"decoder_start_token_id", 2}};
  }
};

using BartModel = BartStyleModel<BartFamily>;
using BartForConditionalGeneration = BartStyleForConditionalGeneration<BartFamily>;

}  // namespace transformers
