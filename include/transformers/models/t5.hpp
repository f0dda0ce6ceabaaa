#pragma once
// T5, T5 v1.1 / Flan-T5 and mT5, read like transformers' modeling_t5.py: one embedding table shared
// by an encoder and a decoder stack of pre-norm blocks (T5LayerNorm: RMS, no bias), attention
// without the 1/sqrt(d) scaling whose scores get a learned bias per relative-position bucket
// (computed by each stack's first layer, shared by the others; bidirectional buckets in the encoder,
// causal ones in the decoder), cross-attention over the encoder's output in every decoder block, a
// ReLU or gated-GELU feed-forward network, and the LM head: the shared table (with the
// d_model^-0.5 rescaling of T5 v1.0) or the checkpoint's own lm_head (v1.1, Flan-T5, mT5).
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "transformers/models/encoder_decoder_model.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers {

struct T5Config {
  int64_t vocab_size = 32128, d_model = 512, d_kv = 64, d_ff = 2048, num_layers = 6, num_decoder_layers = 6;
  int64_t num_heads = 8, relative_attention_num_buckets = 32, relative_attention_max_distance = 128;
  double layer_norm_epsilon = 1e-6;
  std::string dense_act_fn = "relu";
  bool is_gated_act = false;
  // T5 v1.0 rescales the decoder output before its tied head; configs from transformers 5 say so in
  // scale_decoder_outputs, older ones by tie_word_embeddings (missing = true), as T5Config reads them.
  bool scale_decoder_outputs = true;

  static T5Config from(const PretrainedConfig& c) {
    T5Config t;
    t.vocab_size = c.get<int64_t>("vocab_size", t.vocab_size);
    t.d_model = c.get<int64_t>("d_model", t.d_model);
    t.d_kv = c.get<int64_t>("d_kv", t.d_kv);
    t.d_ff = c.get<int64_t>("d_ff", t.d_ff);
    t.num_layers = c.get<int64_t>("num_layers", t.num_layers);
    t.num_decoder_layers = c.raw.contains("num_decoder_layers") && !c.raw.at("num_decoder_layers").is_null()
                               ? c.get<int64_t>("num_decoder_layers", t.num_layers)
                               : t.num_layers;
    t.num_heads = c.get<int64_t>("num_heads", t.num_heads);
    t.relative_attention_num_buckets = c.get<int64_t>("relative_attention_num_buckets", 32);
    t.relative_attention_max_distance = c.get<int64_t>("relative_attention_max_distance", 128);
    t.layer_norm_epsilon = c.get<double>("layer_norm_epsilon", 1e-6);
    const std::string projection = c.get<std::string>("feed_forward_proj", "relu");
    const size_t dash = projection.find('-');
    if (dash != std::string::npos && (projection.compare(0, dash, "gated") != 0 ||
                                      projection.find('-', dash + 1) != std::string::npos))
      throw FileError(c.source + ": feed_forward_proj '" + projection +
                      "' is not of the form gated-{ACT_FN} or {ACT_FN}");
    t.is_gated_act = dash != std::string::npos;
    t.dense_act_fn = projection == "gated-gelu" ? "gelu_new" : projection.substr(dash == std::string::npos ? 0 : dash + 1);
    t.scale_decoder_outputs = c.raw.contains("scale_decoder_outputs")
                                  ? c.get<bool>("scale_decoder_outputs", true)
                                  : !(c.raw.contains("tie_word_embeddings") &&
                                      c.raw.at("tie_word_embeddings") == nlohmann::json(false));
    for (auto [field, value] : {std::pair<const char*, int64_t>{"vocab_size", t.vocab_size},
                                {"d_model", t.d_model},
                                {"d_kv", t.d_kv},
                                {"d_ff", t.d_ff},
                                {"num_layers", t.num_layers},
                                {"num_decoder_layers", t.num_decoder_layers},
                                {"num_heads", t.num_heads},
                                {"relative_attention_num_buckets", t.relative_attention_num_buckets},
                                {"relative_attention_max_distance", t.relative_attention_max_distance}})
      if (value <= 0) throw FileError(c.source + ": " + field + " must be positive, got " + std::to_string(value));
    return t;
  }
};

namespace t5 {

// T5Attention._relative_position_bucket for one relative position (key - query), in torch's float32
// arithmetic for the logarithmic buckets.
inline int64_t relative_position_bucket(int64_t relative_position, bool bidirectional, int64_t num_buckets,
                                        int64_t max_distance) {
  int64_t bucket = 0;
  if (bidirectional) {
    num_buckets /= 2;
    if (relative_position > 0) bucket += num_buckets;
    relative_position = std::abs(relative_position);
  } else {
    relative_position = -std::min<int64_t>(relative_position, 0);
  }
  const int64_t max_exact = num_buckets / 2;
  if (relative_position < max_exact) return bucket + relative_position;
  const float scaled = std::log(static_cast<float>(relative_position) / static_cast<float>(max_exact)) /
                       static_cast<float>(std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact))) *
                       static_cast<float>(num_buckets - max_exact);
  return bucket + std::min(max_exact + static_cast<int64_t>(scaled), num_buckets - 1);
}

// The learned bias of a stack's first layer: relative_attention_bias [buckets, heads], kept on the host.
struct RelativePositionBias {
  std::vector<float> table;  // [buckets, heads]
  int64_t heads = 0, buckets = 0, max_distance = 0;
  bool bidirectional = true;

  static RelativePositionBias load(const nn::Weights& w, const std::string& name, const T5Config& c,
                                   bool bidirectional) {
    const Tensor table = w.get(name, {c.relative_attention_num_buckets, c.num_heads}).to(Device::cpu());
    return {table.to(DType::F32).contiguous().to_vector<float>(), c.num_heads, c.relative_attention_num_buckets,
            c.relative_attention_max_distance, bidirectional};
  }

  // [1, heads, queries, keys] for queries at positions first_query .. first_query + queries - 1 and
  // keys at 0 .. keys - 1.
  Tensor operator()(int64_t queries, int64_t first_query, int64_t keys, Device device) const {
    std::vector<float> bias(static_cast<size_t>(heads * queries * keys));
    for (int64_t i = 0; i < queries; ++i)
      for (int64_t j = 0; j < keys; ++j) {
        const int64_t bucket = relative_position_bucket(j - (first_query + i), bidirectional, buckets, max_distance);
        for (int64_t h = 0; h < heads; ++h)
          bias[static_cast<size_t>((h * queries + i) * keys + j)] = table[static_cast<size_t>(bucket * heads + h)];
      }
    return Tensor::from_vector(bias, {1, heads, queries, keys}).to(device);
  }
};

// T5Attention without its bias (the stack adds it to the mask): q, k, v, o without biases, unscaled scores.
struct Attention {
  nn::Linear q, k, v, o;
  int64_t heads = 0;

  static Attention load(const nn::Weights& w, const std::string& prefix, const T5Config& c) {
    const int64_t inner = c.num_heads * c.d_kv;
    return {nn::Linear::load(w, prefix + ".q", c.d_model, inner, false),
            nn::Linear::load(w, prefix + ".k", c.d_model, inner, false),
            nn::Linear::load(w, prefix + ".v", c.d_model, inner, false),
            nn::Linear::load(w, prefix + ".o", inner, c.d_model, false), c.num_heads};
  }
  std::pair<Tensor, Tensor> keys_values(const Tensor& x) const {
    return {nn::split_heads(k(x), heads), nn::split_heads(v(x), heads)};
  }
  // o(attention(q(x), keys, values)) under `mask` (additive, or a key padding mask).
  Tensor attend(const Tensor& x, const Tensor& keys, const Tensor& values, const Tensor& mask) const {
    ops::AttentionOptions options;
    options.mask = mask;
    options.scale = 1.0f;
    return o(nn::merge_heads(ops::attention(nn::split_heads(q(x), heads), keys, values, options)));
  }
};

// T5DenseActDense (wi, act, wo) or T5DenseGatedActDense (act(wi_0) * wi_1, wo).
struct FeedForward {
  nn::Linear wi, wi_1, wo;
  std::string activation;

  static FeedForward load(const nn::Weights& w, const std::string& prefix, const T5Config& c) {
    if (!c.is_gated_act)
      return {nn::Linear::load(w, prefix + ".wi", c.d_model, c.d_ff, false), {},
              nn::Linear::load(w, prefix + ".wo", c.d_ff, c.d_model, false), c.dense_act_fn};
    return {nn::Linear::load(w, prefix + ".wi_0", c.d_model, c.d_ff, false),
            nn::Linear::load(w, prefix + ".wi_1", c.d_model, c.d_ff, false),
            nn::Linear::load(w, prefix + ".wo", c.d_ff, c.d_model, false), c.dense_act_fn};
  }
  // x + wo(...): the residual joins the last product.
  Tensor operator()(const Tensor& normed, const Tensor& residual) const {
    const Tensor inner = wi_1.weight.defined() ? ops::mul(wi(normed, {.activation = activation}), wi_1(normed))
                                               : wi(normed, {.activation = activation});
    return wo(inner, {.residual = residual});
  }
};

// T5Block: self-attention, cross-attention (decoder only), feed-forward, each pre-normed and added.
struct Block {
  nn::RMSNorm self_norm, cross_norm, ff_norm;
  Attention self_attention, cross_attention;
  FeedForward ff;

  static Block load(const nn::Weights& w, const std::string& prefix, const T5Config& c, bool decoder) {
    auto norm = [&](const std::string& name) {
      return nn::RMSNorm::load(w, prefix + name + ".layer_norm", c.d_model, c.layer_norm_epsilon);
    };
    Block b;
    b.self_norm = norm(".layer.0");
    b.self_attention = Attention::load(w, prefix + ".layer.0.SelfAttention", c);
    if (decoder) {
      b.cross_norm = norm(".layer.1");
      b.cross_attention = Attention::load(w, prefix + ".layer.1.EncDecAttention", c);
    }
    const std::string ff = decoder ? ".layer.2" : ".layer.1";
    b.ff_norm = norm(ff);
    b.ff = FeedForward::load(w, prefix + ff + ".DenseReluDense", c);
    return b;
  }
};

// [batch, 1, 1, keys] f32: 0 where attention_mask is 1, float32's lowest where it is 0.
inline Tensor additive_padding(const Tensor& attention_mask, Device device) {
  const Tensor keep = attention_mask.to(Device::cpu()).to(DType::F32).to(device);
  const Tensor padding = ops::scale(ops::add_scalar(keep, -1.0f), std::numeric_limits<float>::max());
  return padding.view({attention_mask.size(0), 1, 1, attention_mask.size(1)});
}

}  // namespace t5

// The encoder and decoder stacks with the shared embeddings: what T5Model and
// T5ForConditionalGeneration share.
class T5Stacks {
 public:
  T5Stacks(const PretrainedConfig& config, const nn::Weights& w) : config_(config), c_(T5Config::from(config)) {
    const std::string table = w.contains("shared.weight") || !w.contains("encoder.embed_tokens.weight")
                                  ? "shared"
                                  : "encoder.embed_tokens";
    shared_ = nn::Embedding::load(w, table, c_.vocab_size, c_.d_model);
    for (int64_t i = 0; i < c_.num_layers; ++i)
      encoder_.push_back(t5::Block::load(w, "encoder.block." + std::to_string(i), c_, false));
    for (int64_t i = 0; i < c_.num_decoder_layers; ++i)
      decoder_.push_back(t5::Block::load(w, "decoder.block." + std::to_string(i), c_, true));
    const std::string bias = ".block.0.layer.0.SelfAttention.relative_attention_bias.weight";
    encoder_bias_ = t5::RelativePositionBias::load(w, "encoder" + bias, c_, true);
    decoder_bias_ = t5::RelativePositionBias::load(w, "decoder" + bias, c_, false);
    encoder_norm_ = nn::RMSNorm::load(w, "encoder.final_layer_norm", c_.d_model, c_.layer_norm_epsilon);
    decoder_norm_ = nn::RMSNorm::load(w, "decoder.final_layer_norm", c_.d_model, c_.layer_norm_epsilon);
  }

  Tensor encode(const Tensor& input_ids, const Tensor& attention_mask) const {
    if (!input_ids.defined() || input_ids.dim() != 2)
      throw InvalidArgument("T5 encoder: input_ids must be [batch, seq], got " + input_ids.describe());
    const int64_t seq = input_ids.size(1);
    const Tensor keep = attention_mask.defined() ? attention_mask : Tensor::full(input_ids.shape(), 1.0, DType::I64);
    if (keep.shape() != input_ids.shape())
      throw InvalidArgument("T5 encoder: attention_mask " + keep.describe() + " must have the shape of input_ids " +
                            input_ids.describe());
    const Tensor mask = ops::add(encoder_bias_(seq, 0, seq, device()), t5::additive_padding(keep, device()));
    Tensor h = shared_(input_ids);
    for (const t5::Block& block : encoder_) {
      const Tensor normed = block.self_norm(h);
      const auto [keys, values] = block.self_attention.keys_values(normed);
      h = ops::add(h, block.self_attention.attend(normed, keys, values, mask));
      h = block.ff(block.ff_norm(h), h);
    }
    return encoder_norm_(h);
  }

  // The decoder's last_hidden_state for in.decoder_input_ids over `encoder_output`, through the
  // caches in `in` when given.
  Tensor decode(const ModelInputs& in, const Tensor& encoder_output) const {
    seq2seq::DecoderPass pass(in, encoder_output, device(), "T5");
    Tensor self_mask;
    Tensor h = shared_(in.decoder_input_ids);
    for (size_t i = 0; i < decoder_.size(); ++i) {
      const t5::Block& block = decoder_[i];
      const Tensor normed = block.self_norm(h);
      const auto [keys, values] = block.self_attention.keys_values(normed);
      const nn::KVCache::Attended seen = pass.step().attend(static_cast<int64_t>(i), keys, values);
      if (!self_mask.defined()) {  // the bias of the first layer, shared by all
        const int64_t slots = static_cast<int64_t>(seen.indices.size());
        self_mask = ops::add(decoder_bias_(pass.step().length(), pass.past(), slots, device()),
                             pass.step().mask(0, seen.indices));
      }
      h = ops::add(h, block.self_attention.attend(normed, seen.keys, seen.values, self_mask));
      const auto& [cross_keys, cross_values] =
          pass.cross(i, [&] { return block.cross_attention.keys_values(encoder_output); });
      h = ops::add(h, block.cross_attention.attend(block.cross_norm(h), cross_keys, cross_values, pass.encoder_mask()));
      h = block.ff(block.ff_norm(h), h);
    }
    pass.finish();
    return decoder_norm_(h);
  }

  std::optional<nn::CacheLayout> cache_layout() const {
    return seq2seq::decoder_cache_layout(c_.num_decoder_layers, c_.num_heads, c_.d_kv, device());
  }

  const PretrainedConfig& config() const { return config_; }
  const T5Config& t5_config() const { return c_; }
  const Tensor& shared() const { return shared_.weight; }
  Device device() const { return shared_.weight.device(); }

 private:
  PretrainedConfig config_;
  T5Config c_;
  nn::Embedding shared_;
  std::vector<t5::Block> encoder_, decoder_;
  t5::RelativePositionBias encoder_bias_, decoder_bias_;
  nn::RMSNorm encoder_norm_, decoder_norm_;
};

// T5Model (AutoModel): the decoder's last_hidden_state and the encoder's.
class T5Model final : public seq2seq::WithStacks<T5Stacks> {
 public:
  static constexpr const char* base_model_prefix = "transformer";
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99}, {"d_model", 32}, {"d_kv", 8}, {"d_ff", 37}, {"num_layers", 2}, {"num_heads", 4},
            {"decoder_start_token_id", 0}};
  }

  T5Model(const PretrainedConfig& config, const nn::Weights& w) : WithStacks(config, w) {}
  ModelOutput forward(const ModelInputs& in, bool /*output_hidden_states*/ = false) const override { return run(in); }
};

// T5ForConditionalGeneration (AutoModelForSeq2SeqLM): logits = lm_head(decoder output), the head
// being the checkpoint's lm_head.weight where it has one (transformers 5 keeps it untied when it
// differs from the shared table) and the shared table otherwise.
class T5ForConditionalGeneration final : public seq2seq::WithStacks<T5Stacks> {
 public:
  static constexpr const char* base_model_prefix = T5Model::base_model_prefix;
  static nlohmann::json tiny_config() { return T5Model::tiny_config(); }

  T5ForConditionalGeneration(const PretrainedConfig& config, const nn::Weights& w) : WithStacks(config, w) {
    const T5Config& c = stacks_.t5_config();
    lm_head_ = w.contains("lm_head.weight") ? w.get_matrix("lm_head.weight", {c.vocab_size, c.d_model})
                                            : stacks_.shared();
    if (c.scale_decoder_outputs) output_scale_ = static_cast<float>(std::pow(static_cast<double>(c.d_model), -0.5));
  }

  ModelOutput forward(const ModelInputs& in, bool /*output_hidden_states*/ = false) const override {
    ModelOutput out = run(in);
    Tensor hidden = kept_positions(out.last_hidden_state, in.logits_to_keep);
    if (output_scale_) hidden = ops::scale(hidden, *output_scale_);
    out.logits = ops::linear(hidden, lm_head_);
    return out;
  }

 private:
  Tensor lm_head_;  // [vocab, d_model]
  std::optional<float> output_scale_;
};

}  // namespace transformers
