#pragma once
// The text-classification pipeline's postprocessing, as transformers' text_classification.py does
// it: pick the scoring function from the config, score one row of logits, and rank the labels.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"

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

}  // namespace transformers
