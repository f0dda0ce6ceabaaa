#pragma once
// pipeline("feature-extraction"): the base model's last hidden state per input, as nested lists
// [1][tokens][hidden] (a list input gives one such entry per string), like the Python pipeline.
#include <memory>
#include <string>
#include <vector>

#include "transformers/models/auto.hpp"
#include "transformers/pipelines/base.hpp"
#include "transformers/pipelines/model_inputs.hpp"

namespace transformers {

class FeatureExtractionPipeline final : public Pipeline {
 public:
  FeatureExtractionPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer, PipelineOptions options)
      : Pipeline("feature-extraction", std::move(options)), model_(std::move(model)), tokenizer_(std::move(tokenizer)) {}

  nlohmann::json operator()(const nlohmann::json& inputs, const nlohmann::json& kwargs = nlohmann::json::object()) const override {
    if (inputs.is_string()) return features(inputs.get<std::string>(), kwargs);
    if (!inputs.is_array()) throw InvalidArgument("feature-extraction: inputs must be a string or a list of strings");
    nlohmann::json results = nlohmann::json::array();
    for (const nlohmann::json& item : inputs) results.push_back(features(item.get<std::string>(), kwargs));
    return results;
  }

 private:
  // Each text runs alone, so no padding reaches the outputs (as the Python pipeline's results).
  nlohmann::json features(const std::string& text, const nlohmann::json& kwargs) const {
    BatchEncoding batch = tokenizer_({text}, tokenize_options(kwargs));
    Tensor hidden = model_->forward(model_inputs(batch)).last_hidden_state;  // [1, tokens, hidden]
    const int64_t tokens = hidden.size(1), width = hidden.size(2);
    std::vector<float> values = hidden.to_vector<float>();
    nlohmann::json rows = nlohmann::json::array();
    for (int64_t t = 0; t < tokens; ++t)
      rows.push_back(std::vector<float>(values.begin() + t * width, values.begin() + (t + 1) * width));
    return nlohmann::json::array({rows});
  }

  std::unique_ptr<PreTrainedModel> model_;
  PreTrainedTokenizerFast tokenizer_;
};

}  // namespace transformers
