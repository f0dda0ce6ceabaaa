#pragma once
// RoBERTa (and XLM-RoBERTa, CamemBERT, which transformers builds from the same code): BERT's
// encoder with position ids counted from padding_idx + 1, a dense-tanh classification head on
// <s>, and the lm_head masked-LM head. All three keep their weights under "roberta.".
#include "transformers/models/bert.hpp"

namespace transformers {

namespace roberta {
inline const bert::Layout kLayout{"roberta", PositionIds::PaddingOffset, nn::Part::Required};
inline const bert::MaskedLmNames kLmHead{"lm_head.dense", "lm_head.layer_norm", "lm_head.decoder", "lm_head.bias", "gelu"};
}  // namespace roberta

class RobertaModel final : public PreTrainedModel {
 public:
  static constexpr const char* base_model_prefix = "roberta";
  RobertaModel(const PretrainedConfig& config, const nn::Weights& w)
      : encoder_(config, w, bert::base_model_layout(roberta::kLayout)) {}
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    return encoder_.forward(in, output_hidden_states);
  }
  const PretrainedConfig& config() const override { return encoder_.config(); }

 private:
  bert::Encoder encoder_;
};

// logits = out_proj(tanh(dense(h[:, 0]))).
class RobertaForSequenceClassification final : public bert::FirstTokenClassifier {
 public:
  RobertaForSequenceClassification(const PretrainedConfig& c, const nn::Weights& w)
      : FirstTokenClassifier(c, w, roberta::kLayout, "tanh") {}
};

class RobertaForTokenClassification final : public bert::TokenClassifier {
 public:
  RobertaForTokenClassification(const PretrainedConfig& c, const nn::Weights& w) : TokenClassifier(c, w, roberta::kLayout) {}
};

class RobertaForQuestionAnswering final : public bert::QuestionAnswerer {
 public:
  RobertaForQuestionAnswering(const PretrainedConfig& c, const nn::Weights& w) : QuestionAnswerer(c, w, roberta::kLayout) {}
};

class RobertaForMaskedLM final : public bert::MaskedLanguageModel {
 public:
  RobertaForMaskedLM(const PretrainedConfig& c, const nn::Weights& w)
      : MaskedLanguageModel(c, w, roberta::kLayout, roberta::kLmHead) {}
};

// transformers' XLM-RoBERTa and CamemBERT classes are RoBERTa's code under other names.
using XLMRobertaModel = RobertaModel;
using XLMRobertaForSequenceClassification = RobertaForSequenceClassification;
using XLMRobertaForTokenClassification = RobertaForTokenClassification;
using XLMRobertaForQuestionAnswering = RobertaForQuestionAnswering;
using XLMRobertaForMaskedLM = RobertaForMaskedLM;
using CamembertModel = RobertaModel;
using CamembertForSequenceClassification = RobertaForSequenceClassification;
using CamembertForTokenClassification = RobertaForTokenClassification;
using CamembertForQuestionAnswering = RobertaForQuestionAnswering;
using CamembertForMaskedLM = RobertaForMaskedLM;

}  // namespace transformers
