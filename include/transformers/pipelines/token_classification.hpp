#pragma once
// pipeline("token-classification") / ("ner"), as transformers' token_classification.py: a label per
// token (aggregation_strategy "none"), or entities grouped from B-/I- tags ("simple"), after the
// subwords of each word agree ("first", "average", "max"); ignore_labels (default ["O"]) drops
// entities; with `stride`, texts longer than the model's limit are read in overlapping windows. A
// string gives a list of entities, a list of strings one such list per string. With
// is_split_into_words=True the input is pre-tokenized: a list of words (or a list of such lists),
// each list joined by `delimiter` (default " ") into the text that start/end index; the result is
// then always one list of entities per word list, as Python's.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transformers/models/auto.hpp"
#include "transformers/pipelines/base.hpp"

namespace transformers {

enum class AggregationStrategy { None, Simple, First, Average, Max };

// "none", "simple", "first", "average" or "max", any case (as transformers' AggregationStrategy[name.upper()]).
AggregationStrategy parse_aggregation_strategy(const std::string& name);

class TokenClassificationPipeline final : public Pipeline {
 public:
  TokenClassificationPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                              PipelineOptions options);

  nlohmann::json operator()(const nlohmann::json& inputs, const nlohmann::json& kwargs = nlohmann::json::object()) const override;

 private:
  std::unique_ptr<PreTrainedModel> model_;
  PreTrainedTokenizerFast tokenizer_;
};

}  // namespace transformers
