// The feature-extraction pipeline: one encoding per text, its hidden states without padding (so a
// batched text gets what it gets alone, as the Python pipeline's unbatched results).
#include "transformers/pipelines/feature_extraction.hpp"

#include <algorithm>

namespace transformers {

using nlohmann::json;

FeatureExtractionPipeline::FeatureExtractionPipeline(std::unique_ptr<PreTrainedModel> model,
                                                     PreTrainedTokenizerFast tokenizer, PipelineOptions options)
    : Pipeline("feature-extraction", std::move(model), std::move(tokenizer), std::move(options),
               {&ModelOutput::last_hidden_state}) {}

std::vector<tokenizers::Encoding> FeatureExtractionPipeline::preprocess(const json& input, const json& kwargs) const {
  if (!input.is_string()) throw InvalidArgument("feature-extraction: inputs must be a string or a list of strings");
  return tokenizer()({input.get<std::string>()}, tokenize_options(kwargs)).encodings;
}

json FeatureExtractionPipeline::postprocess(const json&, const std::vector<tokenizers::Encoding>&,
                                            const std::vector<ItemOutput>& outputs, const json&) const {
  const ItemOutput& output = outputs.at(0);
  const std::vector<float> values = output.unpadded(output.last_hidden_state);
  const size_t width = values.size() / std::max<size_t>(output.tokens, 1);
  json rows = json::array();
  for (size_t t = 0; t < output.tokens; ++t)
    rows.push_back(std::vector<float>(values.begin() + static_cast<int64_t>(t * width),
                                      values.begin() + static_cast<int64_t>((t + 1) * width)));
  return json::array({rows});
}

}  // namespace transformers
