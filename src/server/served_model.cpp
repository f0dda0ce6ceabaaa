// Loading the models the server holds (see served_model.hpp).
#include "served_model.hpp"

#include <filesystem>

#include <transformers/peft/adapter_folder.hpp>

namespace transformers::server {
namespace fs = std::filesystem;

std::string kind_name(ModelKind kind) {
  switch (kind) {
    case ModelKind::CausalLM: return "text-generation";
    case ModelKind::Embedding: return "embedding";
    case ModelKind::Classifier: return "classifier";
  }
  return "?";
}

const PreTrainedTokenizerFast& ServedModel::text_tokenizer() const {
  if (embedder) return embedder->tokenizer();
  if (classifier) return classifier->tokenizer();
  return *tokenizer;
}

std::string served_name(const ModelSpec& spec) {
  if (!spec.name.empty()) return spec.name;
  fs::path path(spec.path);
  if (!spec.gguf_file.empty()) path = spec.gguf_file;
  while (!path.empty() && path.filename().empty()) path = path.parent_path();  // "folder/"
  return fs::exists(path) ? path.filename().string() : spec.path;              // a Hub id keeps its owner
}

namespace {

bool is_classifier(const std::string& folder) {
  if (!fs::exists(fs::path(folder) / "config.json")) return false;
  for (const std::string& architecture : AutoConfig::from_pretrained(folder).architectures)
    if (architecture.ends_with("ForSequenceClassification")) return true;
  return false;
}

void load_causal_lm(ServedModel& served, std::string source, const ModelSpec& spec, const hub::HubOptions& hub) {
  LoadOptions load = spec.load;
  // An adapter folder: the tokenizer and generation config come from its base, the adapter goes on top.
  source = peft::model_source_of(source, load.adapters, hub);
  served.causal_lm = AutoModelForCausalLM::from_pretrained(source, load);
  served.tokenizer = AutoTokenizer::from_pretrained(source);
  served.generation = GenerationConfig::from_pretrained(source);
}

}  // namespace

std::unique_ptr<ServedModel> load_served_model(const ModelSpec& spec, size_t max_batch_rows) {
  auto served = std::make_unique<ServedModel>();
  served->name = served_name(spec);
  hub::HubOptions hub = spec.load.hub;
  if (!spec.gguf_file.empty()) hub.gguf_file = spec.gguf_file;
  const std::string source = hub::resolve_model_source(spec.path, hub);  // a folder or a .gguf file
  const bool folder = fs::is_directory(source);
  if (folder && fs::exists(fs::path(source) / "modules.json")) {
    served->kind = ModelKind::Embedding;
    if (!spec.load.adapters.empty() || spec.load.dtype || !spec.load.quantization.empty())
      throw InvalidArgument(served->name +
                            ": a sentence-transformers model is served as stored (no adapters, "
                            "dtype or quantization yet)");
    served->embedder = SentenceTransformer::from_pretrained(source, hub, spec.load.device);
  } else if (folder && is_classifier(source)) {
    served->kind = ModelKind::Classifier;
    if (spec.load.keep_quantized || !spec.load.quantization.empty())
      throw InvalidArgument(served->name + ": a classifier is served in its dtype (no quantization yet)");
    PipelineOptions options;
    options.device = spec.load.device;
    options.dtype = spec.load.dtype;
    options.adapters = spec.load.adapters;
    served->classifier = pipeline("text-classification", source, options);
  } else {
    served->kind = ModelKind::CausalLM;
    load_causal_lm(*served, source, spec, hub);
    if (max_batch_rows > 1 && generation_detail::SharedBatch::supports(*served->causal_lm))
      served->batch =
          std::make_unique<generation_detail::SharedBatch>(*served->causal_lm, static_cast<int64_t>(max_batch_rows));
  }
  return served;
}

}  // namespace transformers::server
