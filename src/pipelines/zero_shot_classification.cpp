// The zero-shot pipeline: one (sequence, hypothesis) pair per label through an NLI model.
#include "transformers/pipelines/zero_shot_classification.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "pipeline_support.hpp"

namespace transformers {
namespace {

std::string strip(const std::string& text) {
  const char* space = " \t\n\r\f\v";
  const size_t first = text.find_first_not_of(space);
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

// Python's template.format(label) for the templates that matter: the first "{}" replaced.
std::string hypothesis(const std::string& hypothesis_template, const std::string& label) {
  const size_t at = hypothesis_template.find("{}");
  if (at == std::string::npos)
    throw InvalidArgument("zero-shot-classification: the provided hypothesis_template \"" + hypothesis_template +
                          "\" was not able to be formatted with the target labels; it must include {} where the "
                          "label should go");
  return hypothesis_template.substr(0, at) + label + hypothesis_template.substr(at + 2);
}

std::vector<std::string> candidate_labels(const nlohmann::json& kwargs) {
  return kwargs.contains("candidate_labels") ? parse_candidate_labels(kwargs["candidate_labels"])
                                             : std::vector<std::string>{};
}

}  // namespace

std::vector<std::string> parse_candidate_labels(const nlohmann::json& labels) {
  if (labels.is_array()) return labels.get<std::vector<std::string>>();
  if (!labels.is_string())
    throw InvalidArgument("zero-shot-classification: candidate_labels must be a list or a string");
  std::vector<std::string> out;
  const std::string text = labels.get<std::string>();
  for (size_t begin = 0; begin <= text.size();) {
    size_t comma = text.find(',', begin);
    if (comma == std::string::npos) comma = text.size();
    std::string label = strip(text.substr(begin, comma - begin));
    if (!label.empty()) out.push_back(std::move(label));
    begin = comma + 1;
  }
  return out;
}

ZeroShotClassificationPipeline::ZeroShotClassificationPipeline(std::unique_ptr<PreTrainedModel> model,
                                                               PreTrainedTokenizerFast tokenizer,
                                                               PipelineOptions options)
    : Pipeline("zero-shot-classification", std::move(model), std::move(tokenizer), std::move(options),
               {&ModelOutput::logits}) {}

int64_t ZeroShotClassificationPipeline::entailment_id() const {
  for (const auto& [label, id] : model().config().label2id)
    if (pipelines::lower(label).rfind("entail", 0) == 0) return id;
  return -1;
}

std::vector<tokenizers::Encoding> ZeroShotClassificationPipeline::preprocess(const nlohmann::json& input,
                                                                             const nlohmann::json& kwargs) const {
  const std::vector<std::string> labels = candidate_labels(kwargs);
  if (!input.is_string()) throw InvalidArgument("zero-shot-classification: each sequence must be a string");
  const std::string sequence = input.get<std::string>();
  if (labels.empty() || sequence.empty())
    throw InvalidArgument("zero-shot-classification: you must include at least one label and at least one sequence");
  const std::string hypothesis_template = kwargs.value("hypothesis_template", std::string("This example is {}."));
  std::vector<std::string> hypotheses;
  for (const std::string& label : labels) hypotheses.push_back(hypothesis(hypothesis_template, label));

  // Each pair alone, the sequence truncated (only_first) so that the hypothesis stays whole; where
  // even that cannot fit, untruncated (transformers retries without truncation).
  tokenizers::Tokenizer truncating = tokenizer().backend(), whole = tokenizer().backend();
  truncating.set_padding(std::nullopt);
  whole.set_padding(std::nullopt);
  whole.set_truncation(std::nullopt);
  if (auto limit = tokenizer().model_max_length()) {
    tokenizers::TruncationParams truncation;
    truncation.max_length = *limit;
    truncation.strategy = tokenizers::TruncationStrategy::OnlyFirst;
    truncating.set_truncation(truncation);
  } else {
    truncating.set_truncation(std::nullopt);
  }
  std::vector<tokenizers::Encoding> pairs;
  for (const std::string& h : hypotheses) {
    try {
      pairs.push_back(truncating.encode(sequence, std::string_view(h)));
    } catch (const Error&) {
      pairs.push_back(whole.encode(sequence, std::string_view(h)));
    }
    pairs.back().overflowing.clear();
  }
  return pairs;
}

// Each label's score from the entailment logit of its pair, ranked.
nlohmann::json ZeroShotClassificationPipeline::postprocess(const nlohmann::json& input,
                                                           const std::vector<tokenizers::Encoding>&,
                                                           const std::vector<ItemOutput>& outputs,
                                                           const nlohmann::json& kwargs) const {
  const std::vector<std::string> labels = candidate_labels(kwargs);
  const bool multi_label = pipelines::bool_kwarg(kwargs, "multi_label", false);
  const int64_t classes = model().config().num_labels();
  auto column = [&](int64_t id) { return static_cast<size_t>(id < 0 ? classes + id : id); };
  const size_t entail = column(entailment_id()), contradiction = column(entailment_id() == 0 ? -1 : 0);
  std::vector<double> scores(labels.size());
  if (multi_label || labels.size() == 1) {
    for (size_t l = 0; l < labels.size(); ++l) {
      const std::vector<float>& row = outputs[l].logits;
      scores[l] = pipelines::softmax({row[contradiction], row[entail]})[1];
    }
  } else {
    for (size_t l = 0; l < labels.size(); ++l) scores[l] = outputs[l].logits[entail];
    scores = pipelines::softmax(scores);
  }
  // numpy's argsort (stable at these sizes) reversed: ties put the later label first
  std::vector<size_t> order(labels.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });
  std::reverse(order.begin(), order.end());
  nlohmann::json ranked_labels = nlohmann::json::array(), ranked_scores = nlohmann::json::array();
  for (size_t i : order) {
    ranked_labels.push_back(labels[i]);
    ranked_scores.push_back(scores[i]);
  }
  return {{"sequence", input}, {"labels", ranked_labels}, {"scores", ranked_scores}};
}

}  // namespace transformers
