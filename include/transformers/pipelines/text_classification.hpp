#pragma once
// The text-classification pipeline's postprocessing, as transformers' text_classification.py does
// it: pick the scoring function from the config, score one row of logits, and rank the labels.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/pipelines/base.hpp"
#include "transformers/pipelines/model_inputs.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers {

enum class ScoreFunction { Default, Softmax, Sigmoid, None };

struct LabelScore {
  std::string label;
  double score;
};

// The function transformers applies when the caller asks for "default": regression -> none;
// multi-label or a single label -> sigmoid; single-label or several labels -> softmax; else the
// config's function_to_apply, else none.
inline ScoreFunction default_score_function(const PretrainedConfig& config) {
  const std::string problem = config.problem_type.value_or("");
  if (problem == "regression") return ScoreFunction::None;
  if (problem == "multi_label_classification" || config.num_labels() == 1) return ScoreFunction::Sigmoid;
  if (problem == "single_label_classification" || config.num_labels() > 1) return ScoreFunction::Softmax;
  const std::string fallback = config.get<std::string>("function_to_apply", "none");
  if (fallback == "softmax") return ScoreFunction::Softmax;
  if (fallback == "sigmoid") return ScoreFunction::Sigmoid;
  return ScoreFunction::None;
}

inline ScoreFunction parse_score_function(const std::string& name) {
  if (name == "default") return ScoreFunction::Default;
  if (name == "softmax") return ScoreFunction::Softmax;
  if (name == "sigmoid") return ScoreFunction::Sigmoid;
  if (name == "none") return ScoreFunction::None;
  throw InvalidArgument("function_to_apply must be default, softmax, sigmoid or none, not '" + name + "'");
}

// Scores of one row of logits, every label, sorted by descending score (stable for ties, as
// Python's sort). top_k limits the list; nullopt keeps every label.
inline std::vector<LabelScore> score_labels(const std::vector<float>& logits, const PretrainedConfig& config,
                                            ScoreFunction function, std::optional<size_t> top_k) {
  if (function == ScoreFunction::Default) function = default_score_function(config);
  // transformers computes these in numpy float32 from the f32 logits; double here differs only
  // below f32's precision.
  std::vector<double> scores(logits.begin(), logits.end());
  if (function == ScoreFunction::Sigmoid) {
    for (double& s : scores) s = 1.0 / (1.0 + std::exp(-s));
  } else if (function == ScoreFunction::Softmax && !scores.empty()) {
    const double max = *std::max_element(scores.begin(), scores.end());
    double total = 0.0;
    for (double& s : scores) total += (s = std::exp(s - max));
    for (double& s : scores) s /= total;
  }
  std::vector<LabelScore> ranked;
  for (size_t i = 0; i < scores.size(); ++i) {
    auto label = config.id2label.find(static_cast<int64_t>(i));
    ranked.push_back({label != config.id2label.end() ? label->second : "LABEL_" + std::to_string(i), scores[i]});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const LabelScore& a, const LabelScore& b) { return a.score > b.score; });
  if (top_k && *top_k < ranked.size()) ranked.resize(*top_k);
  return ranked;
}

// pipeline("text-classification") / ("sentiment-analysis"). Inputs and outputs follow the Python
// pipeline's JSON shapes: a string gives [{"label", "score"}], a list one entry per string, a
// {"text", "text_pair"} object scores a pair; top_k (a number, or null for every label) gives
// ranked lists instead; function_to_apply is "default", "softmax", "sigmoid" or "none".
class TextClassificationPipeline final : public Pipeline {
 public:
  TextClassificationPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                             PipelineOptions options)
      : Pipeline("text-classification", std::move(options)), model_(std::move(model)), tokenizer_(std::move(tokenizer)) {}

  nlohmann::json operator()(const nlohmann::json& inputs, const nlohmann::json& kwargs = nlohmann::json::object()) const override {
    const bool legacy = !kwargs.contains("top_k");
    std::optional<size_t> top_k = 1;
    if (!legacy) top_k = kwargs["top_k"].is_null() ? std::nullopt : std::optional<size_t>(kwargs["top_k"].get<size_t>());
    const ScoreFunction function = parse_score_function(kwargs.value("function_to_apply", std::string("default")));
    const TokenizeOptions tokenize = tokenize_options(kwargs);

    auto score_one = [&](const nlohmann::json& item, std::vector<float> logits) {
      (void)item;
      auto ranked = score_labels(logits, model_->config(), function, top_k);
      nlohmann::json list = nlohmann::json::array();
      for (const LabelScore& entry : ranked) list.push_back({{"label", entry.label}, {"score", entry.score}});
      return (legacy && list.size() == 1) ? list[0] : list;
    };
    if (inputs.is_string()) {
      nlohmann::json result = score_one(inputs, logits_for({inputs}, tokenize)[0]);
      return legacy ? nlohmann::json::array({result}) : result;
    }
    if (inputs.is_object()) return score_one(inputs, logits_for({inputs}, tokenize)[0]);
    if (!inputs.is_array()) throw InvalidArgument("text-classification: inputs must be a string, a list or {\"text\", \"text_pair\"}");
    std::vector<nlohmann::json> items(inputs.begin(), inputs.end());
    std::vector<std::vector<float>> logits;
    const size_t batch = batch_size(kwargs);
    for (size_t start = 0; start < items.size(); start += batch) {
      std::vector<nlohmann::json> chunk(items.begin() + start, items.begin() + std::min(items.size(), start + batch));
      for (auto& row : logits_for(chunk, tokenize)) logits.push_back(std::move(row));
    }
    nlohmann::json results = nlohmann::json::array();
    for (size_t i = 0; i < items.size(); ++i) results.push_back(score_one(items[i], logits[i]));
    return results;
  }

 private:
  // One forward pass over texts (or {"text", "text_pair"} objects), each tokenized as its own call (an
  // empty text_pair is no pair, as in Python) and padded together.
  std::vector<std::vector<float>> logits_for(const std::vector<nlohmann::json>& items, TokenizeOptions tokenize) const {
    std::vector<TextInput> inputs;
    for (const nlohmann::json& item : items) {
      if (item.is_string()) {
        inputs.push_back({item.get<std::string>(), std::nullopt});
      } else if (item.is_object() && item.contains("text")) {
        const nlohmann::json& pair = item.contains("text_pair") ? item["text_pair"] : nlohmann::json();
        inputs.push_back({item["text"].get<std::string>(),
                          pair.is_null() ? std::nullopt : std::optional<std::string>(pair.get<std::string>())});
      } else if (item.is_array() && item.size() == 1 && item[0].is_array() && item[0].size() == 2) {
        inputs.push_back({item[0][0].get<std::string>(), item[0][1].get<std::string>()});  // the legacy [[text, pair]]
      } else if (item.is_array()) {
        throw InvalidArgument("text-classification: the pipeline received invalid inputs; to send text pairs, send "
                              "{\"text\": \"My text\", \"text_pair\": \"My pair\"}");
      } else {
        throw InvalidArgument("text-classification: each input must be a string or {\"text\", \"text_pair\"}");
      }
    }
    if (items.size() > 1) tokenize.padding = PaddingStrategy::Longest;
    BatchEncoding batch = tokenizer_.encode_each(inputs, tokenize);
    Tensor logits = model_->forward(model_inputs(batch)).logits;
    const int64_t labels = logits.size(1);
    std::vector<float> flat = logits.to_vector<float>();
    std::vector<std::vector<float>> rows;
    for (size_t i = 0; i < items.size(); ++i)
      rows.emplace_back(flat.begin() + static_cast<int64_t>(i) * labels, flat.begin() + static_cast<int64_t>(i + 1) * labels);
    return rows;
  }

  std::unique_ptr<PreTrainedModel> model_;
  PreTrainedTokenizerFast tokenizer_;
};

}  // namespace transformers
