// str() and repr() exactly as Python prints values: templates print lists and dicts ("{{ content }}"
// with a list of parts), and floats need Python's shortest round-trip form.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "text.hpp"
#include "value.hpp"

namespace transformers::chat_templates::detail {

namespace {

void append_string_repr(std::string& out, const std::string& text) {
  const bool has_single = text.find('\'') != std::string::npos, has_double = text.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  out += quote;
  char escape[16];
  for (size_t at = 0, length = 0; at < text.size(); at += length) {
    const char32_t c = decode_utf8(text, at, length);
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (is_python_printable(c)) {
      out.append(text, at, length);
    } else {
      const char* format = c <= 0xFF ? "\\x%02x" : c <= 0xFFFF ? "\\u%04x" : "\\U%08x";
      std::snprintf(escape, sizeof escape, format, static_cast<unsigned>(c));
      out += escape;
    }
  }
  out += quote;
}

void append_items_repr(std::string& out, const std::vector<Value>& items) {
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ", ";
    append_repr(out, items[i]);
  }
}

void append_dict_repr(std::string& out, const DictObject& dict) {
  out += '{';
  for (size_t i = 0; i < dict.entries.size(); ++i) {
    if (i) out += ", ";
    append_repr(out, dict.entries[i].first);
    out += ": ";
    append_repr(out, dict.entries[i].second);
  }
  out += '}';
}

void append_range_repr(std::string& out, const std::vector<Value>& items) {
  // The range's own arguments are gone; these give the same text for every non-empty range.
  const int64_t start = items.empty() ? 0 : items.front().as_int();
  const int64_t step = items.size() > 1 ? items[1].as_int() - items[0].as_int() : 1;
  const int64_t stop = items.empty() ? 0 : items.back().as_int() + step;
  out += "range(" + std::to_string(start) + ", " + std::to_string(stop);
  if (step != 1) out += ", " + std::to_string(step);
  out += ')';
}

void append_list_repr(std::string& out, const Value& value) {
  const auto& items = value.items();
  switch (value.sequence()) {
    case Value::Sequence::List:
      out += '[';
      append_items_repr(out, items);
      out += ']';
      return;
    case Value::Sequence::Tuple:
      out += '(';
      append_items_repr(out, items);
      if (items.size() == 1) out += ',';
      out += ')';
      return;
    case Value::Sequence::Range: return append_range_repr(out, items);
    case Value::Sequence::Iterator: out += "<generator object>"; return;
    case Value::Sequence::DictItems: out += "dict_items(["; break;
    case Value::Sequence::DictKeys: out += "dict_keys(["; break;
    case Value::Sequence::DictValues: out += "dict_values(["; break;
  }
  append_items_repr(out, items);
  out += "])";
}

}  // namespace

std::string float_repr(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[64];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string scientific(buffer, result.ptr);
  std::string sign;
  if (scientific[0] == '-') {
    sign = "-";
    scientific.erase(0, 1);
  }
  const size_t e = scientific.find('e');
  std::string digits = scientific.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  const int exponent = std::atoi(scientific.c_str() + e + 1);
  const int point = exponent + 1;  // value = 0.DIGITS x 10^point
  if (point <= -4 || point > 16) {
    std::string mantissa = digits.substr(0, 1);
    if (digits.size() > 1) mantissa += "." + digits.substr(1);
    std::snprintf(buffer, sizeof buffer, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
    return sign + mantissa + buffer;
  }
  if (point <= 0) return sign + "0." + std::string(static_cast<size_t>(-point), '0') + digits;
  if (static_cast<size_t>(point) >= digits.size())
    return sign + digits + std::string(static_cast<size_t>(point) - digits.size(), '0') + ".0";
  return sign + digits.substr(0, static_cast<size_t>(point)) + "." + digits.substr(static_cast<size_t>(point));
}

void append_str(std::string& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Undefined: return;
    case Value::Kind::String: out += value.as_string(); return;
    default: append_repr(out, value);
  }
}

std::string to_str(const Value& value) {
  if (value.is_string()) return value.as_string();
  std::string out;
  append_str(out, value);
  return out;
}

void append_repr(std::string& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Undefined: out += "Undefined"; return;
    case Value::Kind::None: out += "None"; return;
    case Value::Kind::Bool: out += value.as_bool() ? "True" : "False"; return;
    case Value::Kind::Int: out += std::to_string(value.as_int()); return;
    case Value::Kind::Float: out += float_repr(value.as_float()); return;
    case Value::Kind::String:
      if (value.is_markup()) out += "Markup(";
      append_string_repr(out, value.as_string());
      if (value.is_markup()) out += ')';
      return;
    case Value::Kind::List: return append_list_repr(out, value);
    case Value::Kind::Dict: return append_dict_repr(out, value.as_dict());
    case Value::Kind::Object: out += value.as_object().repr(); return;
  }
}

std::string repr(const Value& value) {
  std::string out;
  append_repr(out, value);
  return out;
}

}  // namespace transformers::chat_templates::detail
