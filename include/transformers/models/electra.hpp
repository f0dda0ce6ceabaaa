#pragma once
// ELECTRA (the discriminator and the generator's masked-LM head): BERT's encoder with
// embeddings of embedding_size projected to hidden_size, no pooler, a dense-gelu classification
// head on the first token, and the generator_predictions masked-LM head.
#include "transformers/models/bert.hpp"

namespace transformers {

namespace electra {
inline const bert::Layout kLayout{"electra", PositionIds::Absolute, nn::Part::Absent};
}  // namespace electra

class ElectraModel final : public PreTrainedModel {
 public:
  static constexpr const char* base_model_prefix = "electra";
  ElectraModel(const PretrainedConfig& config, const nn::Weights& w) : encoder_(config, w, electra::kLayout) {}
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    return encoder_.forward(in, output_hidden_states);
  }
  const PretrainedConfig& config() const override { return encoder_.config(); }

 private:
  bert::Encoder encoder_;
};

// logits = out_proj(gelu(dense(h[:, 0]))) - gelu, not BERT's tanh, as the ELECTRA authors did.
class ElectraForSequenceClassification final : public bert::FirstTokenClassifier {
 public:
  ElectraForSequenceClassification(const PretrainedConfig& c, const nn::Weights& w)
      : FirstTokenClassifier(c, w, electra::kLayout, "gelu") {}
};

class ElectraForTokenClassification final : public bert::TokenClassifier {
 public:
  ElectraForTokenClassification(const PretrainedConfig& c, const nn::Weights& w) : TokenClassifier(c, w, electra::kLayout) {}
};

class ElectraForQuestionAnswering final : public bert::QuestionAnswerer {
 public:
  ElectraForQuestionAnswering(const PretrainedConfig& c, const nn::Weights& w) : QuestionAnswerer(c, w, electra::kLayout) {}
};

// The generator head: dense (hidden -> embedding_size), gelu, LayerNorm, decoder tied to the
// word embeddings.
class ElectraForMaskedLM final : public bert::MaskedLanguageModel {
 public:
  ElectraForMaskedLM(const PretrainedConfig& c, const nn::Weights& w)
      : MaskedLanguageModel(c, w, electra::kLayout,
                            {"generator_predictions.dense", "generator_predictions.LayerNorm", "generator_lm_head",
                             "generator_lm_head.bias", "gelu"}) {}
};

}  // namespace transformers
