// The task table and pipeline(): the model's path is resolved once, here, and the folder passed on.
#include "transformers/pipelines/pipeline.hpp"

#include <future>

#include "transformers/core/logging.hpp"
#include "transformers/models/auto.hpp"

namespace transformers {
namespace {

LoadOptions load_options_of(const PipelineOptions& options) {
  LoadOptions load_options;
  load_options.device = options.device;
  load_options.dtype = options.dtype;
  load_options.adapters = options.adapters;
  return load_options;
}

// The tokenizer is built on its own thread while the weights load: a big vocabulary is serial work,
// the weights mostly wait on memory.
std::future<PreTrainedTokenizerFast> tokenizer_in_background(const std::string& folder) {
  return std::async(std::launch::async, [folder] { return AutoTokenizer::from_pretrained(folder); });
}

// The one place a pipeline's model and tokenizer are loaded: `AutoClass` is the task's Auto class.
template <typename AutoClass, typename TaskPipeline>
std::unique_ptr<Pipeline> load(const std::string& folder, const std::string& /*task*/, PipelineOptions options) {
  auto tokenizer = tokenizer_in_background(folder);
  std::unique_ptr<PreTrainedModel> model = AutoClass::from_pretrained(folder, load_options_of(options));
  return std::make_unique<TaskPipeline>(std::move(model), tokenizer.get(), std::move(options));
}

// text-generation also reads the model's generation config (generation_config.json, else config.json).
std::unique_ptr<Pipeline> load_text_generation(const std::string& folder, const std::string& /*task*/,
                                               PipelineOptions options) {
  auto tokenizer = tokenizer_in_background(folder);
  std::unique_ptr<PreTrainedModel> model = AutoModelForCausalLM::from_pretrained(folder, load_options_of(options));
  return std::make_unique<TextGenerationPipeline>(std::move(model), tokenizer.get(), std::move(options),
                                                  GenerationConfig::from_pretrained(folder));
}

// text2text-generation, summarization and translation: an encoder-decoder with its generation config.
// "translation" alone takes the first translation_xx_to_yy entry of the model's task_specific_params,
// as transformers 4.57's pipeline() does.
std::unique_ptr<Pipeline> load_text2text(const std::string& folder, const std::string& task, PipelineOptions options) {
  auto tokenizer = tokenizer_in_background(folder);
  std::unique_ptr<PreTrainedModel> model = AutoModelForSeq2SeqLM::from_pretrained(folder, load_options_of(options));
  std::string resolved = task;
  const nlohmann::json& params = model->config().raw.value("task_specific_params", nlohmann::json());
  if (task == "translation" && params.is_object())
    for (const auto& [key, value] : params.items())
      if (key.rfind("translation", 0) == 0) {
        warn_once("\"translation\" task was used, instead of \"translation_XX_to_YY\", defaulting to \"" + key + "\"");
        resolved = key;
        break;
      }
  return std::make_unique<Text2TextGenerationPipeline>(resolved, std::move(model), tokenizer.get(), std::move(options),
                                                       GenerationConfig::from_pretrained(folder));
}

// translation_XX_to_YY (two language codes).
bool is_translation_pair(const std::string& task) {
  const std::string head = "translation_";
  if (task.rfind(head, 0) != 0) return false;
  const std::string rest = task.substr(head.size());
  const size_t to = rest.find("_to_");
  return to != std::string::npos && to > 0 && to + 4 < rest.size() && rest.find('_', to + 4) == std::string::npos &&
         rest.substr(0, to).find('_') == std::string::npos;
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
      // transformers 5 removed these three tasks; the defaults are transformers 4's
      {"text2text-generation", "", "google-t5/t5-base", "a9723ea", load_text2text},
      {"summarization", "", "sshleifer/distilbart-cnn-12-6", "a4f8f3e", load_text2text},
      {"translation", "", "google-t5/t5-base", "a9723ea", load_text2text},
  };
  return tasks;
}

const PipelineTask& find_task(const std::string& task) {
  std::string known;
  for (const PipelineTask& entry : supported_tasks()) {
    if (task == entry.task || (!entry.alias.empty() && task == entry.alias)) return entry;
    if (entry.task == "translation" && is_translation_pair(task)) return entry;
    known += (known.empty() ? "" : ", ") + entry.task + (entry.alias.empty() ? "" : " (alias " + entry.alias + ")") +
             (entry.task == "translation" ? ", translation_XX_to_YY" : "");
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
  std::string source = hub::resolve_model_source(model.empty() ? entry.model : model, hub_options);
  // A PEFT adapter folder: the tokenizer and the model come from the base it names, the adapter goes on
  // top, as transformers' pipeline() does when PEFT is installed (unless the folder is a whole model too).
  source = peft::model_source_of(source, options.adapters, hub_options);
  return entry.load(source, task, std::move(options));
}

}  // namespace transformers
