#pragma once
// pipeline("zero-shot-classification"), as transformers' zero_shot_classification.py: each candidate
// label becomes the NLI hypothesis hypothesis_template.format(label) (default "This example is
// {}."), the model's entailment logit (the label2id entry starting with "entail", else the last)
// scores it; softmax across labels, or with multi_label (or one label) entailment vs contradiction
// per label. Output {sequence, labels, scores}, best first; a list of sequences gives a list.
#include <memory>
#include <string>
#include <vector>

#include "transformers/pipelines/base.hpp"

namespace transformers {

// candidate_labels as transformers parses them: a list as is, a string split on commas (each
// label stripped, empty ones dropped).
std::vector<std::string> parse_candidate_labels(const nlohmann::json& labels);

class ZeroShotClassificationPipeline final : public Pipeline {
 public:
  ZeroShotClassificationPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                                 PipelineOptions options);

  // kwargs: candidate_labels (required), hypothesis_template, multi_label, batch_size.
  // One (sequence, hypothesis) encoding per candidate label.
  Items preprocess(const json& input, const json& kwargs) const override;
  json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                   const json& kwargs) const override;

  // The logit index that means "entailment": -1 (the last) when no label starts with "entail".
  int64_t entailment_id() const;
};

}  // namespace transformers
