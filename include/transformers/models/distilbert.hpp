#pragma once
// DistilBERT, read top to bottom like transformers' modeling_distilbert.py: word + position
// embeddings (no segments), post-norm transformer blocks, and the classification head
// (pre_classifier -> ReLU -> classifier on the first token; no tanh pooler).
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/encoder_model.hpp"
#include "transformers/models/model_with_head.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/encoder_layer.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers {

// DistilBERT's own field names, read into the common ones as its attribute_map maps them: dim is
// hidden_size, n_layers num_hidden_layers, n_heads num_attention_heads; hidden_dim is the
// intermediate size and activation the hidden act. The LayerNorm epsilon is fixed in
// modeling_distilbert.py, not in the config.
struct DistilBertConfig : EncoderConfig {
  static DistilBertConfig from(const PretrainedConfig& c) {
    DistilBertConfig d{{.vocab_size = c.get<int64_t>("vocab_size", 30522),
                        .hidden_size = c.get<int64_t>("dim", 768),
                        .num_hidden_layers = c.get<int64_t>("n_layers", 6),
                        .num_attention_heads = c.get<int64_t>("n_heads", 12),
                        .intermediate_size = c.get<int64_t>("hidden_dim", 3072),
                        .max_position_embeddings = c.get<int64_t>("max_position_embeddings", 512),
                        .hidden_act = c.get<std::string>("activation", "gelu"),
                        .layer_norm_eps = 1e-12,
                        .tie_word_embeddings = c.get<bool>("tie_word_embeddings", true)}};
    if (c.get<bool>("sinusoidal_pos_embds", false))
      throw FileError(c.source +
                      ": sinusoidal_pos_embds is not supported (released DistilBERT models learn positions)");
    d.check_heads_divide_hidden(c, "dim", "n_heads");
    return d;
  }
};

namespace distilbert {

using Block = nn::PostNormLayer;

inline Block load_block(const nn::Weights& w, const std::string& prefix, const DistilBertConfig& c) {
  return Block::load(w, prefix,
                     {"attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin", "sa_layer_norm",
                      "ffn.lin1", "ffn.lin2", "output_layer_norm"},
                     {c.hidden_size, c.intermediate_size, c.num_attention_heads, c.layer_norm_eps, c.hidden_act});
}

}  // namespace distilbert

class DistilBertModel final : public EncoderModel<DistilBertConfig> {
 public:
  static constexpr const char* base_model_prefix = "distilbert";
  // A config as small as transformers' model testers use, for tests and benchmarks.
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99}, {"dim", 32},        {"n_layers", 2},
            {"n_heads", 4},     {"hidden_dim", 37}, {"max_position_embeddings", 64},
            {"num_labels", 3}};
  }

  DistilBertModel(const PretrainedConfig& config, const nn::Weights& w) : EncoderModel(config) {
    const std::string p = base_model_prefix;
    const DistilBertConfig& c = family_config();
    word_embeddings_ = nn::Embedding::load(w, p + ".embeddings.word_embeddings", c.vocab_size, c.hidden_size);
    position_embeddings_ =
        nn::Embedding::load(w, p + ".embeddings.position_embeddings", c.max_position_embeddings, c.hidden_size);
    embedding_norm_ = nn::LayerNorm::load(w, p + ".embeddings.LayerNorm", c.hidden_size, c.layer_norm_eps);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i)
      blocks_.push_back(distilbert::load_block(w, p + ".transformer.layer." + std::to_string(i), c));
  }

  ModelOutput forward(const ModelInputs& given, bool output_hidden_states = false) const override {
    const ModelInputs in = inputs_on(given, word_embeddings_.weight.device());
    const int64_t seq = in.input_ids.size(1);
    if (seq > position_embeddings_.weight.size(0))
      throw InvalidArgument("DistilBERT: sequence of " + std::to_string(seq) +
                            " tokens exceeds max_position_embeddings " +
                            std::to_string(position_embeddings_.weight.size(0)));
    ModelOutput out;
    Tensor embedded =
        embedding_norm_(ops::add(word_embeddings_(in.input_ids), position_embeddings_(Tensor::arange(seq))));
    out.last_hidden_state = nn::run_layers(blocks_, embedded, attention_mask_or_ones(in),
                                           output_hidden_states ? &out.hidden_states : nullptr);
    return out;
  }

  const Tensor& word_embeddings() const { return word_embeddings_.weight; }

 private:
  nn::Embedding word_embeddings_, position_embeddings_;
  nn::LayerNorm embedding_norm_;
  std::vector<distilbert::Block> blocks_;
};

namespace distilbert {
// pre_classifier -> ReLU -> classifier on the first token.
inline const FirstTokenClassifierSpec kClassificationHead{"pre_classifier", "classifier", "relu"};
// vocab_transform -> activation -> vocab_layer_norm -> vocab_projector (tied to the word
// embeddings, with its own bias).
inline const MaskedLmSpec kMlmHead{{"vocab_transform", "vocab_layer_norm", "vocab_projector", "vocab_projector.bias"}};
}  // namespace distilbert

using DistilBertForSequenceClassification =
    ForSequenceClassificationOnFirstToken<DistilBertModel, distilbert::kClassificationHead>;
using DistilBertForTokenClassification = ForTokenClassification<DistilBertModel>;
using DistilBertForQuestionAnswering = ForQuestionAnswering<DistilBertModel>;
using DistilBertForMaskedLM = ForMaskedLM<DistilBertModel, distilbert::kMlmHead>;

}  // namespace transformers
