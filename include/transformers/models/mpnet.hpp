#pragma once
// MPNet, read top to bottom like transformers' modeling_mpnet.py: word + position embeddings with
// RoBERTa's padding-offset position ids (no token types), post-norm layers whose attention scores
// get a T5-style bidirectional relative position bias (computed once by the encoder, shared by
// every layer), the tanh pooler, and the task heads.
#include <limits>
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/encoder_model.hpp"
#include "transformers/models/model_with_head.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/encoder_layer.hpp"
#include "transformers/nn/layers.hpp"
#include "transformers/nn/positions.hpp"

namespace transformers {

struct MPNetConfig : EncoderConfig {
  int64_t relative_attention_num_buckets;

  // transformers' MPNetConfig defaults for anything config.json leaves out.
  static MPNetConfig from(const PretrainedConfig& c) {
    MPNetConfig m{read(c, {.vocab_size = 30527,
                           .hidden_size = 768,
                           .num_hidden_layers = 12,
                           .num_attention_heads = 12,
                           .intermediate_size = 3072,
                           .max_position_embeddings = 512,
                           .hidden_act = "gelu",
                           .layer_norm_eps = 1e-12,
                           .tie_word_embeddings = true}),
                  c.get<int64_t>("relative_attention_num_buckets", 32)};
    m.check_heads_divide_hidden(c);
    return m;
  }
};

namespace mpnet {

// MPNetEmbeddings fixes padding_idx at 1 (not config.pad_token_id): position ids count real
// tokens from 2, padding gets 1.
constexpr int64_t kPaddingIdx = 1;
// MPNetEncoder.compute_position_bias is called with its default num_buckets=32 and
// relative_position_bucket with max_distance=128, whatever relative_attention_num_buckets says
// (that only sizes the bias table).
constexpr int64_t kBiasBuckets = 32;
constexpr int64_t kMaxDistance = 128;

struct Embeddings {
  nn::Embedding word_embeddings, position_embeddings;
  nn::LayerNorm norm;

  static Embeddings load(const nn::Weights& w, const std::string& p, const MPNetConfig& c) {
    return {nn::Embedding::load(w, p + ".word_embeddings", c.vocab_size, c.hidden_size),
            nn::Embedding::load(w, p + ".position_embeddings", c.max_position_embeddings, c.hidden_size),
            nn::LayerNorm::load(w, p + ".LayerNorm", c.hidden_size, c.layer_norm_eps)};
  }

  Tensor operator()(const Tensor& input_ids) const {
    const int64_t seq = input_ids.size(1);
    // The largest position id is seq + padding_idx (a row without padding).
    if (seq + kPaddingIdx >= position_embeddings.weight.size(0))
      throw InvalidArgument("MPNet: sequence of " + std::to_string(seq) + " tokens needs position " +
                            std::to_string(seq + kPaddingIdx) + " but max_position_embeddings is " +
                            std::to_string(position_embeddings.weight.size(0)));
    Tensor positions = nn::padding_offset_position_ids(input_ids, kPaddingIdx);
    return norm(ops::add(word_embeddings(input_ids), position_embeddings(positions)));
  }
};

// MPNetLayer: BERT's post-norm layer under MPNet's weight names; its mask is the relative
// position bias plus the padding mask, added to the scaled scores.
using Layer = nn::PostNormLayer;

inline Layer load_layer(const nn::Weights& w, const std::string& prefix, const MPNetConfig& c) {
  return Layer::load(w, prefix,
                     {"attention.attn.q", "attention.attn.k", "attention.attn.v", "attention.attn.o",
                      "attention.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"},
                     {c.hidden_size, c.intermediate_size, c.num_attention_heads, c.layer_norm_eps, c.hidden_act});
}

// MPNetEncoder.compute_position_bias: relative_attention_bias[bucket(key - query)] as
// [1, heads, seq, seq].
inline Tensor position_bias(const Tensor& relative_attention_bias, int64_t seq) {
  Tensor buckets = nn::relative_position_buckets(seq, seq, /*bidirectional=*/true, kBiasBuckets, kMaxDistance);
  return ops::embedding(relative_attention_bias, buckets.to(relative_attention_bias.device()))
      .permute({2, 0, 1})
      .unsqueeze(0)
      .contiguous();
}

// The eager padding mask transformers builds (create_bidirectional_mask): 0 for tokens and
// finfo(float32).min for padding keys, [batch, 1, 1, keys].
inline Tensor additive_padding_mask(const Tensor& attention_mask) {
  const int64_t batch = attention_mask.size(0), keys = attention_mask.size(1);
  std::vector<int64_t> keep = attention_mask.to_vector<int64_t>();
  std::vector<float> additive(keep.size());
  for (size_t i = 0; i < keep.size(); ++i) additive[i] = keep[i] != 0 ? 0.0f : std::numeric_limits<float>::lowest();
  return Tensor::from_vector(additive, {batch, 1, 1, keys}).to(attention_mask.device());
}

}  // namespace mpnet

class MPNetModel final : public EncoderModel<MPNetConfig> {
 public:
  static constexpr const char* base_model_prefix = "mpnet";
  // A config as small as transformers' model testers use, for tests and benchmarks.
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99},         {"hidden_size", 32},       {"num_hidden_layers", 2},
            {"num_attention_heads", 4}, {"intermediate_size", 37}, {"max_position_embeddings", 64},
            {"num_labels", 3}};
  }

  // pooler: IfPresent for the base model, which may be read from a head checkpoint saved without it.
  MPNetModel(const PretrainedConfig& config, const nn::Weights& w, nn::Part pooler = nn::Part::IfPresent)
      : EncoderModel(config) {
    const std::string p = base_model_prefix;
    const MPNetConfig& c = family_config();
    embeddings_ = mpnet::Embeddings::load(w, p + ".embeddings", c);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i)
      layers_.push_back(mpnet::load_layer(w, p + ".encoder.layer." + std::to_string(i), c));
    relative_attention_bias_ = nn::Embedding::load(w, p + ".encoder.relative_attention_bias",
                                                   c.relative_attention_num_buckets, c.num_attention_heads);
    pooler_ = nn::TanhPooler::load(w, p + ".pooler.dense", c.hidden_size, pooler);
  }

  ModelOutput forward(const ModelInputs& given, bool output_hidden_states = false) const override {
    const ModelInputs in = inputs_on(given, embeddings_.word_embeddings.weight.device());
    ModelOutput out;
    const Tensor embedded = embeddings_(in.input_ids);
    // scores / sqrt(head_dim) + position_bias + padding mask, as MPNetSelfAttention adds them.
    Tensor bias_and_mask = mpnet::position_bias(relative_attention_bias_.weight, in.input_ids.size(1));
    if (in.attention_mask.defined())
      bias_and_mask = ops::add(bias_and_mask, mpnet::additive_padding_mask(in.attention_mask));
    out.last_hidden_state =
        nn::run_layers(layers_, embedded, bias_and_mask, output_hidden_states ? &out.hidden_states : nullptr);
    pooler_(out);
    return out;
  }

  const Tensor& word_embeddings() const { return embeddings_.word_embeddings.weight; }

 private:
  mpnet::Embeddings embeddings_;
  std::vector<mpnet::Layer> layers_;
  nn::Embedding relative_attention_bias_;
  nn::TanhPooler pooler_;
};

namespace mpnet {
// MPNetClassificationHead on the first token: out_proj(tanh(dense(h[:, 0]))).
inline const FirstTokenClassifierSpec kClassificationHead{"classifier.dense", "classifier.out_proj", "tanh"};
// MPNetLMHead: dense -> gelu (the exact erf form, whatever hidden_act says) -> layer_norm ->
// decoder, whose weight is tied to the word embeddings and whose bias is lm_head.bias.
inline const MaskedLmSpec kLmHead{{"lm_head.dense", "lm_head.layer_norm", "lm_head.decoder", "lm_head.bias"}, "gelu"};
}  // namespace mpnet

// Sequence classification: single-label, multi-label and regression differ only in num_labels.
using MPNetForSequenceClassification = ForSequenceClassificationOnFirstToken<MPNetModel, mpnet::kClassificationHead>;
using MPNetForTokenClassification = ForTokenClassification<MPNetModel>;
using MPNetForQuestionAnswering = ForQuestionAnswering<MPNetModel>;
using MPNetForMaskedLM = ForMaskedLM<MPNetModel, mpnet::kLmHead>;

}  // namespace transformers
