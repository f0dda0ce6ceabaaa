#pragma once
// DistilBERT, read top to bottom like transformers' modeling_distilbert.py: word + position
// embeddings (no segments), post-norm transformer blocks, and the classification head
// (pre_classifier -> ReLU -> classifier on the first token; no tanh pooler).
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/encoder_layer.hpp"
#include "transformers/nn/heads.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers {

struct DistilBertConfig {
  int64_t vocab_size, dim, n_layers, n_heads, hidden_dim, max_position_embeddings;
  std::string activation;

  static DistilBertConfig from(const PretrainedConfig& c) {
    DistilBertConfig d{c.get<int64_t>("vocab_size", 30522), c.get<int64_t>("dim", 768), c.get<int64_t>("n_layers", 6),
                       c.get<int64_t>("n_heads", 12), c.get<int64_t>("hidden_dim", 3072),
                       c.get<int64_t>("max_position_embeddings", 512), c.get<std::string>("activation", "gelu")};
    if (c.get<bool>("sinusoidal_pos_embds", false))
      throw FileError(c.source + ": sinusoidal_pos_embds is not supported (released DistilBERT models learn positions)");
    if (d.n_heads <= 0 || d.dim % d.n_heads != 0)
      throw FileError(c.source + ": dim " + std::to_string(d.dim) + " is not a multiple of n_heads " +
                      std::to_string(d.n_heads));
    return d;
  }
};

namespace distilbert {

constexpr double kLayerNormEps = 1e-12;  // fixed in modeling_distilbert.py, not in the config

using Block = nn::PostNormLayer;

inline Block load_block(const nn::Weights& w, const std::string& prefix, const DistilBertConfig& c) {
  return Block::load(w, prefix,
                     {"attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm",
                      "ffn.lin1", "ffn.lin2", "output_layer_norm"},
                     {c.dim, c.hidden_dim, c.n_heads, kLayerNormEps, c.activation});
}

}  // namespace distilbert

class DistilBertModel final : public PreTrainedModel {
 public:
  static constexpr const char* base_model_prefix = "distilbert";

  DistilBertModel(const PretrainedConfig& config, const nn::Weights& w)
      : config_(config), distil_config_(DistilBertConfig::from(config)) {
    const std::string p = base_model_prefix;
    const DistilBertConfig& c = distil_config_;
    word_embeddings_ = nn::Embedding::load(w, p + ".embeddings.word_embeddings", c.vocab_size, c.dim);
    position_embeddings_ = nn::Embedding::load(w, p + ".embeddings.position_embeddings", c.max_position_embeddings, c.dim);
    embedding_norm_ = nn::LayerNorm::load(w, p + ".embeddings.LayerNorm", c.dim, distilbert::kLayerNormEps);
    for (int64_t i = 0; i < c.n_layers; ++i)
      blocks_.push_back(distilbert::load_block(w, p + ".transformer.layer." + std::to_string(i), c));
  }

  static DistilBertModel from_pretrained(const std::string& folder) {
    return DistilBertModel(PretrainedConfig::from_pretrained(folder),
                           nn::Weights(safetensors::Checkpoint::open(folder), base_model_prefix));
  }

  ModelOutput forward(const ModelInputs& given, bool output_hidden_states = false) const override {
    const ModelInputs in = inputs_on(given, word_embeddings_.weight.device());
    const int64_t seq = in.input_ids.size(1);
    if (seq > position_embeddings_.weight.size(0))
      throw InvalidArgument("DistilBERT: sequence of " + std::to_string(seq) +
                            " tokens exceeds max_position_embeddings " + std::to_string(position_embeddings_.weight.size(0)));
    ModelOutput out;
    Tensor hidden = embedding_norm_(ops::add(word_embeddings_(in.input_ids), position_embeddings_(Tensor::arange(seq))));
    const Tensor mask = attention_mask_or_ones(in);
    if (output_hidden_states) out.hidden_states.push_back(hidden);
    for (const distilbert::Block& block : blocks_) {
      hidden = block(hidden, mask);
      if (output_hidden_states) out.hidden_states.push_back(hidden);
    }
    out.last_hidden_state = hidden;
    return out;
  }

  const PretrainedConfig& config() const override { return config_; }
  int64_t dim() const { return distil_config_.dim; }
  const std::string& activation() const { return distil_config_.activation; }
  const Tensor& word_embeddings() const { return word_embeddings_.weight; }

 private:
  PretrainedConfig config_;
  DistilBertConfig distil_config_;
  nn::Embedding word_embeddings_, position_embeddings_;
  nn::LayerNorm embedding_norm_;
  std::vector<distilbert::Block> blocks_;
};

class DistilBertForSequenceClassification final : public PreTrainedModel {
 public:
  DistilBertForSequenceClassification(const PretrainedConfig& config, const nn::Weights& w)
      : distilbert_(config, w),
        pre_classifier_(nn::Linear::load(w, "pre_classifier", distilbert_.dim(), distilbert_.dim())),
        classifier_(nn::Linear::load(w, "classifier", distilbert_.dim(), config.num_labels())) {}

  static DistilBertForSequenceClassification from_pretrained(const std::string& folder) {
    return DistilBertForSequenceClassification(
        PretrainedConfig::from_pretrained(folder),
        nn::Weights(safetensors::Checkpoint::open(folder), DistilBertModel::base_model_prefix));
  }

  // logits = classifier(relu(pre_classifier(h[:, 0]))); dropout is the identity at inference.
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = distilbert_.forward(in, output_hidden_states);
    out.logits = classifier_(ops::relu(pre_classifier_(out.last_hidden_state.select(1, 0))));
    return out;
  }

  const PretrainedConfig& config() const override { return distilbert_.config(); }

 private:
  DistilBertModel distilbert_;
  nn::Linear pre_classifier_, classifier_;
};

class DistilBertForTokenClassification final : public PreTrainedModel {
 public:
  DistilBertForTokenClassification(const PretrainedConfig& config, const nn::Weights& w)
      : distilbert_(config, w), classifier_(nn::Linear::load(w, "classifier", distilbert_.dim(), config.num_labels())) {}
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = distilbert_.forward(in, output_hidden_states);
    out.logits = classifier_(out.last_hidden_state);
    return out;
  }
  const PretrainedConfig& config() const override { return distilbert_.config(); }

 private:
  DistilBertModel distilbert_;
  nn::Linear classifier_;
};

class DistilBertForQuestionAnswering final : public PreTrainedModel {
 public:
  DistilBertForQuestionAnswering(const PretrainedConfig& config, const nn::Weights& w)
      : distilbert_(config, w), head_(nn::QuestionAnsweringHead::load(w, distilbert_.dim())) {}
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = distilbert_.forward(in, output_hidden_states);
    head_(out.last_hidden_state, out);
    return out;
  }
  const PretrainedConfig& config() const override { return distilbert_.config(); }

 private:
  DistilBertModel distilbert_;
  nn::QuestionAnsweringHead head_;
};

// vocab_transform -> activation -> vocab_layer_norm -> vocab_projector (tied to the word
// embeddings, with its own bias).
class DistilBertForMaskedLM final : public PreTrainedModel {
 public:
  DistilBertForMaskedLM(const PretrainedConfig& config, const nn::Weights& w)
      : distilbert_(config, w),
        vocab_transform_(nn::Linear::load(w, "vocab_transform", distilbert_.dim(), distilbert_.dim())),
        vocab_layer_norm_(nn::LayerNorm::load(w, "vocab_layer_norm", distilbert_.dim(), distilbert::kLayerNormEps)),
        vocab_projector_(nn::TiedDecoder::load(w, "vocab_projector", "vocab_projector.bias", distilbert_.word_embeddings(),
                                               config.tie_word_embeddings)) {}
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = distilbert_.forward(in, output_hidden_states);
    out.logits = vocab_projector_(vocab_layer_norm_(ops::activation(vocab_transform_(out.last_hidden_state),
                                                                    distilbert_.activation())));
    return out;
  }
  const PretrainedConfig& config() const override { return distilbert_.config(); }

 private:
  DistilBertModel distilbert_;
  nn::Linear vocab_transform_;
  nn::LayerNorm vocab_layer_norm_;
  nn::TiedDecoder vocab_projector_;
};

}  // namespace transformers
