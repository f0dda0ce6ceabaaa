#pragma once
// The Auto classes: one table maps (model_type, task) to the C++ class that implements it, the
// way transformers' modeling_auto.py maps config classes to model classes. Adding an architecture
// is its header (models/<arch>.hpp, whose base model says its base_model_prefix and tiny_config)
// plus one line in model_registry() per task it supports.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transformers/hub/hub.hpp"
#include "transformers/io/gguf_checkpoint.hpp"
#include "transformers/models/albert.hpp"
#include "transformers/models/bart.hpp"
#include "transformers/models/bert.hpp"
#include "transformers/models/deberta_v2.hpp"
#include "transformers/models/distilbert.hpp"
#include "transformers/models/electra.hpp"
#include "transformers/models/gemma.hpp"
#include "transformers/models/gemma2.hpp"
#include "transformers/models/gemma3.hpp"
#include "transformers/models/gpt2.hpp"
#include "transformers/models/gpt_neox.hpp"
#include "transformers/models/llama.hpp"
#include "transformers/models/marian.hpp"
#include "transformers/models/mistral.hpp"
#include "transformers/models/mixtral.hpp"
#include "transformers/models/mpnet.hpp"
#include "transformers/models/phi3.hpp"
#include "transformers/models/qwen2.hpp"
#include "transformers/models/qwen3.hpp"
#include "transformers/models/qwen3_moe.hpp"
#include "transformers/models/roberta.hpp"
#include "transformers/models/t5.hpp"
#include "transformers/peft/adapter_folder.hpp"

namespace transformers {

// What an Auto class builds: AutoModel the base model, AutoModelFor<Task> a task head on it.
enum class Task {
  Base,
  SequenceClassification,
  TokenClassification,
  QuestionAnswering,
  MaskedLM,
  CausalLM,
  Seq2SeqLM
};

// "base", "sequence-classification", "token-classification", "question-answering", "masked-lm",
// "causal-lm", "seq2seq-lm".
inline std::string task_name(Task task) {
  switch (task) {
    case Task::Base: return "base";
    case Task::SequenceClassification: return "sequence-classification";
    case Task::TokenClassification: return "token-classification";
    case Task::QuestionAnswering: return "question-answering";
    case Task::MaskedLM: return "masked-lm";
    case Task::CausalLM: return "causal-lm";
    case Task::Seq2SeqLM: return "seq2seq-lm";
  }
  return "unknown task";
}

// How from_pretrained loads a model.
struct LoadOptions {
  hub::HubOptions hub;            // where the files come from: revision, cache_dir, token, offline...
  Device device = Device::cpu();  // where the weights go and the forward runs (inputs may stay on the CPU)
  std::optional<DType> dtype;     // what the model computes in: transformers' dtype, nullopt being "auto"
  // GGUF weights stored in Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 or Q2_K-Q6_K stay so and are multiplied
  // as stored on the CPU, their activations rounded to int8 blocks as llama.cpp does: a quarter to
  // an eighth of the bytes to read per token, logits close to (not equal to) transformers'. Off,
  // they are dequantized into `dtype` at load, as transformers does.
  bool keep_quantized = false;
  // Linear and embedding weights stored in floating point quantized at load, to be multiplied as
  // blocks on the CPU like kept-quantized GGUF weights: "int8" (Q8_0: a scale per group) or "int4"
  // (Q4_1: a scale and a minimum per group), in groups of `quantization_group_size` along a row (32,
  // the block formats' size); embedding tables take int8 either way. Empty: as stored.
  std::string quantization;
  int64_t quantization_group_size = 32;
  // PEFT adapters loaded on the model in this order, as load_adapter(path, name): the first becomes
  // the active one (after an adapter folder's own "default").
  std::vector<peft::NamedAdapter> adapters;
};

// The block dtype LoadOptions::quantization asks for (nullopt for none); throws InvalidArgument
// naming the field for an unknown name or group size.
inline std::optional<DType> quantization_block_dtype(const LoadOptions& options) {
  if (options.quantization.empty()) return std::nullopt;
  if (options.quantization != "int8" && options.quantization != "int4")
    throw InvalidArgument("LoadOptions::quantization: '" + options.quantization + "' is not int8 or int4");
  if (!options.device.is_cpu())
    throw InvalidArgument("LoadOptions::quantization: quantized weights are multiplied on the CPU only, not on " +
                          options.device.str());
  if (options.quantization_group_size != 32)
    throw InvalidArgument("LoadOptions::quantization_group_size: " + std::to_string(options.quantization_group_size) +
                          " is not supported (32, the size of the Q8_0 / Q4_1 blocks the CPU multiplies)");
  return options.quantization == "int8" ? DType::Q8_0 : DType::Q4_1;
}

struct ModelEntry {
  std::string model_type;  // config.json's model_type
  Task task;
  std::string class_name;           // transformers' class name
  std::string base_model_prefix;    // how head checkpoints prefix the base model's weights
  nlohmann::json (*tiny_config)();  // the family's smallest config (hidden 32, 2 layers), for tests and benchmarks
  std::unique_ptr<PreTrainedModel> (*build)(const PretrainedConfig&, const nn::Weights&);
};

// The registry line of the class Model: the rest comes from its base model's statics.
template <typename Model>
ModelEntry model_entry(std::string model_type, Task task, std::string class_name) {
  return {std::move(model_type),
          task,
          std::move(class_name),
          Model::base_model_prefix,
          &Model::tiny_config,
          [](const PretrainedConfig& config, const nn::Weights& weights) -> std::unique_ptr<PreTrainedModel> {
            return std::make_unique<Model>(config, weights);
          }};
}

inline const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> entries{
      model_entry<BertModel>("bert", Task::Base, "BertModel"),
      model_entry<BertForSequenceClassification>("bert", Task::SequenceClassification, "BertForSequenceClassification"),
      model_entry<BertForTokenClassification>("bert", Task::TokenClassification, "BertForTokenClassification"),
      model_entry<BertForQuestionAnswering>("bert", Task::QuestionAnswering, "BertForQuestionAnswering"),
      model_entry<BertForMaskedLM>("bert", Task::MaskedLM, "BertForMaskedLM"),
      model_entry<DistilBertModel>("distilbert", Task::Base, "DistilBertModel"),
      model_entry<DistilBertForSequenceClassification>("distilbert", Task::SequenceClassification,
                                                       "DistilBertForSequenceClassification"),
      model_entry<DistilBertForTokenClassification>("distilbert", Task::TokenClassification,
                                                    "DistilBertForTokenClassification"),
      model_entry<DistilBertForQuestionAnswering>("distilbert", Task::QuestionAnswering,
                                                  "DistilBertForQuestionAnswering"),
      model_entry<DistilBertForMaskedLM>("distilbert", Task::MaskedLM, "DistilBertForMaskedLM"),
      model_entry<RobertaModel>("roberta", Task::Base, "RobertaModel"),
      model_entry<RobertaForSequenceClassification>("roberta", Task::SequenceClassification,
                                                    "RobertaForSequenceClassification"),
      model_entry<RobertaForTokenClassification>("roberta", Task::TokenClassification, "RobertaForTokenClassification"),
      model_entry<RobertaForQuestionAnswering>("roberta", Task::QuestionAnswering, "RobertaForQuestionAnswering"),
      model_entry<RobertaForMaskedLM>("roberta", Task::MaskedLM, "RobertaForMaskedLM"),
      model_entry<XLMRobertaModel>("xlm-roberta", Task::Base, "XLMRobertaModel"),
      model_entry<XLMRobertaForSequenceClassification>("xlm-roberta", Task::SequenceClassification,
                                                       "XLMRobertaForSequenceClassification"),
      model_entry<XLMRobertaForTokenClassification>("xlm-roberta", Task::TokenClassification,
                                                    "XLMRobertaForTokenClassification"),
      model_entry<XLMRobertaForQuestionAnswering>("xlm-roberta", Task::QuestionAnswering,
                                                  "XLMRobertaForQuestionAnswering"),
      model_entry<XLMRobertaForMaskedLM>("xlm-roberta", Task::MaskedLM, "XLMRobertaForMaskedLM"),
      model_entry<CamembertModel>("camembert", Task::Base, "CamembertModel"),
      model_entry<CamembertForSequenceClassification>("camembert", Task::SequenceClassification,
                                                      "CamembertForSequenceClassification"),
      model_entry<CamembertForTokenClassification>("camembert", Task::TokenClassification,
                                                   "CamembertForTokenClassification"),
      model_entry<CamembertForQuestionAnswering>("camembert", Task::QuestionAnswering, "CamembertForQuestionAnswering"),
      model_entry<CamembertForMaskedLM>("camembert", Task::MaskedLM, "CamembertForMaskedLM"),
      model_entry<ElectraModel>("electra", Task::Base, "ElectraModel"),
      model_entry<ElectraForSequenceClassification>("electra", Task::SequenceClassification,
                                                    "ElectraForSequenceClassification"),
      model_entry<ElectraForTokenClassification>("electra", Task::TokenClassification, "ElectraForTokenClassification"),
      model_entry<ElectraForQuestionAnswering>("electra", Task::QuestionAnswering, "ElectraForQuestionAnswering"),
      model_entry<ElectraForMaskedLM>("electra", Task::MaskedLM, "ElectraForMaskedLM"),
      model_entry<AlbertModel>("albert", Task::Base, "AlbertModel"),
      model_entry<AlbertForSequenceClassification>("albert", Task::SequenceClassification,
                                                   "AlbertForSequenceClassification"),
      model_entry<AlbertForTokenClassification>("albert", Task::TokenClassification, "AlbertForTokenClassification"),
      model_entry<AlbertForQuestionAnswering>("albert", Task::QuestionAnswering, "AlbertForQuestionAnswering"),
      model_entry<AlbertForMaskedLM>("albert", Task::MaskedLM, "AlbertForMaskedLM"),
      model_entry<MPNetModel>("mpnet", Task::Base, "MPNetModel"),
      model_entry<MPNetForSequenceClassification>("mpnet", Task::SequenceClassification,
                                                  "MPNetForSequenceClassification"),
      model_entry<MPNetForTokenClassification>("mpnet", Task::TokenClassification, "MPNetForTokenClassification"),
      model_entry<MPNetForQuestionAnswering>("mpnet", Task::QuestionAnswering, "MPNetForQuestionAnswering"),
      model_entry<MPNetForMaskedLM>("mpnet", Task::MaskedLM, "MPNetForMaskedLM"),
      model_entry<DebertaV2Model>("deberta-v2", Task::Base, "DebertaV2Model"),
      model_entry<DebertaV2ForSequenceClassification>("deberta-v2", Task::SequenceClassification,
                                                      "DebertaV2ForSequenceClassification"),
      model_entry<DebertaV2ForTokenClassification>("deberta-v2", Task::TokenClassification,
                                                   "DebertaV2ForTokenClassification"),
      model_entry<DebertaV2ForQuestionAnswering>("deberta-v2", Task::QuestionAnswering,
                                                 "DebertaV2ForQuestionAnswering"),
      model_entry<DebertaV2ForMaskedLM>("deberta-v2", Task::MaskedLM, "DebertaV2ForMaskedLM"),
      // Decoder-only models (models/decoder_model.hpp).
      model_entry<GPT2Model>("gpt2", Task::Base, "GPT2Model"),
      model_entry<GPT2LMHeadModel>("gpt2", Task::CausalLM, "GPT2LMHeadModel"),
      model_entry<GPTNeoXModel>("gpt_neox", Task::Base, "GPTNeoXModel"),
      model_entry<GPTNeoXForCausalLM>("gpt_neox", Task::CausalLM, "GPTNeoXForCausalLM"),
      model_entry<LlamaModel>("llama", Task::Base, "LlamaModel"),
      model_entry<LlamaForCausalLM>("llama", Task::CausalLM, "LlamaForCausalLM"),
      model_entry<MistralModel>("mistral", Task::Base, "MistralModel"),
      model_entry<MistralForCausalLM>("mistral", Task::CausalLM, "MistralForCausalLM"),
      model_entry<Qwen2Model>("qwen2", Task::Base, "Qwen2Model"),
      model_entry<Qwen2ForCausalLM>("qwen2", Task::CausalLM, "Qwen2ForCausalLM"),
      model_entry<Qwen3Model>("qwen3", Task::Base, "Qwen3Model"),
      model_entry<Qwen3ForCausalLM>("qwen3", Task::CausalLM, "Qwen3ForCausalLM"),
      model_entry<Phi3Model>("phi3", Task::Base, "Phi3Model"),
      model_entry<Phi3ForCausalLM>("phi3", Task::CausalLM, "Phi3ForCausalLM"),
      model_entry<GemmaModel>("gemma", Task::Base, "GemmaModel"),
      model_entry<GemmaForCausalLM>("gemma", Task::CausalLM, "GemmaForCausalLM"),
      model_entry<Gemma2Model>("gemma2", Task::Base, "Gemma2Model"),
      model_entry<Gemma2ForCausalLM>("gemma2", Task::CausalLM, "Gemma2ForCausalLM"),
      model_entry<Gemma3TextModel>("gemma3_text", Task::Base, "Gemma3TextModel"),
      model_entry<Gemma3ForCausalLM>("gemma3_text", Task::CausalLM, "Gemma3ForCausalLM"),
      model_entry<MixtralModel>("mixtral", Task::Base, "MixtralModel"),
      model_entry<MixtralForCausalLM>("mixtral", Task::CausalLM, "MixtralForCausalLM"),
      model_entry<Qwen3MoeModel>("qwen3_moe", Task::Base, "Qwen3MoeModel"),
      model_entry<Qwen3MoeForCausalLM>("qwen3_moe", Task::CausalLM, "Qwen3MoeForCausalLM"),
      // Encoder-decoders (models/encoder_decoder_model.hpp).
      model_entry<T5Model>("t5", Task::Base, "T5Model"),
      model_entry<T5ForConditionalGeneration>("t5", Task::Seq2SeqLM, "T5ForConditionalGeneration"),
      model_entry<T5Model>("mt5", Task::Base, "MT5Model"),
      model_entry<T5ForConditionalGeneration>("mt5", Task::Seq2SeqLM, "MT5ForConditionalGeneration"),
      model_entry<BartModel>("bart", Task::Base, "BartModel"),
      model_entry<BartForConditionalGeneration>("bart", Task::Seq2SeqLM, "BartForConditionalGeneration"),
      model_entry<MarianModel>("marian", Task::Base, "MarianModel"),
      model_entry<MarianMTModel>("marian", Task::Seq2SeqLM, "MarianMTModel"),
  };
  return entries;
}

// The entry for config's model_type and `task`; throws listing what is supported otherwise.
inline const ModelEntry& find_model_entry(const PretrainedConfig& config, Task task) {
  std::string supported;
  for (const ModelEntry& entry : model_registry()) {
    if (entry.model_type == config.model_type && entry.task == task) return entry;
    if (entry.task == task)
      supported += (supported.empty() ? "" : ", ") + entry.model_type + " (" + entry.class_name + ")";
  }
  throw InvalidArgument(config.source + ": model_type '" + config.model_type + "' has no " + task_name(task) +
                        " model in transformers.cpp; supported: " + supported);
}

// The dtype a model loads in, as transformers 5's from_pretrained(dtype=...): the one asked for, or
// for "auto" (nullopt) config.json's dtype / torch_dtype when it names a floating dtype, else the
// dtype the checkpoint stores its weights in.
inline std::optional<DType> model_dtype(const PretrainedConfig& config, std::optional<DType> requested) {
  if (requested) return requested;
  if (config.torch_dtype &&
      (*config.torch_dtype == DType::F32 || *config.torch_dtype == DType::BF16 || *config.torch_dtype == DType::F16))
    return config.torch_dtype;
  return std::nullopt;  // nn::Weights takes the checkpoint's
}

// The registered tiny config of `model_type` (hidden 32, 2 layers, 3 labels): what tests and
// benchmarks build models from with random weights.
inline PretrainedConfig tiny_config(const std::string& model_type) {
  for (const ModelEntry& entry : model_registry()) {
    if (entry.model_type != model_type) continue;
    nlohmann::json json = entry.tiny_config();
    json["model_type"] = model_type;
    return PretrainedConfig::from_json(json, "tiny " + model_type + " config");
  }
  throw InvalidArgument("model_type '" + model_type + "' has no line in transformers.cpp's model_registry()");
}

// entry's model on `weights`, with the index of its linear layers that adapters attach through.
inline std::unique_ptr<PreTrainedModel> build_model(const ModelEntry& entry, const PretrainedConfig& config,
                                                    const nn::Weights& weights) {
  std::unique_ptr<PreTrainedModel> model = entry.build(config, weights);
  model->set_adapter_index(weights.adapter_index());
  return model;
}

// A model for `task` from a folder (config.json + safetensors weights), a Hub id found in the
// Hugging Face cache ("org/name"), a .gguf file, or a folder / Hub id with options.hub.gguf_file, as
// options say (Hub options, device, dtype: nullopt for "auto",
// see model_dtype). A PEFT adapter folder (adapter_config.json) loads its base model
// (peft::base_model_of) and the adapter on it, active under the name "default", as transformers does
// when PEFT is installed.
inline std::unique_ptr<PreTrainedModel> auto_model_from_pretrained(const std::string& path_or_id, Task task,
                                                                   const LoadOptions& options = {}) {
  const auto with_adapters = [&](std::unique_ptr<PreTrainedModel> model) {
    for (const peft::NamedAdapter& adapter : options.adapters) model->load_adapter(adapter.path, adapter.name);
    return model;
  };
  if (const std::optional<std::string> gguf_path = hub::resolve_gguf_file(path_or_id, options.hub)) {
    // As transformers: the config and the weights from the GGUF file, dequantized into the model's
    // dtype, float32 unless asked otherwise (transformers' "auto" finds the float32 tensors it made).
    std::shared_ptr<const gguf::File> file = gguf::File::open(*gguf_path);
    const nlohmann::json config_json = gguf::hf_config(*file);
    const PretrainedConfig config = PretrainedConfig::from_json(config_json, *gguf_path);
    const ModelEntry& entry = find_model_entry(config, task);
    nn::Weights weights(gguf::hf_tensors(file, config_json), entry.base_model_prefix);
    weights.on(options.device)
        .with_dtype(options.dtype.value_or(DType::F32))
        .keep_quantized(options.keep_quantized)
        .quantize_matrices(quantization_block_dtype(options));
    return with_adapters(build_model(entry, config, weights));
  }
  const std::string folder = hub::resolve_model_path(path_or_id, options.hub);
  if (peft::is_adapter_folder(folder)) {
    LoadOptions base_options = options;
    base_options.hub.revision = {};  // the revision named the adapter's repository
    base_options.adapters = {{"default", folder}};
    return with_adapters(auto_model_from_pretrained(peft::base_model_of(folder), task, base_options));
  }
  PretrainedConfig config = PretrainedConfig::from_pretrained(folder);
  const ModelEntry& entry = find_model_entry(config, task);
  nn::Weights weights(open_weights(folder), entry.base_model_prefix);
  weights.on(options.device)
      .with_dtype(model_dtype(config, options.dtype))
      .quantize_matrices(quantization_block_dtype(options));
  return with_adapters(build_model(entry, config, weights));
}

// A model for `task` with random weights drawn from `seed`, as transformers' from_config (tests,
// benchmarks), placed on `device`.
inline std::unique_ptr<PreTrainedModel> auto_model_from_config(const PretrainedConfig& config, Task task,
                                                               uint64_t seed = 0, Device device = Device::cpu()) {
  const ModelEntry& entry = find_model_entry(config, task);
  nn::Weights weights = nn::Weights::random(entry.base_model_prefix, seed);
  return build_model(entry, config, weights.on(device));
}

// transformers' AutoConfig: the config of a folder, Hub id or GGUF file (options.gguf_file too).
struct AutoConfig {
  static PretrainedConfig from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {}) {
    return PretrainedConfig::from_pretrained(hub::resolve_model_source(path_or_id, options));
  }
};

// transformers' AutoModel / AutoModelFor<Task> classes.
template <Task task>
struct AutoModelFor {
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& path_or_id, const LoadOptions& options) {
    return auto_model_from_pretrained(path_or_id, task, options);
  }
  // The Hub options and device alone; the dtype is "auto".
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& path_or_id,
                                                          const hub::HubOptions& hub = {},
                                                          Device device = Device::cpu()) {
    LoadOptions options;
    options.hub = hub;
    options.device = device;
    return auto_model_from_pretrained(path_or_id, task, options);
  }
  static std::unique_ptr<PreTrainedModel> from_config(const PretrainedConfig& config, uint64_t seed = 0,
                                                      Device device = Device::cpu()) {
    return auto_model_from_config(config, task, seed, device);
  }
};

using AutoModel = AutoModelFor<Task::Base>;
using AutoModelForSequenceClassification = AutoModelFor<Task::SequenceClassification>;
using AutoModelForTokenClassification = AutoModelFor<Task::TokenClassification>;
using AutoModelForQuestionAnswering = AutoModelFor<Task::QuestionAnswering>;
using AutoModelForMaskedLM = AutoModelFor<Task::MaskedLM>;
using AutoModelForCausalLM = AutoModelFor<Task::CausalLM>;
using AutoModelForSeq2SeqLM = AutoModelFor<Task::Seq2SeqLM>;

}  // namespace transformers
