#pragma once
// The Auto classes: one table maps (model_type, task) to the C++ class that implements it, the
// way transformers' modeling_auto.py maps config classes to model classes.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "transformers/models/bert.hpp"
#include "transformers/models/distilbert.hpp"

namespace transformers {

// Tasks as transformers names its Auto classes: AutoModel ("base"),
// AutoModelForSequenceClassification ("sequence-classification").
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
      {"bert", "sequence-classification", "BertForSequenceClassification", "bert",
       model_builder<BertForSequenceClassification>()},
      {"distilbert", "base", "DistilBertModel", "distilbert", model_builder<DistilBertModel>()},
      {"distilbert", "sequence-classification", "DistilBertForSequenceClassification", "distilbert",
       model_builder<DistilBertForSequenceClassification>()},
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

// A model for `task` from a folder (config.json + safetensors weights).
inline std::unique_ptr<PreTrainedModel> auto_model_from_pretrained(const std::string& folder, const std::string& task) {
  PretrainedConfig config = PretrainedConfig::from_pretrained(folder);
  const ModelEntry& entry = find_model_entry(config, task);
  return entry.build(config, nn::Weights(safetensors::Checkpoint::open(folder), entry.base_model_prefix));
}

// A model for `task` with random weights, as transformers' from_config (tests, benchmarks).
inline std::unique_ptr<PreTrainedModel> auto_model_from_config(const PretrainedConfig& config, const std::string& task,
                                                               uint64_t seed = 0) {
  const ModelEntry& entry = find_model_entry(config, task);
  return entry.build(config, nn::Weights::random(entry.base_model_prefix, seed));
}

struct AutoModel {
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& folder) {
    return auto_model_from_pretrained(folder, "base");
  }
  static std::unique_ptr<PreTrainedModel> from_config(const PretrainedConfig& config) {
    return auto_model_from_config(config, "base");
  }
};

struct AutoModelForSequenceClassification {
  static std::unique_ptr<PreTrainedModel> from_pretrained(const std::string& folder) {
    return auto_model_from_pretrained(folder, "sequence-classification");
  }
  static std::unique_ptr<PreTrainedModel> from_config(const PretrainedConfig& config) {
    return auto_model_from_config(config, "sequence-classification");
  }
};

}  // namespace transformers
