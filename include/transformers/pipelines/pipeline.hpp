#pragma once
// pipeline(task, model): transformers' task names and aliases, the default model of each task
// (looked up in the Hugging Face cache when no model is given), and the pipeline classes.
#include <memory>
#include <string>
#include <vector>

#include "transformers/pipelines/feature_extraction.hpp"
#include "transformers/pipelines/fill_mask.hpp"
#include "transformers/pipelines/question_answering.hpp"
#include "transformers/pipelines/text_classification.hpp"
#include "transformers/pipelines/token_classification.hpp"
#include "transformers/pipelines/zero_shot_classification.hpp"

namespace transformers {

struct TaskDefaults {
  std::string task, alias, model, revision;
};

// The tasks built so far, with transformers' default model and revision for each.
inline const std::vector<TaskDefaults>& supported_tasks() {
  static const std::vector<TaskDefaults> tasks{
      {"text-classification", "sentiment-analysis", "distilbert/distilbert-base-uncased-finetuned-sst-2-english", "714eb0f"},
      {"feature-extraction", "", "distilbert/distilbert-base-cased", "6ea8117"},
      {"token-classification", "ner", "dbmdz/bert-large-cased-finetuned-conll03-english", "4c53496"},
      // transformers 5 removed this task; the default is transformers 4's
      {"question-answering", "", "distilbert/distilbert-base-cased-distilled-squad", "564e9b5"},
      {"fill-mask", "", "distilbert/distilroberta-base", "fb53ab8"},
      {"zero-shot-classification", "", "facebook/bart-large-mnli", "d7645e1"},
  };
  return tasks;
}

inline const TaskDefaults& find_task(const std::string& task) {
  std::string known;
  for (const TaskDefaults& entry : supported_tasks()) {
    if (task == entry.task || (!entry.alias.empty() && task == entry.alias)) return entry;
    known += (known.empty() ? "" : ", ") + entry.task + (entry.alias.empty() ? "" : " (alias " + entry.alias + ")");
  }
  throw InvalidArgument("unknown task '" + task + "'; available tasks: " + known);
}

// `model`: a folder or a Hub id; empty means the task's default model at its default revision.
inline std::unique_ptr<Pipeline> pipeline(const std::string& task, const std::string& model = "",
                                          PipelineOptions options = {}) {
  const TaskDefaults& defaults = find_task(task);
  hub::HubOptions hub_options;
  const bool use_default = model.empty();
  if (!options.revision.empty()) hub_options.revision = options.revision;
  else if (use_default) hub_options.revision = defaults.revision;
  const std::string folder = hub::resolve_model_path(use_default ? defaults.model : model, hub_options);
  PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained(folder);
  if (defaults.task == "text-classification")
    return std::make_unique<TextClassificationPipeline>(AutoModelForSequenceClassification::from_pretrained(folder, {}, options.device),
                                                        std::move(tokenizer), std::move(options));
  if (defaults.task == "token-classification")
    return std::make_unique<TokenClassificationPipeline>(AutoModelForTokenClassification::from_pretrained(folder, {}, options.device),
                                                         std::move(tokenizer), std::move(options));
  if (defaults.task == "question-answering")
    return std::make_unique<QuestionAnsweringPipeline>(AutoModelForQuestionAnswering::from_pretrained(folder, {}, options.device),
                                                       std::move(tokenizer), std::move(options));
  if (defaults.task == "fill-mask")
    return std::make_unique<FillMaskPipeline>(AutoModelForMaskedLM::from_pretrained(folder, {}, options.device), std::move(tokenizer),
                                              std::move(options));
  if (defaults.task == "zero-shot-classification")
    return std::make_unique<ZeroShotClassificationPipeline>(AutoModelForSequenceClassification::from_pretrained(folder, {}, options.device),
                                                            std::move(tokenizer), std::move(options));
  return std::make_unique<FeatureExtractionPipeline>(AutoModel::from_pretrained(folder, {}, options.device), std::move(tokenizer),
                                                     std::move(options));
}

}  // namespace transformers
