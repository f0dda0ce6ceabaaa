#pragma once
// JSON in and out: the render context arrives as nlohmann::ordered_json and becomes Values (objects
// keep their key order, as Python dicts do); tojson writes Values back as Python's json.dumps does.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "value.hpp"

namespace transformers::chat_templates::detail {

Value from_json(const nlohmann::ordered_json& json);

struct JsonDumpOptions {
  bool ensure_ascii = false;
  std::optional<std::string> indent;  // json.dumps' indent as a string (an int n is n spaces)
  std::optional<std::string> item_separator, key_separator;
  bool sort_keys = false;
};

// json.dumps(value, ...); TypeError for what JSON cannot hold (Undefined, iterators, namespaces...).
std::string dump_json(const Value& value, const JsonDumpOptions& options);

}  // namespace transformers::chat_templates::detail
