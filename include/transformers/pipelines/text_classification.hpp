#pragma once
// pipeline("text-classification") / ("sentiment-analysis"), as transformers' text_classification.py.
// Inputs and outputs follow the Python pipeline's JSON shapes: a string gives [{"label", "score"}],
// a list one entry per string, a {"text", "text_pair"} object scores a pair; top_k (a number, or
// null for every label) gives ranked lists instead; function_to_apply is "default", "softmax",
// "sigmoid" or "none".
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/pipelines/base.hpp"

namespace transformers {

enum class ScoreFunction { Default, Softmax, Sigmoid, None };

struct LabelScore {
  std::string label;
  double score;
};

// The function transformers applies when the caller asks for "default": regression -> none;
// multi-label or a single label -> sigmoid; single-label or several labels -> softmax; else the
// config's function_to_apply, else none.
ScoreFunction default_score_function(const PretrainedConfig& config);

ScoreFunction parse_score_function(const std::string& name);

// Scores of one row of logits, every label, sorted by descending score (stable for ties, as
// Python's sort). top_k limits the list; nullopt keeps every label.
std::vector<LabelScore> score_labels(const std::vector<float>& logits, const PretrainedConfig& config,
                                     ScoreFunction function, std::optional<size_t> top_k);

class TextClassificationPipeline final : public Pipeline {
 public:
  TextClassificationPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                             PipelineOptions options);

  Items preprocess(const json& input, const json& kwargs) const override;
  json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                   const json& kwargs) const override;
  json join_results(const json& inputs, const json& kwargs, json results) const override;
};

}  // namespace transformers
