// Conversions between JSON and Values, with json.dumps' exact text (separators, indent, escapes).
#include "json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "text.hpp"

namespace transformers::chat_templates::detail {

namespace {

// Strings built in C++ may hold any bytes; the engine reads them as UTF-8, so they must be.
Value checked_string(const std::string& text) {
  if (find_invalid_utf8(text) != std::string::npos)
    raise("ValueError", "a string in the context is not valid UTF-8: " + nlohmann::ordered_json(text).dump(-1, ' ', true, nlohmann::ordered_json::error_handler_t::replace));
  return Value::string(text);
}

Value convert(const nlohmann::ordered_json& json, size_t depth) {
  if (depth > kMaxNesting)
    raise("LimitExceeded", "JSON nests deeper than " + std::to_string(kMaxNesting) + " levels");
  switch (json.type()) {
    case nlohmann::ordered_json::value_t::null: return Value::none();
    case nlohmann::ordered_json::value_t::boolean: return Value::boolean(json.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value::integer(json.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      const auto value = json.get<uint64_t>();
      if (value <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return Value::integer(static_cast<int64_t>(value));
      return Value::floating(static_cast<double>(value));
    }
    case nlohmann::ordered_json::value_t::number_float: return Value::floating(json.get<double>());
    case nlohmann::ordered_json::value_t::string: return checked_string(json.get_ref<const std::string&>());
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(json.size());
      for (const auto& item : json) items.push_back(convert(item, depth + 1));
      return Value::list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      auto dict = std::make_shared<DictObject>();
      dict->entries.reserve(json.size());
      for (const auto& [key, item] : json.items()) dict->entries.emplace_back(checked_string(key), convert(item, depth + 1));
      return Value::dict(std::move(dict));
    }
    default: raise("TypeError", "JSON binary values cannot be passed to a template");
  }
}

}  // namespace

Value from_json(const nlohmann::ordered_json& json) { return convert(json, 0); }

namespace {

void append_json_string(std::string& out, const std::string& text, bool ensure_ascii) {
  out += '"';
  char escape[16];
  for (size_t at = 0, length = 0; at < text.size(); at += length) {
    const char32_t c = decode_utf8(text, at, length);
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    if (c < 0x20 || (ensure_ascii && c >= 0x7F)) {
      if (c > 0xFFFF) {
        const char32_t v = c - 0x10000;
        std::snprintf(escape, sizeof escape, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 | (v >> 10)),
                      static_cast<unsigned>(0xDC00 | (v & 0x3FF)));
      } else {
        std::snprintf(escape, sizeof escape, "\\u%04x", static_cast<unsigned>(c));
      }
      out += escape;
    } else {
      out.append(text, at, length);
    }
  }
  out += '"';
}

std::string json_float(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value < 0 ? "-Infinity" : "Infinity";
  return float_repr(value);
}

// json.dumps turns int, float, bool and None keys into strings; other keys are a TypeError.
std::string json_key(const Value& key) {
  switch (key.kind()) {
    case Value::Kind::String: return key.as_string();
    case Value::Kind::Bool: return key.as_bool() ? "true" : "false";
    case Value::Kind::Int: return std::to_string(key.as_int());
    case Value::Kind::Float: return json_float(key.as_float());
    case Value::Kind::None: return "null";
    default: raise("TypeError", "keys must be str, int, float, bool or None, not " + type_name(key));
  }
}

class JsonWriter {
 public:
  explicit JsonWriter(const JsonDumpOptions& options) : options_(options) {
    item_separator_ = options.item_separator.value_or(options.indent ? "," : ", ");
    key_separator_ = options.key_separator.value_or(": ");
  }

  void write(std::string& out, const Value& value, size_t depth) {
    switch (value.kind()) {
      case Value::Kind::None: out += "null"; return;
      case Value::Kind::Bool: out += value.as_bool() ? "true" : "false"; return;
      case Value::Kind::Int: out += std::to_string(value.as_int()); return;
      case Value::Kind::Float: out += json_float(value.as_float()); return;
      case Value::Kind::String: append_json_string(out, value.as_string(), options_.ensure_ascii); return;
      case Value::Kind::List:
        if (value.sequence() == Value::Sequence::List || value.sequence() == Value::Sequence::Tuple)
          return write_list(out, value.items(), depth);
        break;
      case Value::Kind::Dict: return write_dict(out, value.as_dict(), depth);
      default: break;
    }
    raise("TypeError", "Object of type " + type_name(value) + " is not JSON serializable");
  }

 private:
  void newline(std::string& out, size_t depth) {
    out += '\n';
    for (size_t i = 0; i < depth; ++i) out += *options_.indent;
  }

  void write_list(std::string& out, const std::vector<Value>& items, size_t depth) {
    if (items.empty()) {
      out += "[]";
      return;
    }
    out += '[';
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out += item_separator_;
      if (options_.indent) newline(out, depth + 1);
      write(out, items[i], depth + 1);
    }
    if (options_.indent) newline(out, depth);
    out += ']';
  }

  void write_dict(std::string& out, const DictObject& dict, size_t depth) {
    if (dict.entries.empty()) {
      out += "{}";
      return;
    }
    std::vector<const std::pair<Value, Value>*> entries;
    for (const auto& entry : dict.entries) entries.push_back(&entry);
    if (options_.sort_keys)
      std::stable_sort(entries.begin(), entries.end(), [](const auto* a, const auto* b) { return less(a->first, b->first); });
    out += '{';
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i) out += item_separator_;
      if (options_.indent) newline(out, depth + 1);
      append_json_string(out, json_key(entries[i]->first), options_.ensure_ascii);
      out += key_separator_;
      write(out, entries[i]->second, depth + 1);
    }
    if (options_.indent) newline(out, depth);
    out += '}';
  }

  const JsonDumpOptions& options_;
  std::string item_separator_, key_separator_;
};

}  // namespace

std::string dump_json(const Value& value, const JsonDumpOptions& options) {
  std::string out;
  JsonWriter(options).write(out, value, 0);
  return out;
}

}  // namespace transformers::chat_templates::detail
