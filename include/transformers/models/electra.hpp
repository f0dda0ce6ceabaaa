#pragma once
// ELECTRA (the discriminator and the generator's masked-LM head): BERT's encoder with
// embeddings of embedding_size projected to hidden_size, no pooler, a dense-gelu classification
// head on the first token, and the generator_predictions masked-LM head.
#include "transformers/models/bert.hpp"

namespace transformers {

class ElectraModel final : public bert::Encoder {
 public:
  static constexpr const char* base_model_prefix = "electra";
  // BERT's tiny config with smaller embeddings, so that embeddings_project runs.
  static nlohmann::json tiny_config() {
    nlohmann::json config = Encoder::tiny_config();
    config["embedding_size"] = 16;
    return config;
  }

  ElectraModel(const PretrainedConfig& config, const nn::Weights& w)
      : Encoder(config, w, {base_model_prefix, PositionIds::Absolute, nn::Part::Absent}) {}
};

namespace electra {
// ElectraClassificationHead: logits = out_proj(gelu(dense(h[:, 0]))) - gelu, not BERT's tanh, as
// the ELECTRA authors did.
inline const FirstTokenClassifierSpec kClassificationHead{"classifier.dense", "classifier.out_proj", "gelu"};
// The generator head: generator_predictions (dense hidden -> embedding_size, gelu, LayerNorm), then
// generator_lm_head tied to the word embeddings.
inline const MaskedLmSpec kGeneratorHead{
    {"generator_predictions.dense", "generator_predictions.LayerNorm", "generator_lm_head", "generator_lm_head.bias"},
    "gelu"};
}  // namespace electra

using ElectraForSequenceClassification =
    ForSequenceClassificationOnFirstToken<ElectraModel, electra::kClassificationHead>;
using ElectraForTokenClassification = ForTokenClassification<ElectraModel>;
using ElectraForQuestionAnswering = ForQuestionAnswering<ElectraModel>;
using ElectraForMaskedLM = ForMaskedLM<ElectraModel, electra::kGeneratorHead>;

}  // namespace transformers
