// The task table and pipeline(): the model's path is resolved once, here, and the folder passed on.
#include "transformers/pipelines/pipeline.hpp"

#include <future>

#include "transformers/models/auto.hpp"

namespace transformers {
namespace {

LoadOptions load_options_of(const PipelineOptions& options) {
  LoadOptions load_options;
  load_options.device = options.device;
  load_options.dtype = options.dtype;
  return load_options;
}

// The tokenizer is built on its own thread while the weights load: a big vocabulary is serial work,
// the weights mostly wait on memory.
std::future<PreTrainedTokenizerFast> tokenizer_in_background(const std::string& folder) {
  return std::async(std::launch::async, [folder] { return AutoTokenizer::from_pretrained(folder); });
}

// The one place a pipeline's model and tokenizer are loaded: `AutoClass` is the task's Auto class.
template <typename AutoClass, typename TaskPipeline>
std::unique_ptr<Pipeline> load(const std::string& folder, PipelineOptions options) {
  auto tokenizer = tokenizer_in_background(folder);
  std::unique_ptr<PreTrainedModel> model = AutoClass::from_pretrained(folder, load_options_of(options));
  return std::make_unique<TaskPipeline>(std::move(model), tokenizer.get(), std::move(options));
}

// text-generation also reads the model's generation config (generation_config.json, else config.json).
std::unique_ptr<Pipeline> load_text_generation(const std::string& folder, PipelineOptions options) {
  auto tokenizer = tokenizer_in_background(folder);
  std::unique_ptr<PreTrainedModel> model = AutoModelForCausalLM::from_pretrained(folder, load_options_of(options));
  return std::make_unique<TextGenerationPipeline>(std::move(model), tokenizer.get(), std::move(options),
                                                  GenerationConfig::from_pretrained(folder));
}

}  // namespace

const std::vector<PipelineTask>& supported_tasks() {
  static const std::vector<PipelineTask> tasks{
      {"text-classification", "sentiment-analysis", "distilbert/distilbert-base-uncased-finetuned-sst-2-english",
       "714eb0f", load<AutoModelForSequenceClassification, TextClassificationPipeline>},
      {"feature-extraction", "", "distilbert/distilbert-base-cased", "6ea8117",
       load<AutoModel, FeatureExtractionPipeline>},
      {"token-classification", "ner", "dbmdz/bert-large-cased-finetuned-conll03-english", "4c53496",
       load<AutoModelForTokenClassification, TokenClassificationPipeline>},
      // transformers 5 removed this task; the default is transformers 4's
      {"question-answering", "", "distilbert/distilbert-base-cased-distilled-squad", "564e9b5",
       load<AutoModelForQuestionAnswering, QuestionAnsweringPipeline>},
      {"fill-mask", "", "distilbert/distilroberta-base", "fb53ab8", load<AutoModelForMaskedLM, FillMaskPipeline>},
      {"zero-shot-classification", "", "facebook/bart-large-mnli", "d7645e1",
       load<AutoModelForSequenceClassification, ZeroShotClassificationPipeline>},
      {"text-generation", "", "HuggingFaceTB/SmolLM3-3B", "a07cc9a", load_text_generation},
  };
  return tasks;
}

const PipelineTask& find_task(const std::string& task) {
  std::string known;
  for (const PipelineTask& entry : supported_tasks()) {
    if (task == entry.task || (!entry.alias.empty() && task == entry.alias)) return entry;
    known += (known.empty() ? "" : ", ") + entry.task + (entry.alias.empty() ? "" : " (alias " + entry.alias + ")");
  }
  throw InvalidArgument("unknown task '" + task + "'; available tasks: " + known);
}

std::unique_ptr<Pipeline> pipeline(const std::string& task, const std::string& model, PipelineOptions options) {
  const PipelineTask& entry = find_task(task);
  hub::HubOptions hub_options;
  if (!options.revision.empty())
    hub_options.revision = options.revision;
  else if (model.empty())
    hub_options.revision = entry.revision;
  if (!options.gguf_file.empty()) hub_options.gguf_file = options.gguf_file;
  // A folder, or the GGUF file that a .gguf path or gguf_file names: every loader reads both.
  return entry.load(hub::resolve_model_source(model.empty() ? entry.model : model, hub_options), std::move(options));
}

}  // namespace transformers
