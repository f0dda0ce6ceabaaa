#pragma once
// transformers' <Arch>For<Task> classes: a base model with a task head (nn/heads.hpp) on top. The
// heads every family has in the same form are the templates below, so that a family declares
// its task classes in a line each, as modeling_<arch>.py's classes read:
//
//   using BertForTokenClassification = ForTokenClassification<BertModel>;
//   using RobertaForMaskedLM = ForMaskedLM<RobertaModel, roberta::kLmHead>;
//
// A base model is an EncoderModel<Config> (models/encoder_model.hpp) whose constructor takes
// (config, weights) - and a third nn::Part argument when the family has a pooler - and which offers
// word_embeddings() and the statics base_model_prefix (how head checkpoints prefix its weights) and
// tiny_config() (the family's smallest config, for tests and benchmarks). A head unlike these
// (DeBERTa's) derives from ModelWithHead and loads head_ itself.
#include <optional>
#include <string>
#include <type_traits>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/encoder_model.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/heads.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers {

// The base model with its pooler as `pooler` says (transformers' add_pooling_layer), for the
// families that have one.
template <typename Base>
Base load_base_model(const PretrainedConfig& config, const nn::Weights& w, nn::Part pooler) {
  if constexpr (std::is_constructible_v<Base, const PretrainedConfig&, const nn::Weights&, nn::Part>)
    return Base(config, w, pooler);
  else
    return Base(config, w);
}

template <typename Base, typename Head>
class ModelWithHead : public PreTrainedModel {
 public:
  static constexpr const char* base_model_prefix = Base::base_model_prefix;
  static nlohmann::json tiny_config() { return Base::tiny_config(); }

  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = base_.forward(in, output_hidden_states);
    head_(out);
    return out;
  }
  const PretrainedConfig& config() const override { return base_.config(); }

 protected:
  // Loads the base model; the derived class's constructor then loads head_, knowing its sizes. A
  // head that does not read the pooler leaves it out, as transformers' heads do.
  ModelWithHead(const PretrainedConfig& config, const nn::Weights& w, nn::Part pooler = nn::Part::Absent)
      : base_(load_base_model<Base>(config, w, pooler)) {}

  Base base_;
  Head head_;
};

// logits [batch, num_labels] = classifier(pooler_output): BERT's and ALBERT's sequence
// classification, whose base model must have its pooler.
template <typename Base>
class ForSequenceClassificationOnPooler final : public ModelWithHead<Base, nn::PooledClassificationHead> {
 public:
  ForSequenceClassificationOnPooler(const PretrainedConfig& config, const nn::Weights& w)
      : ModelWithHead<Base, nn::PooledClassificationHead>(config, w, nn::Part::Required) {
    this->head_ = nn::PooledClassificationHead::load(w, this->base_.family_config().hidden_size, config.num_labels());
  }
};

// A family's classification head on the first token: its weight names and activation.
struct FirstTokenClassifierSpec {
  std::string dense, out_proj, activation;
};

// logits [batch, num_labels] = out_proj(activation(dense(h[:, 0]))), without the pooler.
template <typename Base, const FirstTokenClassifierSpec& spec>
class ForSequenceClassificationOnFirstToken final : public ModelWithHead<Base, nn::FirstTokenClassificationHead> {
 public:
  ForSequenceClassificationOnFirstToken(const PretrainedConfig& config, const nn::Weights& w)
      : ModelWithHead<Base, nn::FirstTokenClassificationHead>(config, w) {
    this->head_ = nn::FirstTokenClassificationHead::load(
        w, spec.dense, spec.out_proj, this->base_.family_config().hidden_size, config.num_labels(), spec.activation);
  }
};

// logits [batch, seq, num_labels] = classifier(last_hidden_state).
template <typename Base>
class ForTokenClassification final : public ModelWithHead<Base, nn::TokenClassificationHead> {
 public:
  ForTokenClassification(const PretrainedConfig& config, const nn::Weights& w)
      : ModelWithHead<Base, nn::TokenClassificationHead>(config, w) {
    this->head_ = nn::TokenClassificationHead::load(w, this->base_.family_config().hidden_size, config.num_labels());
  }
};

// start_logits, end_logits [batch, seq] from qa_outputs over every token.
template <typename Base>
class ForQuestionAnswering final : public ModelWithHead<Base, nn::QuestionAnsweringHead> {
 public:
  ForQuestionAnswering(const PretrainedConfig& config, const nn::Weights& w)
      : ModelWithHead<Base, nn::QuestionAnsweringHead>(config, w) {
    this->head_ = nn::QuestionAnsweringHead::load(w, this->base_.family_config().hidden_size);
  }
};

// A family's masked-LM head: its weight names and activation (when none is given, the config's
// hidden_act).
struct MaskedLmSpec {
  nn::MaskedLmHead::Names names;
  std::optional<std::string> activation = std::nullopt;
};

// logits [batch, seq, vocab] from the masked-LM head: dense (hidden -> the embeddings' width),
// activation, LayerNorm (layer_norm_eps), decoder tied to the word embeddings unless
// tie_word_embeddings is false.
template <typename Base, const MaskedLmSpec& spec>
class ForMaskedLM final : public ModelWithHead<Base, nn::MaskedLmHead> {
 public:
  ForMaskedLM(const PretrainedConfig& config, const nn::Weights& w) : ModelWithHead<Base, nn::MaskedLmHead>(config, w) {
    const auto& c = this->base_.family_config();
    this->head_ = nn::MaskedLmHead::load(w, spec.names, c.hidden_size, spec.activation.value_or(c.hidden_act),
                                         c.layer_norm_eps, this->base_.word_embeddings(), c.tie_word_embeddings);
  }
};

}  // namespace transformers
