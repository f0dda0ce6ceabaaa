#include "transformers/peft/lora_config.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <sstream>

#include "transformers/core/json_nesting.hpp"
#include "transformers/core/error.hpp"

namespace transformers::peft {
namespace {

template <typename T>
T field(const nlohmann::json& json, const char* name, T fallback, const std::string& source) {
  const auto it = json.find(name);
  if (it == json.end() || it->is_null()) return fallback;
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw FileError(source + ": field '" + name + "' has the wrong type (" + it->type_name() + ")");
  }
}

// A field PEFT would honour and transformers.cpp does not compute: refused unless at its neutral value.
void refuse_unless(bool neutral, const std::string& source, const std::string& what) {
  if (!neutral) throw FileError(source + ": " + what + " is not supported by transformers.cpp's LoRA");
}

bool is_neutral(const nlohmann::json& json, const char* name) {
  const auto it = json.find(name);
  return it == json.end() || it->is_null() || (it->is_boolean() && !it->get<bool>()) ||
         ((it->is_array() || it->is_object()) && it->empty());
}

// Whether `pattern` (Python re syntax, which PCRE2 reads the same way for what patterns use) matches
// the whole of `name`. PCRE2, not std::regex: libstdc++ 12's regex trips GCC's uninitialized-value
// warnings under the sanitizers' -O2 build.
bool full_match(const std::string& pattern, const std::string& name, const std::string& source) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  const std::unique_ptr<pcre2_code, decltype(&pcre2_code_free)> code(
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF, &error, &offset, nullptr),
      &pcre2_code_free);
  if (!code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw FileError(source + ": pattern '" + pattern + "' is not a valid regular expression: " +
                    reinterpret_cast<const char*>(message) + " at offset " + std::to_string(offset));
  }
  const std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
      pcre2_match_data_create_from_pattern(code.get(), nullptr), &pcre2_match_data_free);
  return pcre2_match(code.get(), reinterpret_cast<PCRE2_SPTR>(name.data()), name.size(), 0,
                     PCRE2_ANCHORED | PCRE2_ENDANCHORED, match.get(), nullptr) >= 0;
}

// PEFT's get_pattern_key: the first key k such that the name is k, or ends in "." + a match of k.
template <typename Map>
const typename Map::mapped_type* pattern_value(const Map& patterns, const std::string& name,
                                               const std::string& source) {
  for (const auto& [key, value] : patterns)
    if (full_match("(.*\\.)?(" + key + ")", name, source)) return &value;
  return nullptr;
}

}  // namespace

LoraConfig LoraConfig::from_json(const nlohmann::json& json, const std::string& source) {
  if (!json.is_object()) throw FileError(source + ": not a JSON object");
  const std::string peft_type = field<std::string>(json, "peft_type", "", source);
  if (peft_type != "LORA")
    throw FileError(source + ": peft_type '" + peft_type + "' is not supported (transformers.cpp reads LORA adapters)");
  refuse_unless(is_neutral(json, "use_dora"), source, "use_dora (DoRA)");
  refuse_unless(is_neutral(json, "lora_bias"), source, "lora_bias (a bias on lora_B)");
  refuse_unless(is_neutral(json, "layer_replication"), source, "layer_replication");
  refuse_unless(is_neutral(json, "trainable_token_indices"), source, "trainable_token_indices");
  refuse_unless(is_neutral(json, "target_parameters"), source, "target_parameters (LoRA on raw parameters)");
  refuse_unless(is_neutral(json, "use_qalora"), source, "use_qalora");
  refuse_unless(is_neutral(json, "alora_invocation_tokens"), source, "alora_invocation_tokens (aLoRA)");

  LoraConfig c;
  c.source = source;
  if (json.contains("base_model_name_or_path") && !json["base_model_name_or_path"].is_null())
    c.base_model_name_or_path = field<std::string>(json, "base_model_name_or_path", "", source);
  c.r = field<int64_t>(json, "r", 8, source);
  c.lora_alpha = field<double>(json, "lora_alpha", 8.0, source);
  c.use_rslora = field<bool>(json, "use_rslora", false, source);
  c.fan_in_fan_out = field<bool>(json, "fan_in_fan_out", false, source);
  c.bias = field<std::string>(json, "bias", "none", source);
  if (c.bias != "none" && c.bias != "all" && c.bias != "lora_only")
    throw FileError(source + ": field 'bias' is '" + c.bias + "', not none, all or lora_only");
  c.rank_pattern = field<std::map<std::string, int64_t>>(json, "rank_pattern", {}, source);
  c.alpha_pattern = field<std::map<std::string, double>>(json, "alpha_pattern", {}, source);
  c.modules_to_save = field<std::vector<std::string>>(json, "modules_to_save", {}, source);
  c.target_modules = json.value("target_modules", nlohmann::json());
  c.task_type = field<std::string>(json, "task_type", "", source);
  if (c.r <= 0) throw FileError(source + ": field 'r' must be positive, got " + std::to_string(c.r));
  for (const auto& [pattern, rank] : c.rank_pattern)
    if (rank <= 0) throw FileError(source + ": rank_pattern '" + pattern + "' must be positive");
  return c;
}

LoraConfig LoraConfig::from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path + ": cannot open the adapter config");
  std::stringstream text;
  text << in.rdbuf();
  check_json_nesting(text.str(), path);
  try {
    return from_json(nlohmann::json::parse(text.str()), path);
  } catch (const nlohmann::json::exception& e) {
    throw FileError(path + ": not valid JSON: " + e.what());
  }
}

int64_t LoraConfig::rank_for(const std::string& name) const {
  const int64_t* rank = pattern_value(rank_pattern, name, source);
  return rank ? *rank : r;
}

double LoraConfig::alpha_for(const std::string& name) const {
  const double* alpha = pattern_value(alpha_pattern, name, source);
  return alpha ? *alpha : lora_alpha;
}

double LoraConfig::scaling_for(const std::string& name) const {
  const double rank = static_cast<double>(rank_for(name));
  return alpha_for(name) / (use_rslora ? std::sqrt(rank) : rank);
}

}  // namespace transformers::peft
