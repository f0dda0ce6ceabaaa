#pragma once
// PretrainedConfig: config.json as transformers reads it. The fields every model shares are typed
// members with transformers' defaults; the whole JSON is kept in `raw` for the fields only one
// architecture uses (read them with get<T>(key, default)).
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/core/dtype.hpp"
#include "transformers/core/error.hpp"

namespace transformers {

struct PretrainedConfig {
  std::string model_type;                   // required unless the caller can infer it
  std::vector<std::string> architectures;   // e.g. {"BertForSequenceClassification"}
  std::map<int64_t, std::string> id2label;  // JSON keys are strings ("0"); converted as transformers does
  std::map<std::string, int64_t> label2id;
  std::optional<std::string> problem_type;  // regression / single_label_classification / multi_label_classification
  std::optional<DType> torch_dtype;         // "torch_dtype", or "dtype" in newer files

  int64_t vocab_size = 0;
  int64_t hidden_size = 0;
  int64_t num_hidden_layers = 0;
  int64_t num_attention_heads = 0;
  int64_t intermediate_size = 0;
  int64_t max_position_embeddings = 0;
  std::string hidden_act = "gelu";
  double layer_norm_eps = 1e-12;
  std::optional<int64_t> pad_token_id, bos_token_id, eos_token_id;
  bool tie_word_embeddings = true;
  bool is_encoder_decoder = false;

  nlohmann::json raw;  // the whole file
  std::string source;  // where it came from, for error messages

  // Reads config.json from a model folder or a direct path to a JSON file.
  // A folder holding config.json, a config.json file, or a .gguf file (its metadata read as
  // transformers reads it, see io/gguf_checkpoint.hpp).
  static PretrainedConfig from_pretrained(const std::string& folder_or_file);
  // From already-parsed JSON; `source` names it in errors.
  static PretrainedConfig from_json(const nlohmann::json& json, const std::string& source = "config");

  int64_t num_labels() const { return id2label.empty() ? 2 : static_cast<int64_t>(id2label.size()); }
  // A field of raw JSON as T, or `fallback` when absent or null; a present field of the wrong type
  // throws naming it.
  template <typename T>
  T get(const std::string& key, const T& fallback) const {
    auto it = raw.find(key);
    if (it == raw.end() || it->is_null()) return fallback;
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // A float converted to an integer type is undefined behaviour past its range (6e104 layers),
      // and transformers takes none for a count either; a huge unsigned one would wrap.
      const bool fits =
          it->is_number_integer() &&
          (!it->is_number_unsigned() || it->template get<uint64_t>() <= uint64_t(std::numeric_limits<T>::max()));
      if (!fits) throw FileError(source + ": field '" + key + "' must be an integer within range, found " + it->dump());
    }
    try {
      return it->get<T>();
    } catch (const nlohmann::json::exception&) {
      throw FileError(source + ": field '" + key + "' has the wrong type (found " + it->type_name() + ")");
    }
  }
  // Like get, but absence is an error naming the field.
  template <typename T>
  T require(const std::string& key) const {
    if (!raw.contains(key) || raw.at(key).is_null())
      throw FileError(source + ": required field '" + key + "' is missing");
    return get<T>(key, T{});
  }
};

}  // namespace transformers
