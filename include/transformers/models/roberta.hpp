#pragma once
// RoBERTa (and XLM-RoBERTa, CamemBERT, which transformers builds from the same code): BERT's
// encoder with position ids counted from padding_idx + 1, a dense-tanh classification head on
// <s>, and the lm_head masked-LM head. All three keep their weights under "roberta.".
#include "transformers/models/bert.hpp"

namespace transformers {

class RobertaModel final : public bert::Encoder {
 public:
  static constexpr const char* base_model_prefix = "roberta";
  // pooler: IfPresent for the base model, which may be read from a head checkpoint saved without it.
  RobertaModel(const PretrainedConfig& config, const nn::Weights& w, nn::Part pooler = nn::Part::IfPresent)
      : Encoder(config, w, {base_model_prefix, PositionIds::PaddingOffset, pooler}) {}
};

namespace roberta {
// RobertaClassificationHead: logits = out_proj(tanh(dense(h[:, 0]))).
inline const FirstTokenClassifierSpec kClassificationHead{"classifier.dense", "classifier.out_proj", "tanh"};
// RobertaLMHead: dense, gelu, layer_norm, then the decoder tied to the word embeddings with lm_head.bias.
inline const MaskedLmSpec kLmHead{{"lm_head.dense", "lm_head.layer_norm", "lm_head.decoder", "lm_head.bias"}, "gelu"};
}  // namespace roberta

using RobertaForSequenceClassification =
    ForSequenceClassificationOnFirstToken<RobertaModel, roberta::kClassificationHead>;
using RobertaForTokenClassification = ForTokenClassification<RobertaModel>;
using RobertaForQuestionAnswering = ForQuestionAnswering<RobertaModel>;
using RobertaForMaskedLM = ForMaskedLM<RobertaModel, roberta::kLmHead>;

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
