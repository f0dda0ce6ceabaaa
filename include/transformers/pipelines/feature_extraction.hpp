#pragma once
// pipeline("feature-extraction"): the base model's last hidden state per input, as nested lists
// [1][tokens][hidden] (a list input gives one such entry per string), like the Python pipeline.
#include <memory>

#include "transformers/pipelines/base.hpp"

namespace transformers {

class FeatureExtractionPipeline final : public Pipeline {
 public:
  FeatureExtractionPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                            PipelineOptions options);

  Items preprocess(const json& input, const json& kwargs) const override;
  json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                   const json& kwargs) const override;
};

}  // namespace transformers
