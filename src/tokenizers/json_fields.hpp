#pragma once
// Reading fields of tokenizer.json components, with errors that name the component and field.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

namespace transformers::tokenizers::detail {

using nlohmann::json;

// `where` names the component, e.g. "tokenizer.json: normalizer BertNormalizer".
[[noreturn]] void throw_config_error(const std::string& where, const std::string& message);

const json& required_field(const json& object, const char* key, const std::string& where);
bool bool_field(const json& object, const char* key, bool fallback, const std::string& where);
std::optional<bool> optional_bool_field(const json& object, const char* key, const std::string& where);
int64_t int_field(const json& object, const char* key, int64_t fallback, const std::string& where);
std::optional<int64_t> optional_int_field(const json& object, const char* key, const std::string& where);
std::string string_field(const json& object, const char* key, const std::string& fallback, const std::string& where);
std::string required_string_field(const json& object, const char* key, const std::string& where);
std::optional<std::string> optional_string_field(const json& object, const char* key, const std::string& where);
// A [token, id] pair field (BertProcessing's "cls", RobertaProcessing's "sep", ...).
std::pair<std::string, int64_t> token_and_id_field(const json& object, const char* key, const std::string& where);
// A component's "type" tag; `kind` is "normalizer", "model", ...
std::string component_type(const json& component, const std::string& where);

}  // namespace transformers::tokenizers::detail
