#pragma once
// The Auto classes: one table maps (model_type, task) to the C++ class that implements it, the
// way transformers' modeling_auto.py maps config classes to model classes.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "transformers/hub/hub.hpp"
#include "transformers/models/albert.hpp"
#include "transformers/models/bert.hpp"
#include "transformers/models/deberta_v2.hpp"
#include "transformers/models/distilbert.hpp"
#include "transformers/models/electra.hpp"
#include "transformers/models/mpnet.hpp"
#include "transformers/models/roberta.hpp"

namespace transformers {

// Tasks as transformers names its Auto classes: AutoModel ("base"),
// AutoModelForSequenceClassification ("sequence-classification"), ...ForTokenClassification
// ("token-classification"), ...ForQuestionAnswering ("question-answering"), ...ForMaskedLM
// ("masked-lm").
struct ModelEntry {
  std::string model_type;         // config.json's model_type
  std::string task;               // "base", "sequence-classification"
  std::string class_name;         // transformers' class name
  std::string base_model_prefix;  // how head checkpoints prefix the base model's weights
  std::function<std::unique_ptr<PreTrainedModel>(const PretrainedConfig&, const nn::Weights&)> build;
};

template <typename Model>
std::function<std::unique_ptr<PreTrainedModel>(const PretrainedConfig&, const nn::Weights&)> model_builder() {
  return [](const PretrainedConfig& config, const nn::Weights& weights) {
    return std::unique_ptr<PreTrainedModel>(new Model(config, weights));
  };
}

inline const std::vector<ModelEntry>& model_registry() {
  static const std::vector<ModelEntry> entries{
      {"bert", "base", "BertModel", "bert", model_builder<BertModel>()},
      {"bert", "sequence-classification", "BertForSequenceClassification", "bert", model_builder<BertForSequenceClassification>()},
      {"bert", "token-classification", "BertForTokenClassification", "bert", model_builder<BertForTokenClassification>()},
      {"bert", "question-answering", "BertForQuestionAnswering", "bert", model_builder<BertForQuestionAnswering>()},
      {"bert", "masked-lm", "BertForMaskedLM", "bert", model_builder<BertForMaskedLM>()},
      {"distilbert", "base", "DistilBertModel", "distilbert", model_builder<DistilBertModel>()},
      {"distilbert", "sequence-classification", "DistilBertForSequenceClassification", "distilbert", model_builder<DistilBertForSequenceClassification>()},
      {"distilbert", "token-classification", "DistilBertForTokenClassification", "distilbert", model_builder<DistilBertForTokenClassification>()},
      {"distilbert", "question-answering", "DistilBertForQuestionAnswering", "distilbert", model_builder<DistilBertForQuestionAnswering>()},
      {"distilbert", "masked-lm", "DistilBertForMaskedLM", "distilbert", model_builder<DistilBertForMaskedLM>()},
      {"roberta", "base", "RobertaModel", "roberta", model_builder<RobertaModel>()},
      {"roberta", "sequence-classification", "RobertaForSequenceClassification", "roberta", model_builder<RobertaForSequenceClassification>()},
      {"roberta", "token-classification", "RobertaForTokenClassification", "roberta", model_builder<RobertaForTokenClassification>()},
      {"roberta", "question-answering", "RobertaForQuestionAnswering", "roberta", model_builder<RobertaForQuestionAnswering>()},
      {"roberta", "masked-lm", "RobertaForMaskedLM", "roberta", model_builder<RobertaForMaskedLM>()},
      {"xlm-roberta", "base", "XLMRobertaModel", "roberta", model_builder<XLMRobertaModel>()},
      {"xlm-roberta", "sequence-classification", "XLMRobertaForSequenceClassification", "roberta", model_builder<XLMRobertaForSequenceClassification>()},
      {"xlm-roberta", "token-classification", "XLMRobertaForTokenClassification", "roberta", model_builder<XLMRobertaForTokenClassification>()},
      {"xlm-roberta", "question-answering", "XLMRobertaForQuestionAnswering", "roberta", model_builder<XLMRobertaForQuestionAnswering>()},
      {"xlm-roberta", "masked-lm", "XLMRobertaForMaskedLM", "roberta", model_builder<XLMRobertaForMaskedLM>()},
      {"camembert", "base", "CamembertModel", "roberta", model_builder<CamembertModel>()},
      {"camembert", "sequence-classification", "CamembertForSequenceClassification", "roberta", model_builder<CamembertForSequenceClassification>()},
      {"camembert", "token-classification", "CamembertForTokenClassification", "roberta", model_builder<CamembertForTokenClassification>()},
      {"camembert", "question-answering", "CamembertForQuestionAnswering", "roberta", model_builder<CamembertForQuestionAnswering>()},
      {"camembert", "masked-lm", "CamembertForMaskedLM", "roberta", model_builder<CamembertForMaskedLM>()},
      {"electra", "base", "ElectraModel", "electra", model_builder<ElectraModel>()},
      {"electra", "sequence-classification", "ElectraForSequenceClassification", "electra", model_builder<ElectraForSequenceClassification>()},
      {"electra", "token-classification", "ElectraForTokenClassification", "electra", model_builder<ElectraForTokenClassification>()},
      {"electra", "question-answering", "ElectraForQuestionAnswering", "electra", model_builder<ElectraForQuestionAnswering>()},
      {"electra", "masked-lm", "ElectraForMaskedLM", "electra", model_builder<ElectraForMaskedLM>()},
      {"albert", "base", "AlbertModel", "albert", model_builder<AlbertModel>()},
      {"albert", "sequence-classification", "AlbertForSequenceClassification", "albert", model_builder<AlbertForSequenceClassification>()},
      {"albert", "token-classification", "AlbertForTokenClassification", "albert", model_builder<AlbertForTokenClassification>()},
      {"albert", "question-answering", "AlbertForQuestionAnswering", "albert", model_builder<AlbertForQuestionAnswering>()},
      {"albert", "masked-lm", "AlbertForMaskedLM", "albert", model_builder<AlbertForMaskedLM>()},
      {"mpnet", "base", "MPNetModel", "mpnet", model_builder<MPNetModel>()},
      {"mpnet", "sequence-classification", "MPNetForSequenceClassification", "mpnet", model_builder<MPNetForSequenceClassification>()},
      {"mpnet", "token-classification", "MPNetForTokenClassification", "mpnet", model_builder<MPNetForTokenClassification>()},
      {"mpnet", "question-answering", "MPNetForQuestionAnswering", "mpnet", model_builder<MPNetForQuestionAnswering>()},
      {"mpnet", "masked-lm", "MPNetForMaskedLM", "mpnet", model_builder<MPNetForMaskedLM>()},
      {"deberta-v2", "base", "DebertaV2Model", "deberta", model_builder<DebertaV2Model>()},
      {"deberta-v2", "sequence-classification", "DebertaV2ForSequenceClassification", "deberta", model_builder<DebertaV2ForSequenceClassification>()},
      {"deberta-v2", "token-classification", "DebertaV2ForTokenClassification", "deberta", model_builder<DebertaV2ForTokenClassification>()},
      {"deberta-v2", "question-answering", "DebertaV2ForQuestionAnswering", "deberta", model_builder<DebertaV2ForQuestionAnswering>()},
      {"deberta-v2", "masked-lm", "DebertaV2ForMaskedLM", "deberta", model_builder<DebertaV2ForMaskedLM>()},
  };
  return entries;
}

// The entry for config's model_type and `task`; throws listing what is supported otherwise.
inline const ModelEntry& find_model_entry(const PretrainedConfig& config, const std::string& task) {
  std::string supported;
  for (const ModelEntry& entry : model_registry()) {
    if (entry.model_type == config.model_type && entry.task == task) return entry;
    if (entry.task == task) supported += (supported.empty() ? "" : ", ") + entry.model_type + " (" + entry.class_name + ")";
  }
  throw InvalidArgument(config.source + ": model_type '" + config.model_type + "' has no " + task +
                        " model in transformers.cpp; supported: " + supported);
}

// The dtype a model loads in, as transformers 5's from_pretrained(dtype=...): the one asked for, or
// for "auto" (nullopt) config.json's dtype / torch_dtype when it names a floating dtype, else the
// dtype the checkpoint stores its weights in.
inline std::optional<DType> model_dtype(const PretrainedConfig& config, std::optional<DType> requested) {
  if (requested) return requested;
  if (config.torch_dtype && (*config.torch_dtype == DType::F32 || *config.torch_dtype == DType::BF16 ||
                             *config.torch_dtype == DType::F16))
    return config.torch_dtype;
  return std::nullopt;  // nn::Weights takes the checkpoint's
}

// A model for `task` from a folder (config.json + safetensors weights) or a Hub id found in the
// Hugging Face cache ("org/name", options as hub::HubOptions: revision, cache_dir, ...).
// `device`: where the weights go and the forward runs (the inputs may be on the CPU); `dtype`:
// nullopt for "auto" (see model_dtype), else float32, bfloat16 or float16.
inline std::unique_ptr<PreTrainedModel> auto_model_from_pretrained(const std::string& path_or_id, const std::string& task,
                                                                   const hub::HubOptions& options = {},
                                                                   Device device = Device::cpu(),
                                                                   std::optional<DType> dtype = std::nullopt) {
  const std::string folder = hub::resolve_model_path(path_or_id, options);
  PretrainedConfig config = PretrainedConfig::from_pretrained(folder);
  const ModelEntry& entry = find_model_entry(config, task);
  nn::Weights weights(safetensors::Checkpoint::open(folder), entry.base_model_prefix);
  return entry.build(config, weights.on(device).with_dtype(model_dtype(config, dtype)));
}

// A model for `task` with random weights, as transformers' from_config (tests, benchmarks).
inline std::unique_ptr<PreTrainedModel> auto_model_from_config(const PretrainedConfig& config, const std::string& task,
                                                               uint64_t seed = 0, Device device = Device::cpu()) {
  const ModelEntry& entry = find_model_entry(config, task);
  nn::Weights weights = nn::Weights::random(entry.base_model_prefix, seed);
  return entry.build(config, weights.on(device));
}

struct AutoModel {
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {},
                                                          Device device = Device::cpu()) {
    return auto_model_from_pretrained(path_or_id, "base", options, device);
  }
  static std::unique_ptr<PreTrainedModel> from_config(const PretrainedConfig& config) {
    return auto_model_from_config(config, "base");
  }
};

struct AutoModelForSequenceClassification {
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {},
                                                          Device device = Device::cpu()) {
    return auto_model_from_pretrained(path_or_id, "sequence-classification", options, device);
  }
  static std::unique_ptr<PreTrainedModel> from_config(const PretrainedConfig& config) {
    return auto_model_from_config(config, "sequence-classification");
  }
};

struct AutoModelForTokenClassification {
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {},
                                                          Device device = Device::cpu()) {
    return auto_model_from_pretrained(path_or_id, "token-classification", options, device);
  }
  static std::unique_ptr<PreTrainedModel> from_config(const PretrainedConfig& config) {
    return auto_model_from_config(config, "token-classification");
  }
};

struct AutoModelForQuestionAnswering {
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {},
                                                          Device device = Device::cpu()) {
    return auto_model_from_pretrained(path_or_id, "question-answering", options, device);
  }
  static std::unique_ptr<PreTrainedModel> from_config(const PretrainedConfig& config) {
    return auto_model_from_config(config, "question-answering");
  }
};

struct AutoModelForMaskedLM {
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& path_or_id, const hub::HubOptions& options = {},
                                                          Device device = Device::cpu()) {
    return auto_model_from_pretrained(path_or_id, "masked-lm", options, device);
  }
  static std::unique_ptr<PreTrainedModel> from_config(const PretrainedConfig& config) {
    return auto_model_from_config(config, "masked-lm");
  }
};

}  // namespace transformers
