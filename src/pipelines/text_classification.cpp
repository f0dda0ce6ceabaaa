// The text-classification pipeline: each text (or pair) as its own tokenizer call, one row of
// logits each, scored and ranked as transformers' postprocess.
#include "transformers/pipelines/text_classification.hpp"

#include <algorithm>
#include <cmath>

namespace transformers {
namespace {

using nlohmann::json;

// transformers returns a lone result, not a list of one, when the caller gives no top_k.
bool legacy_form(const json& kwargs) { return !kwargs.contains("top_k"); }

// A text, a {"text", "text_pair"} object (an empty text_pair is no pair, as in Python) or the
// legacy [[text, pair]].
TextInput text_input(const json& item) {
  if (item.is_string()) return {item.get<std::string>(), std::nullopt};
  if (item.is_object() && item.contains("text")) {
    const json& pair = item.contains("text_pair") ? item["text_pair"] : json();
    return {item["text"].get<std::string>(),
            pair.is_null() ? std::nullopt : std::optional<std::string>(pair.get<std::string>())};
  }
  if (item.is_array() && item.size() == 1 && item[0].is_array() && item[0].size() == 2)
    return {item[0][0].get<std::string>(), item[0][1].get<std::string>()};
  if (item.is_array())
    throw InvalidArgument(
        "text-classification: the pipeline received invalid inputs; to send text pairs, send "
        "{\"text\": \"My text\", \"text_pair\": \"My pair\"}");
  throw InvalidArgument("text-classification: each input must be a string or {\"text\", \"text_pair\"}");
}

}  // namespace

ScoreFunction default_score_function(const PretrainedConfig& config) {
  const std::string problem = config.problem_type.value_or("");
  if (problem == "regression") return ScoreFunction::None;
  if (problem == "multi_label_classification" || config.num_labels() == 1) return ScoreFunction::Sigmoid;
  if (problem == "single_label_classification" || config.num_labels() > 1) return ScoreFunction::Softmax;
  const std::string fallback = config.get<std::string>("function_to_apply", "none");
  if (fallback == "softmax") return ScoreFunction::Softmax;
  if (fallback == "sigmoid") return ScoreFunction::Sigmoid;
  return ScoreFunction::None;
}

ScoreFunction parse_score_function(const std::string& name) {
  if (name == "default") return ScoreFunction::Default;
  if (name == "softmax") return ScoreFunction::Softmax;
  if (name == "sigmoid") return ScoreFunction::Sigmoid;
  if (name == "none") return ScoreFunction::None;
  throw InvalidArgument("function_to_apply must be default, softmax, sigmoid or none, not '" + name + "'");
}

std::vector<LabelScore> score_labels(const std::vector<float>& logits, const PretrainedConfig& config,
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
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const LabelScore& a, const LabelScore& b) { return a.score > b.score; });
  if (top_k && *top_k < ranked.size()) ranked.resize(*top_k);
  return ranked;
}

TextClassificationPipeline::TextClassificationPipeline(std::unique_ptr<PreTrainedModel> model,
                                                       PreTrainedTokenizerFast tokenizer, PipelineOptions options)
    : Pipeline("text-classification", std::move(model), std::move(tokenizer), std::move(options),
               {&ModelOutput::logits}) {}

std::vector<tokenizers::Encoding> TextClassificationPipeline::preprocess(const json& input, const json& kwargs) const {
  return tokenizer().encode_each({text_input(input)}, tokenize_options(kwargs)).encodings;
}

json TextClassificationPipeline::postprocess(const json&, const std::vector<tokenizers::Encoding>&,
                                             const std::vector<ItemOutput>& outputs, const json& kwargs) const {
  std::optional<size_t> top_k = 1;  // null: every label
  if (!legacy_form(kwargs))
    top_k = kwargs["top_k"].is_null() ? std::nullopt : std::optional<size_t>(kwargs["top_k"].get<size_t>());
  const ScoreFunction function = parse_score_function(kwargs.value("function_to_apply", std::string("default")));
  json list = json::array();
  for (const LabelScore& entry : score_labels(outputs.at(0).logits, model().config(), function, top_k))
    list.push_back({{"label", entry.label}, {"score", entry.score}});
  return (legacy_form(kwargs) && list.size() == 1) ? list[0] : list;
}

// As Python's __call__: a lone text in the legacy form gives a list of its one result.
json TextClassificationPipeline::join_results(const json& inputs, const json& kwargs, json results) const {
  return inputs.is_array() || (inputs.is_string() && legacy_form(kwargs)) ? results : results.at(0);
}

}  // namespace transformers
