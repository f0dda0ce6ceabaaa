#include "json_fields.hpp"

#include "transformers/core/error.hpp"

namespace transformers::tokenizers::detail {

void throw_config_error(const std::string& where, const std::string& message) {
  throw FileError(where + ": " + message);
}

namespace {

std::string describe(const json& value) { return std::string(value.type_name()) + " " + value.dump().substr(0, 60); }

const json* find(const json& object, const char* key, const std::string& where) {
  if (!object.is_object()) throw_config_error(where, "expected a JSON object, found " + describe(object));
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return nullptr;
  return &*found;
}

[[noreturn]] void wrong_type(const char* key, const char* expected, const json& found, const std::string& where) {
  throw_config_error(where, std::string("field '") + key + "' must be " + expected + ", found " + describe(found));
}

}  // namespace

const json& required_field(const json& object, const char* key, const std::string& where) {
  const json* value = find(object, key, where);
  if (!value) throw_config_error(where, std::string("missing field '") + key + "'");
  return *value;
}

std::optional<bool> optional_bool_field(const json& object, const char* key, const std::string& where) {
  const json* value = find(object, key, where);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) wrong_type(key, "a boolean", *value, where);
  return value->get<bool>();
}

bool bool_field(const json& object, const char* key, bool fallback, const std::string& where) {
  return optional_bool_field(object, key, where).value_or(fallback);
}

std::optional<int64_t> optional_int_field(const json& object, const char* key, const std::string& where) {
  const json* value = find(object, key, where);
  if (!value) return std::nullopt;
  if (!value->is_number_integer()) wrong_type(key, "an integer", *value, where);
  return value->get<int64_t>();
}

int64_t int_field(const json& object, const char* key, int64_t fallback, const std::string& where) {
  return optional_int_field(object, key, where).value_or(fallback);
}

std::optional<std::string> optional_string_field(const json& object, const char* key, const std::string& where) {
  const json* value = find(object, key, where);
  if (!value) return std::nullopt;
  if (!value->is_string()) wrong_type(key, "a string", *value, where);
  return value->get<std::string>();
}

std::string string_field(const json& object, const char* key, const std::string& fallback, const std::string& where) {
  return optional_string_field(object, key, where).value_or(fallback);
}

std::string required_string_field(const json& object, const char* key, const std::string& where) {
  const json& value = required_field(object, key, where);
  if (!value.is_string()) wrong_type(key, "a string", value, where);
  return value.get<std::string>();
}

std::string component_type(const json& component, const std::string& where) {
  return required_string_field(component, "type", where);
}

std::pair<std::string, int64_t> token_and_id_field(const json& object, const char* key, const std::string& where) {
  const json& value = required_field(object, key, where);
  if (!value.is_array() || value.size() != 2 || !value[0].is_string() || !value[1].is_number_integer())
    throw_config_error(where, std::string("field '") + key + "' must be [token, id], found " + value.dump());
  return {value[0].get<std::string>(), value[1].get<int64_t>()};
}

}  // namespace transformers::tokenizers::detail
