// jinja2's filters (filters.py) with transformers' tojson. Filters that return generators in
// jinja2 (map, select, selectattr, unique, items, batch, reverse...) return one-shot iterators here
// too, so a template that iterates one twice sees what Python sees (nothing, the second time).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "evaluator.hpp"
#include "json.hpp"
#include "library.hpp"
#include "operators.hpp"
#include "text.hpp"

namespace transformers::chat_templates::detail {

namespace {

Value iterator(std::vector<Value> items) { return Value::list(std::move(items), Value::Sequence::Iterator); }

[[noreturn]] void filter_argument_error(const std::string& message) { raise("FilterArgumentError", message); }

// jinja2's ignore_case: strings compare lowercased.
Value ignore_case(const Value& value) {
  return value.is_string() ? Value::string(to_lower(value.as_string())) : value;
}

// make_attrgetter: "a.b.0" read with the sandbox's getitem, part by part.
class AttributeGetter {
 public:
  AttributeGetter(Interpreter& interpreter, const Value* attribute, bool lowercase = false,
                  std::optional<Value> fallback = std::nullopt)
      : interpreter_(interpreter), lowercase_(lowercase), fallback_(std::move(fallback)) {
    if (!attribute || attribute->is_none()) return;
    present_ = true;
    if (!attribute->is_string()) {
      parts_.push_back(*attribute);
      return;
    }
    const std::string& text = attribute->as_string();
    size_t start = 0;
    while (true) {
      const size_t dot = text.find('.', start);
      std::string part = text.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      const bool digits = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
      parts_.push_back(digits ? Value::integer(std::stoll(part)) : Value::string(std::move(part)));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  bool present() const { return present_; }

  Value operator()(const Value& item) const {
    Value value = item;
    for (const Value& part : parts_) {
      value = interpreter_.get_item(value, part);
      if (fallback_ && !fallback_->is_none() && value.is_undefined()) value = *fallback_;
    }
    return lowercase_ ? ignore_case(value) : value;
  }

 private:
  Interpreter& interpreter_;
  bool lowercase_;
  std::optional<Value> fallback_;
  bool present_ = false;
  std::vector<Value> parts_;
};

// ---- strings ----

Value filter_string(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("string", a, {});
  return v.is_string() ? v : Value::string(to_str(v));
}

Value filter_upper(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("upper", a, {});
  return Value::string(to_upper(to_str(v)));
}

Value filter_lower(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("lower", a, {});
  return Value::string(to_lower(to_str(v)));
}

Value filter_capitalize(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("capitalize", a, {});
  return Value::string(capitalize(to_str(v)));
}

// jinja2's own title: each piece after a run of "-", whitespace or an opening bracket gets its
// first character upper-cased and the rest lower-cased.
Value filter_title(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("title", a, {});
  const std::string text = to_str(v);
  auto separator = [](char32_t c) { return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || is_python_space(c); };
  std::string out;
  size_t at = 0, length = 0;
  while (at < text.size()) {
    const size_t start = at;
    const bool in_separators = separator(decode_utf8(text, at, length));
    while (at < text.size() && separator(decode_utf8(text, at, length)) == in_separators) at += length;
    const std::string_view piece = std::string_view(text).substr(start, at - start);
    decode_utf8(piece, 0, length);
    out += to_upper(piece.substr(0, length));
    out += to_lower(piece.substr(length));
  }
  return Value::string(std::move(out));
}

Value filter_trim(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("trim", a, {"chars"});
  const std::string text = to_str(v);
  const Value* chars = bound.get(0);
  if (!chars || chars->is_none()) return Value::string(std::string(strip(text, nullptr, true, true)));
  if (!chars->is_string()) raise("TypeError", "strip arg must be None or str");
  const std::string_view view = chars->as_string();
  return Value::string(std::string(strip(text, &view, true, true)));
}

Value filter_replace(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("replace", a, {"old", "new", "count"});
  CallArguments method;
  method.positional = {Value::string(to_str(bound.required(0))), Value::string(to_str(bound.required(1)))};
  if (bound.has(2) && !bound.get(2)->is_none()) method.positional.push_back(*bound.get(2));
  return call_method(interpreter, Value::string(to_str(v)), "replace", std::move(method));
}

Value filter_center(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("center", a, {"width"});
  CallArguments method;
  method.positional = {bound.get_or(0, Value::integer(80))};
  return call_method(interpreter, Value::string(to_str(v)), "center", std::move(method));
}

// splitlines() as do_indent uses it.
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0, at = 0, length = 0;
  while (at < text.size()) {
    const char32_t c = decode_utf8(text, at, length);
    const bool brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E ||
                     c == 0x85 || c == 0x2028 || c == 0x2029;
    if (!brk) {
      at += length;
      continue;
    }
    lines.push_back(text.substr(start, at - start));
    at += length;
    if (c == '\r' && at < text.size() && text[at] == '\n') ++at;
    start = at;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

Value filter_indent(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("indent", a, {"width", "first", "blank"});
  const Value width = bound.get_or(0, Value::integer(4));
  const std::string indentation =
      width.is_string() ? width.as_string() : std::string(static_cast<size_t>(std::max<int64_t>(0, to_index(width, "width"))), ' ');
  const bool first = bound.has(1) && truthy(*bound.get(1)), blank = bound.has(2) && truthy(*bound.get(2));
  if (v.is_undefined()) fail_undefined(v);  // s += "\n" on an Undefined
  const std::vector<std::string> lines = split_lines(to_str(v) + "\n");
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    if (i && (blank || !lines[i].empty())) out += indentation;
    out += lines[i];
    interpreter.check_string_size(out.size());
  }
  if (first) out = indentation + out;
  return Value::string(std::move(out), v.is_markup());
}

Value filter_format(Interpreter& interpreter, const Value& v, CallArguments& a) {
  if (!a.positional.empty() && !a.keywords.empty())
    filter_argument_error("can't handle positional and keyword arguments at the same time");
  Value arguments;
  if (!a.keywords.empty()) {
    auto dict = std::make_shared<DictObject>();
    for (auto& [name, value] : a.keywords) dict->set(Value::string(name), std::move(value));
    arguments = Value::dict(std::move(dict));
  } else {
    arguments = Value::list(std::move(a.positional), Value::Sequence::Tuple);
  }
  return percent_format(interpreter, Value::string(to_str(v)), arguments);
}

Value filter_truncate(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("truncate", a, {"length", "killwords", "end", "leeway"});
  const std::string text = to_str(v);
  const int64_t length = bound.has(0) ? to_index(*bound.get(0), "length") : 255;
  const bool killwords = bound.has(1) && truthy(*bound.get(1));
  const std::string end = bound.has(2) ? to_str(*bound.get(2)) : "...";
  const int64_t leeway = bound.has(3) && !bound.get(3)->is_none() ? to_index(*bound.get(3), "leeway") : 5;
  const auto end_length = static_cast<int64_t>(count_code_points(end));
  if (length < end_length) raise("AssertionError", "expected length >= " + std::to_string(end_length) + ", got " + std::to_string(length));
  if (leeway < 0) raise("AssertionError", "expected leeway >= 0, got " + std::to_string(leeway));
  const auto count = static_cast<int64_t>(count_code_points(text));
  if (count <= length + leeway) return Value::string(text);
  std::string head = text.substr(0, byte_offset_of(text, static_cast<size_t>(length - end_length)));
  if (!killwords) {
    const size_t space = head.rfind(' ');
    if (space != std::string::npos) head = head.substr(0, space);
  }
  return Value::string(head + end);
}

Value filter_wordcount(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("wordcount", a, {});
  const std::string text = to_str(v);
  int64_t words = 0;
  bool in_word = false;
  for (size_t at = 0, length = 0; at < text.size(); at += length) {
    const char32_t c = decode_utf8(text, at, length);
    const bool word = is_alnum(c) || c == '_';
    if (word && !in_word) ++words;
    in_word = word;
  }
  return Value::integer(words);
}

Value filter_safe(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("safe", a, {});
  return Value::string(to_str(v), true);
}

Value filter_escape(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("escape", a, {});
  if (v.is_markup()) return v;
  return Value::string(html_escape(to_str(v)), true);
}

Value filter_forceescape(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("forceescape", a, {});
  return Value::string(html_escape(to_str(v)), true);
}

Value filter_tojson(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("tojson", a, {"ensure_ascii", "indent", "separators", "sort_keys"});
  JsonDumpOptions options;
  options.ensure_ascii = bound.has(0) && truthy(*bound.get(0));
  if (const Value* indent = bound.get(1); indent && !indent->is_none()) {
    if (indent->is_string()) {
      options.indent = indent->as_string();
    } else if (indent->is_int() || indent->is_bool()) {
      options.indent = std::string(static_cast<size_t>(std::max<int64_t>(0, indent->as_int())), ' ');
    } else {
      raise("TypeError", "can't multiply sequence by non-int of type '" + type_name(*indent) + "'");
    }
  }
  if (const Value* separators = bound.get(2); separators && !separators->is_none()) {
    std::vector<Value> parts = iterate(*separators);
    if (parts.size() != 2) raise("ValueError", "separators must be a pair of strings");
    if (!parts[0].is_string() || !parts[1].is_string()) raise("TypeError", "separators must be strings");
    options.item_separator = parts[0].as_string();
    options.key_separator = parts[1].as_string();
  }
  options.sort_keys = bound.has(3) && truthy(*bound.get(3));
  std::string text = dump_json(v, options);
  interpreter.check_string_size(text.size());
  return Value::string(std::move(text));
}

// ---- numbers ----

// Python's int(str, base): optional whitespace and sign, digits with single underscores.
std::optional<int64_t> parse_int(std::string_view text, int64_t base) {
  text = strip(text, nullptr, true, true);
  bool negative = false;
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (text.size() > 2 && text[0] == '0') {
    const char p = static_cast<char>(text[1] | 0x20);
    if ((p == 'x' && (base == 16 || base == 0)) || (p == 'o' && (base == 8 || base == 0)) || (p == 'b' && (base == 2 || base == 0))) {
      base = p == 'x' ? 16 : p == 'o' ? 8 : 2;
      text.remove_prefix(2);
      if (!text.empty() && text[0] == '_') text.remove_prefix(1);
    }
  }
  if (base == 0) base = 10;
  if (text.empty() || text.front() == '_' || text.back() == '_') return std::nullopt;
  int64_t value = 0;
  char previous = 0;
  for (char c : text) {
    if (c == '_') {
      if (previous == '_') return std::nullopt;
      previous = c;
      continue;
    }
    previous = c;
    const int digit = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'z' ? (c | 0x20) - 'a' + 10 : 99;
    if (digit >= base) return std::nullopt;
    if (__builtin_mul_overflow(value, base, &value) || __builtin_add_overflow(value, digit, &value)) return std::nullopt;
  }
  return negative ? -value : value;
}

// Python's float(str): decimal text, "inf", "nan", with surrounding whitespace and underscores.
std::optional<double> parse_float(std::string_view text) {
  text = strip(text, nullptr, true, true);
  std::string clean;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      if (i == 0 || i + 1 == text.size() || !std::isdigit(static_cast<unsigned char>(text[i - 1])) ||
          !std::isdigit(static_cast<unsigned char>(text[i + 1])))
        return std::nullopt;
      continue;
    }
    clean += text[i];
  }
  if (clean.empty()) return std::nullopt;
  std::string lower = to_lower(clean);
  const std::string_view body = lower[0] == '+' || lower[0] == '-' ? std::string_view(lower).substr(1) : lower;
  if (body == "inf" || body == "infinity") return lower[0] == '-' ? -INFINITY : INFINITY;
  if (body == "nan") return NAN;
  for (char c : body)
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.' && c != 'e' && c != '+' && c != '-') return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(clean.c_str(), &end);
  if (end != clean.c_str() + clean.size()) return std::nullopt;
  return value;
}

std::optional<Value> to_int(const Value& v, int64_t base) {
  if (v.is_int() || v.is_bool()) return Value::integer(v.as_int());
  if (v.is_float()) {
    const double d = v.as_float();
    if (std::isnan(d)) raise("ValueError", "cannot convert float NaN to integer");
    if (std::isinf(d)) raise("OverflowError", "cannot convert float infinity to integer");
    if (std::fabs(d) >= 9.2e18) raise("OverflowError", "integer does not fit in 64 bits");
    return Value::integer(static_cast<int64_t>(std::trunc(d)));
  }
  if (v.is_string()) {
    if (auto parsed = parse_int(v.as_string(), base)) return Value::integer(*parsed);
    if (auto parsed = parse_float(v.as_string())) return to_int(Value::floating(*parsed), 10);
  }
  return std::nullopt;
}

Value filter_int(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("int", a, {"default", "base"});
  const int64_t base = bound.has(1) ? to_index(*bound.get(1), "base") : 10;
  if (auto result = to_int(v, base)) return *result;
  return bound.get_or(0, Value::integer(0));
}

Value filter_float(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("float", a, {"default"});
  if (v.is_number()) return Value::floating(v.as_float());
  if (v.is_string())
    if (auto parsed = parse_float(v.as_string())) return Value::floating(*parsed);
  return bound.get_or(0, Value::floating(0.0));
}

Value filter_abs(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("abs", a, {});
  if (v.is_float()) return Value::floating(std::fabs(v.as_float()));
  if (v.is_int() || v.is_bool()) {
    if (v.as_int() == INT64_MIN) raise("OverflowError", "integer does not fit in 64 bits");
    return Value::integer(std::llabs(v.as_int()));
  }
  if (v.is_undefined()) fail_undefined(v);
  raise("TypeError", "bad operand type for abs(): '" + type_name(v) + "'");
}

// Python's round(x, n) for a float: correctly rounded through the decimal text, as CPython does.
double round_half_even(double value, int64_t digits) {
  if (!std::isfinite(value)) return value;
  if (digits > 300) return value;
  if (digits < -308) return std::copysign(0.0, value);
  if (digits >= 0) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, "%.*f", static_cast<int>(digits), value);
    return std::strtod(buffer, nullptr);
  }
  const double scale = std::pow(10.0, static_cast<double>(-digits));
  const double scaled = value / scale;
  return std::nearbyint(scaled) * scale;
}

Value filter_round(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("round", a, {"precision", "method"});
  const int64_t precision = bound.has(0) ? to_index(*bound.get(0), "precision") : 0;
  const std::string method = bound.has(1) ? to_str(*bound.get(1)) : "common";
  if (method != "common" && method != "ceil" && method != "floor")
    filter_argument_error("method must be common, ceil or floor");
  if (v.is_undefined()) fail_undefined(v);
  if (!v.is_number()) raise("TypeError", "type " + type_name(v) + " doesn't define __round__ method");
  if (method == "common") {
    if (!v.is_float()) {
      if (precision >= 0) return Value::integer(v.as_int());
      const double rounded = round_half_even(v.as_float(), precision);
      return Value::integer(static_cast<int64_t>(rounded));
    }
    return Value::floating(round_half_even(v.as_float(), precision));
  }
  const double scale = std::pow(10.0, static_cast<double>(precision));
  const double scaled = v.as_float() * scale;
  return Value::floating((method == "ceil" ? std::ceil(scaled) : std::floor(scaled)) / scale);
}

// ---- sequences ----

Value filter_length(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("length", a, {});
  return Value::integer(static_cast<int64_t>(length(v)));
}

Value filter_list(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("list", a, {});
  return Value::list(iterate(v));
}

Value filter_first(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("first", a, {});
  if (v.is_list() && v.sequence() == Value::Sequence::Iterator) {
    ListObject& list = v.list_object();
    if (list.consumed < list.items.size()) return list.items[list.consumed++];
    return Value::undefined("No first item, sequence was empty.");
  }
  std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No first item, sequence was empty.");
  return items.front();
}

Value filter_last(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("last", a, {});
  if (v.is_list() && v.sequence() == Value::Sequence::Iterator)
    raise("TypeError", "'generator' object is not reversible");
  std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No last item, sequence was empty.");
  return items.back();
}

Value filter_join(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("join", a, {"d", "attribute"});
  const std::string separator = bound.has(0) ? to_str(*bound.get(0)) : "";
  const AttributeGetter getter(interpreter, bound.get(1));
  std::vector<Value> items = iterate(v);
  bool markup = false;
  for (Value& item : items) {
    if (getter.present()) item = getter(item);
    markup |= item.is_markup();
  }
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += markup && !(bound.has(0) && bound.get(0)->is_markup()) ? html_escape(separator) : separator;
    out += markup && !items[i].is_markup() ? html_escape(to_str(items[i])) : to_str(items[i]);
    interpreter.check_string_size(out.size());
  }
  return Value::string(std::move(out), markup);
}

Value filter_default(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("default", a, {"default_value", "boolean"});
  const bool boolean = bound.has(1) && truthy(*bound.get(1));
  if (v.is_undefined() || (boolean && !truthy(v))) return bound.get_or(0, Value::string(""));
  return v;
}

Value filter_items(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("items", a, {});
  if (v.is_undefined()) return iterator({});
  if (!v.is_dict()) raise("TypeError", "Can only get item pairs from a mapping.");
  std::vector<Value> pairs;
  for (const auto& [key, value] : v.as_dict().entries) pairs.push_back(Value::list({key, value}, Value::Sequence::Tuple));
  return iterator(std::move(pairs));
}

void sort_values(std::vector<Value>& items, const std::vector<Value>& keys, bool reverse) {
  std::vector<size_t> order(items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    return reverse ? less(keys[y], keys[x]) : less(keys[x], keys[y]);
  });
  std::vector<Value> sorted;
  sorted.reserve(items.size());
  for (size_t i : order) sorted.push_back(std::move(items[i]));
  items = std::move(sorted);
}

Value filter_dictsort(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("dictsort", a, {"case_sensitive", "by", "reverse"});
  const bool case_sensitive = bound.has(0) && truthy(*bound.get(0));
  const std::string by = bound.has(1) ? to_str(*bound.get(1)) : "key";
  const bool reverse = bound.has(2) && truthy(*bound.get(2));
  if (by != "key" && by != "value") filter_argument_error("You can only sort by either 'key' or 'value'");
  if (v.is_undefined()) fail_undefined(v);
  if (!v.is_dict()) raise("AttributeError", "'" + type_name(v) + "' object has no attribute 'items'");
  std::vector<Value> pairs, keys;
  for (const auto& [key, value] : v.as_dict().entries) {
    pairs.push_back(Value::list({key, value}, Value::Sequence::Tuple));
    const Value& sort_key = by == "key" ? key : value;
    keys.push_back(case_sensitive ? sort_key : ignore_case(sort_key));
  }
  sort_values(pairs, keys, reverse);
  return Value::list(std::move(pairs));
}

// make_multi_attrgetter: "a,b" sorts by a tuple of attributes.
Value multi_key(Interpreter& interpreter, const Value& item, const Value* attribute, bool lowercase) {
  if (!attribute || attribute->is_none()) return lowercase ? ignore_case(item) : item;
  if (!attribute->is_string()) return AttributeGetter(interpreter, attribute, lowercase)(item);
  const std::string& text = attribute->as_string();
  if (text.find(',') == std::string::npos) return AttributeGetter(interpreter, attribute, lowercase)(item);
  std::vector<Value> parts;
  size_t start = 0;
  while (true) {
    const size_t comma = text.find(',', start);
    const Value name = Value::string(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    parts.push_back(AttributeGetter(interpreter, &name, lowercase)(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return Value::list(std::move(parts));
}

Value filter_sort(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("sort", a, {"reverse", "case_sensitive", "attribute"});
  const bool reverse = bound.has(0) && truthy(*bound.get(0));
  const bool case_sensitive = bound.has(1) && truthy(*bound.get(1));
  std::vector<Value> items = iterate(v), keys;
  for (const Value& item : items) keys.push_back(multi_key(interpreter, item, bound.get(2), !case_sensitive));
  sort_values(items, keys, reverse);
  return Value::list(std::move(items));
}

// A hashable key for unique(): Python's hash equality for scalars and tuples.
void check_hashable(const Value& key) {
  if (key.is_dict() || (key.is_list() && key.sequence() == Value::Sequence::List))
    raise("TypeError", "unhashable type: '" + type_name(key) + "'");
}

Value filter_unique(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("unique", a, {"case_sensitive", "attribute"});
  const bool case_sensitive = bound.has(0) && truthy(*bound.get(0));
  const AttributeGetter getter(interpreter, bound.get(1), !case_sensitive);
  std::vector<Value> seen, out;
  for (Value& item : iterate(v)) {
    Value key = getter.present() ? getter(item) : (case_sensitive ? item : ignore_case(item));
    check_hashable(key);
    if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, key); })) continue;
    seen.push_back(std::move(key));
    out.push_back(std::move(item));
  }
  return iterator(std::move(out));
}

Value min_or_max(Interpreter& interpreter, const Value& v, CallArguments& a, bool maximum) {
  BoundArguments bound(maximum ? "max" : "min", a, {"case_sensitive", "attribute"});
  const bool case_sensitive = bound.has(0) && truthy(*bound.get(0));
  const AttributeGetter getter(interpreter, bound.get(1), !case_sensitive);
  std::vector<Value> items = iterate(v);
  if (items.empty()) return Value::undefined("No aggregated item, sequence was empty.");
  auto key = [&](const Value& item) { return getter.present() ? getter(item) : (case_sensitive ? item : ignore_case(item)); };
  size_t best = 0;
  Value best_key = key(items[0]);
  for (size_t i = 1; i < items.size(); ++i) {
    Value k = key(items[i]);
    if (maximum ? less(best_key, k) : less(k, best_key)) {
      best = i;
      best_key = std::move(k);
    }
  }
  return items[best];
}

Value filter_min(Interpreter& interpreter, const Value& v, CallArguments& a) { return min_or_max(interpreter, v, a, false); }
Value filter_max(Interpreter& interpreter, const Value& v, CallArguments& a) { return min_or_max(interpreter, v, a, true); }

Value filter_sum(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("sum", a, {"attribute", "start"});
  const AttributeGetter getter(interpreter, bound.get(0));
  Value total = bound.get_or(1, Value::integer(0));
  for (const Value& item : iterate(v)) total = binary_operation(interpreter, BinaryOp::Add, total, getter.present() ? getter(item) : item);
  return total;
}

// A str reversed; a sequence as reversed() gives it (an iterator), a generator as a list.
Value filter_reverse(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("reverse", a, {});
  if (v.is_string()) return *slice(v, Value::none(), Value::none(), Value::integer(-1));
  if (v.is_list() && v.sequence() == Value::Sequence::Iterator) {
    std::vector<Value> items = iterate(v);
    std::reverse(items.begin(), items.end());
    return Value::list(std::move(items));
  }
  std::vector<Value> items = iterate(v);
  std::reverse(items.begin(), items.end());
  return iterator(std::move(items));
}

Value filter_batch(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("batch", a, {"linecount", "fill_with"});
  const int64_t size = to_index(bound.required(0), "linecount");
  if (size <= 0) raise("ValueError", "batch size must be positive");
  std::vector<Value> batches, current;
  for (Value& item : iterate(v)) {
    current.push_back(std::move(item));
    if (static_cast<int64_t>(current.size()) == size) {
      batches.push_back(Value::list(std::move(current)));
      current.clear();
    }
  }
  if (!current.empty()) {
    if (bound.has(1) && !bound.get(1)->is_none())
      while (static_cast<int64_t>(current.size()) < size) current.push_back(*bound.get(1));
    batches.push_back(Value::list(std::move(current)));
  }
  return iterator(std::move(batches));
}

Value filter_slice(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("slice", a, {"slices", "fill_with"});
  const int64_t slices = to_index(bound.required(0), "slices");
  std::vector<Value> items = iterate(v), out;
  if (slices <= 0) raise("ZeroDivisionError", "integer division or modulo by zero");
  const size_t count = static_cast<size_t>(slices);
  const size_t per = items.size() / count, extra = items.size() % count;
  size_t offset = 0;
  for (size_t i = 0; i < count; ++i) {
    const size_t start = offset + i * per;
    if (i < extra) ++offset;
    const size_t end = offset + (i + 1) * per;
    std::vector<Value> part(items.begin() + static_cast<std::ptrdiff_t>(start), items.begin() + static_cast<std::ptrdiff_t>(end));
    if (bound.has(1) && !bound.get(1)->is_none() && i >= extra) part.push_back(*bound.get(1));
    out.push_back(Value::list(std::move(part)));
  }
  return iterator(std::move(out));
}

Value filter_attr(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("attr", a, {"name"});
  const Value& name = bound.required(0);
  if (!name.is_string()) raise("TypeError", "attribute name must be string, not '" + type_name(name) + "'");
  const std::string& attribute = name.as_string();
  if (v.is_undefined()) fail_undefined(v);
  if (v.is_object())
    if (auto value = v.as_object().attribute(attribute)) return *value;
  switch (method_access(v, attribute)) {
    case MethodAccess::Safe: return bound_method(v, attribute);
    case MethodAccess::Unsafe:
      return Value::undefined("access to attribute '" + attribute + "' of '" + type_name(v) + "' object is unsafe.",
                              "SecurityError");
    case MethodAccess::Missing: break;
  }
  return Value::undefined("'" + object_description(v) + "' has no attribute '" + attribute + "'");
}

// map(filter, *args) or map(attribute=..., default=...).
Value filter_map(Interpreter& interpreter, const Value& v, CallArguments& a) {
  std::vector<Value> items = truthy(v) ? iterate(v) : std::vector<Value>{};
  if (a.positional.empty()) {
    std::optional<Value> attribute, fallback;
    std::vector<std::pair<std::string, Value>> rest;
    for (auto& [name, value] : a.keywords) {
      if (name == "attribute") attribute = value;
      else if (name == "default") fallback = value;
      else rest.emplace_back(name, value);
    }
    if (!attribute) filter_argument_error("map requires a filter argument");
    if (!rest.empty()) filter_argument_error("Unexpected keyword argument " + repr(Value::string(rest.front().first)));
    const AttributeGetter getter(interpreter, &*attribute, false, fallback);
    for (Value& item : items) item = getter(item);
    return iterator(std::move(items));
  }
  const Value name = a.positional.front();
  if (!name.is_string()) raise("TypeError", "filter name must be a string");
  const FilterDefinition* definition = find_filter(name.as_string());
  if (!definition) raise("TemplateRuntimeError", "No filter named '" + name.as_string() + "'.");
  for (Value& item : items) {
    CallArguments arguments;
    arguments.positional.assign(a.positional.begin() + 1, a.positional.end());
    arguments.keywords = a.keywords;
    item = definition->function(interpreter, item, arguments);
  }
  return iterator(std::move(items));
}

Value select_or_reject(Interpreter& interpreter, const Value& v, CallArguments& a, bool select, bool by_attribute) {
  std::vector<Value> items = truthy(v) ? iterate(v) : std::vector<Value>{};
  size_t offset = 0;
  std::optional<AttributeGetter> getter;
  if (by_attribute) {
    if (a.positional.empty()) filter_argument_error("Missing parameter for attribute name");
    getter.emplace(interpreter, &a.positional[0]);
    offset = 1;
  }
  const TestDefinition* test = nullptr;
  if (a.positional.size() > offset) {
    const Value& name = a.positional[offset];
    if (!name.is_string()) raise("TypeError", "test name must be a string");
    test = find_test(name.as_string());
    if (!test) raise("TemplateRuntimeError", "No test named '" + name.as_string() + "'.");
  }
  std::vector<Value> out;
  for (Value& item : items) {
    const Value subject = getter ? (*getter)(item) : item;
    bool passed;
    if (test) {
      CallArguments arguments;
      arguments.positional.assign(a.positional.begin() + static_cast<std::ptrdiff_t>(offset + 1), a.positional.end());
      arguments.keywords = a.keywords;
      passed = test->function(interpreter, subject, arguments);
    } else {
      passed = truthy(subject);
    }
    if (passed == select) out.push_back(std::move(item));
  }
  return iterator(std::move(out));
}

Value filter_select(Interpreter& i, const Value& v, CallArguments& a) { return select_or_reject(i, v, a, true, false); }
Value filter_reject(Interpreter& i, const Value& v, CallArguments& a) { return select_or_reject(i, v, a, false, false); }
Value filter_selectattr(Interpreter& i, const Value& v, CallArguments& a) { return select_or_reject(i, v, a, true, true); }
Value filter_rejectattr(Interpreter& i, const Value& v, CallArguments& a) { return select_or_reject(i, v, a, false, true); }

Value filter_pprint(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("pprint", a, {});
  return Value::string(repr(v));
}

Value filter_unsupported(Interpreter&, const Value&, CallArguments&) {
  raise("TemplateRuntimeError", "this jinja2 filter is not supported by transformers.cpp");
}

constexpr FilterDefinition kFilters[] = {
    {"abs", filter_abs},
    {"attr", filter_attr},
    {"batch", filter_batch},
    {"capitalize", filter_capitalize},
    {"center", filter_center},
    {"count", filter_length},
    {"d", filter_default},
    {"default", filter_default},
    {"dictsort", filter_dictsort},
    {"e", filter_escape},
    {"escape", filter_escape},
    {"filesizeformat", filter_unsupported},
    {"first", filter_first},
    {"float", filter_float},
    {"forceescape", filter_forceescape},
    {"format", filter_format},
    {"groupby", filter_unsupported},
    {"indent", filter_indent},
    {"int", filter_int},
    {"items", filter_items},
    {"join", filter_join},
    {"last", filter_last},
    {"length", filter_length},
    {"list", filter_list},
    {"lower", filter_lower},
    {"map", filter_map},
    {"max", filter_max},
    {"min", filter_min},
    {"pprint", filter_pprint},
    {"random", filter_unsupported},
    {"reject", filter_reject},
    {"rejectattr", filter_rejectattr},
    {"replace", filter_replace},
    {"reverse", filter_reverse},
    {"round", filter_round},
    {"safe", filter_safe},
    {"select", filter_select},
    {"selectattr", filter_selectattr},
    {"slice", filter_slice},
    {"sort", filter_sort},
    {"string", filter_string},
    {"striptags", filter_unsupported},
    {"sum", filter_sum},
    {"title", filter_title},
    {"tojson", filter_tojson},
    {"trim", filter_trim},
    {"truncate", filter_truncate},
    {"unique", filter_unique},
    {"upper", filter_upper},
    {"urlencode", filter_unsupported},
    {"urlize", filter_unsupported},
    {"wordcount", filter_wordcount},
    {"wordwrap", filter_unsupported},
    {"xmlattr", filter_unsupported},
};

}  // namespace

const FilterDefinition* find_filter(std::string_view name) {
  for (const FilterDefinition& filter : kFilters)
    if (filter.name == name) return &filter;
  return nullptr;
}

}  // namespace transformers::chat_templates::detail
