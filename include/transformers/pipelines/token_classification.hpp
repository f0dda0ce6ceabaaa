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

#include "transformers/pipelines/base.hpp"

namespace transformers {

enum class AggregationStrategy { None, Simple, First, Average, Max };

// "none", "simple", "first", "average" or "max", any case (as transformers' AggregationStrategy[name.upper()]).
AggregationStrategy parse_aggregation_strategy(const std::string& name);

class TokenClassificationPipeline final : public Pipeline {
 public:
  TokenClassificationPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                              PipelineOptions options);

  std::vector<json> split_inputs(const json& inputs, const json& kwargs) const override;
  // One encoding, or with `stride` one per window of the text.
  Items preprocess(const json& input, const json& kwargs) const override;
  json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                   const json& kwargs) const override;
};

}  // namespace transformers
