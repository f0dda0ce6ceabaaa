#include "transformers/config/pretrained_config.hpp"
#include "transformers/core/json_nesting.hpp"
#include "transformers/io/gguf_checkpoint.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace transformers {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void field_error(const std::string& source, const std::string& key, const std::string& what) {
  throw FileError(source + ": field '" + key + "' " + what);
}

template <typename T>
void read_field(const nlohmann::json& json, const std::string& source, const char* key, T& out) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) return;
  if constexpr (std::is_same_v<T, bool>) {
    if (!it->is_boolean()) field_error(source, key, std::string("must be a boolean, found ") + it->type_name());
  } else if constexpr (std::is_integral_v<T>) {
    if (!it->is_number_integer()) field_error(source, key, std::string("must be an integer, found ") + it->type_name());
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!it->is_number()) field_error(source, key, std::string("must be a number, found ") + it->type_name());
  } else {
    if (!it->is_string()) field_error(source, key, std::string("must be a string, found ") + it->type_name());
  }
  out = it->get<T>();
}

template <typename T>
void read_optional(const nlohmann::json& json, const std::string& source, const char* key, std::optional<T>& out) {
  if (!json.contains(key) || json.at(key).is_null()) return;
  T value{};
  read_field(json, source, key, value);
  out = value;
}

// eos_token_id may be a list (generation configs of newer models); the first is the primary one.
void read_token_id(const nlohmann::json& json, const std::string& source, const char* key,
                   std::optional<int64_t>& out) {
  auto it = json.find(key);
  if (it != json.end() && it->is_array()) {
    if (it->empty()) return;
    if (!it->front().is_number_integer()) field_error(source, key, "must hold integers");
    out = it->front().get<int64_t>();
    return;
  }
  read_optional(json, source, key, out);
}

void read_labels(const nlohmann::json& json, const std::string& source, PretrainedConfig& config) {
  if (auto it = json.find("id2label"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) field_error(source, "id2label", "must be an object of \"id\": \"label\"");
    for (auto& [key, value] : it->items()) {
      size_t used = 0;
      int64_t id = 0;
      try {
        id = std::stoll(key, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      if (used != key.size() || key.empty()) field_error(source, "id2label", "has a non-integer key '" + key + "'");
      if (!value.is_string()) field_error(source, "id2label", "value for '" + key + "' must be a string");
      config.id2label[id] = value.get<std::string>();
    }
  }
  if (auto it = json.find("label2id"); it != json.end() && !it->is_null()) {
    if (!it->is_object()) field_error(source, "label2id", "must be an object of \"label\": id");
    for (auto& [key, value] : it->items()) {
      if (!value.is_number_integer()) field_error(source, "label2id", "value for '" + key + "' must be an integer");
      config.label2id[key] = value.get<int64_t>();
    }
  }
  if (config.id2label.empty() && json.contains("num_labels")) {
    int64_t n = 0;
    read_field(json, source, "num_labels", n);
    for (int64_t i = 0; i < n; ++i) config.id2label[i] = "LABEL_" + std::to_string(i);
  }
  if (config.id2label.empty())  // transformers' default: two labels
    config.id2label = {{0, "LABEL_0"}, {1, "LABEL_1"}};
  if (config.label2id.empty())
    for (auto& [id, label] : config.id2label) config.label2id[label] = id;
}

}  // namespace

PretrainedConfig PretrainedConfig::from_json(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw FileError(source + ": expected a JSON object, found " + std::string(json.type_name()));
  PretrainedConfig config;
  config.raw = json;
  config.source = source;
  read_field(json, source, "model_type", config.model_type);
  if (auto it = json.find("architectures"); it != json.end() && !it->is_null()) {
    if (!it->is_array()) field_error(source, "architectures", "must be a list of class names");
    for (auto& a : *it) {
      if (!a.is_string()) field_error(source, "architectures", "must hold strings");
      config.architectures.push_back(a.get<std::string>());
    }
  }
  read_labels(json, source, config);
  read_optional(json, source, "problem_type", config.problem_type);
  if (config.problem_type && *config.problem_type != "regression" &&
      *config.problem_type != "single_label_classification" && *config.problem_type != "multi_label_classification")
    field_error(source, "problem_type",
                "is '" + *config.problem_type +
                    "' (expected regression, single_label_classification or multi_label_classification)");
  for (const char* key : {"torch_dtype", "dtype"}) {
    std::optional<std::string> name;
    read_optional(json, source, key, name);
    if (name && *name != "auto") {
      try {
        config.torch_dtype = parse_dtype(*name);
      } catch (const Error& e) {
        field_error(source, key, e.what());
      }
    }
  }
  read_field(json, source, "vocab_size", config.vocab_size);
  read_field(json, source, "hidden_size", config.hidden_size);
  read_field(json, source, "num_hidden_layers", config.num_hidden_layers);
  read_field(json, source, "num_attention_heads", config.num_attention_heads);
  read_field(json, source, "intermediate_size", config.intermediate_size);
  read_field(json, source, "max_position_embeddings", config.max_position_embeddings);
  read_field(json, source, "hidden_act", config.hidden_act);
  read_field(json, source, "layer_norm_eps", config.layer_norm_eps);
  read_token_id(json, source, "pad_token_id", config.pad_token_id);
  read_token_id(json, source, "bos_token_id", config.bos_token_id);
  read_token_id(json, source, "eos_token_id", config.eos_token_id);
  read_field(json, source, "tie_word_embeddings", config.tie_word_embeddings);
  read_field(json, source, "is_encoder_decoder", config.is_encoder_decoder);
  for (auto [key, value] : {std::pair{"vocab_size", config.vocab_size},
                            {"hidden_size", config.hidden_size},
                            {"num_hidden_layers", config.num_hidden_layers},
                            {"num_attention_heads", config.num_attention_heads},
                            {"intermediate_size", config.intermediate_size},
                            {"max_position_embeddings", config.max_position_embeddings}})
    if (value < 0) field_error(source, key, "must not be negative, found " + std::to_string(value));
  // Sizes that no model has: models size buffers from these before any weight is read, so a lying
  // field would otherwise become an allocation of its size.
  constexpr int64_t kMaxDimension = int64_t{1} << 24;
  for (auto [key, value] : {std::pair{"vocab_size", config.vocab_size},
                            {"hidden_size", config.hidden_size},
                            {"num_hidden_layers", config.num_hidden_layers},
                            {"num_attention_heads", config.num_attention_heads},
                            {"intermediate_size", config.intermediate_size}})
    if (value > kMaxDimension)
      field_error(source, key,
                  "is " + std::to_string(value) + ", more than any model has (" + std::to_string(kMaxDimension) + ")");
  if (config.num_attention_heads > 0 && config.hidden_size % config.num_attention_heads != 0)
    field_error(source, "hidden_size",
                "(" + std::to_string(config.hidden_size) + ") is not a multiple of num_attention_heads (" +
                    std::to_string(config.num_attention_heads) + ")");
  return config;
}

PretrainedConfig PretrainedConfig::from_pretrained(const std::string& folder_or_file) {
  fs::path path(folder_or_file);
  if (path.extension() == ".gguf")  // transformers' from_pretrained(gguf_file=): the file's metadata
    return from_json(gguf::hf_config(*gguf::File::open(folder_or_file)), folder_or_file);
  if (fs::is_directory(path)) path /= "config.json";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path.string() + ": cannot open (no config.json there?)");
  std::stringstream text;
  text << in.rdbuf();
  check_json_nesting(text.str(), path.string());
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text.str());
  } catch (const nlohmann::json::exception& e) {
    throw FileError(path.string() + ": not valid JSON: " + e.what());
  }
  PretrainedConfig config = from_json(json, path.string());
  if (config.model_type.empty()) throw FileError(path.string() + ": required field 'model_type' is missing");
  return config;
}

}  // namespace transformers
