// The Python methods of str, list, tuple and dict that templates call ("x.strip()", "d.items()"),
// and the sandbox's verdict on each name: ImmutableSandboxedEnvironment hides the methods that
// modify a list or dict (append, pop, update...), so they are Unsafe and fail with SecurityError
// when called, as in transformers.
#include <algorithm>

#include "evaluator.hpp"
#include "library.hpp"
#include "text.hpp"

namespace transformers::chat_templates::detail {

namespace {

constexpr std::string_view kStringMethods[] = {
    "capitalize", "casefold", "center", "count", "encode", "endswith", "expandtabs", "find", "format",
    "format_map", "index", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit", "isidentifier", "islower",
    "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower", "lstrip", "maketrans",
    "partition", "removeprefix", "removesuffix", "replace", "rfind", "rindex", "rjust", "rpartition", "rsplit",
    "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "translate", "upper", "zfill"};
constexpr std::string_view kListSafe[] = {"copy", "count", "index"};
constexpr std::string_view kListUnsafe[] = {"append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"};
constexpr std::string_view kTupleSafe[] = {"count", "index"};
constexpr std::string_view kDictSafe[] = {"copy", "fromkeys", "get", "items", "keys", "values"};
constexpr std::string_view kDictUnsafe[] = {"clear", "pop", "popitem", "setdefault", "update"};

template <size_t N>
bool listed(const std::string_view (&names)[N], std::string_view name) {
  return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

struct BoundMethod final : SpecialObject {
  BoundMethod(Value self, std::string method) : object(std::move(self)), name(std::move(method)) {}
  std::string type_name() const override { return "builtin_function_or_method"; }
  std::string repr() const override {
    return "<built-in method " + name + " of " + detail::type_name(object) + " object>";
  }
  bool callable() const override { return true; }
  Value call(Interpreter& interpreter, CallArguments arguments) const override {
    return call_method(interpreter, object, name, std::move(arguments));
  }
  Value object;
  std::string name;
};

const std::string& string_argument(const Value& value, std::string_view function) {
  if (!value.is_string())
    raise("TypeError", std::string(function) + "() argument must be str, not " + type_name(value));
  return value.as_string();
}

// Python's str.split(sep=None, maxsplit=-1) and rsplit.
Value split(const std::string& text, const Value* separator, int64_t limit, bool from_right) {
  std::vector<std::string> parts;
  if (!separator || separator->is_none()) {
    // Runs of whitespace separate; leading and trailing whitespace give no empty parts.
    std::vector<std::pair<size_t, size_t>> words;
    size_t at = 0, length = 0;
    while (at < text.size()) {
      while (at < text.size() && is_python_space(decode_utf8(text, at, length))) at += length;
      if (at >= text.size()) break;
      const size_t start = at;
      while (at < text.size() && !is_python_space(decode_utf8(text, at, length))) at += length;
      words.emplace_back(start, at);
    }
    if (limit < 0 || static_cast<size_t>(limit) >= words.size() || words.empty()) {
      for (const auto& [b, e] : words) parts.push_back(text.substr(b, e - b));
    } else if (!from_right) {
      for (size_t i = 0; i < static_cast<size_t>(limit); ++i) parts.push_back(text.substr(words[i].first, words[i].second - words[i].first));
      parts.push_back(std::string(strip(std::string_view(text).substr(words[static_cast<size_t>(limit)].first), nullptr, false, true)));
    } else {
      const size_t keep = words.size() - static_cast<size_t>(limit);
      parts.push_back(std::string(strip(std::string_view(text).substr(0, words[keep - 1].second), nullptr, true, false)));
      for (size_t i = keep; i < words.size(); ++i) parts.push_back(text.substr(words[i].first, words[i].second - words[i].first));
    }
  } else {
    const std::string& sep = string_argument(*separator, "split");
    if (sep.empty()) raise("ValueError", "empty separator");
    std::vector<size_t> cuts;
    if (!from_right) {
      for (size_t at = text.find(sep); at != std::string::npos && (limit < 0 || cuts.size() < static_cast<size_t>(limit));
           at = text.find(sep, at + sep.size()))
        cuts.push_back(at);
    } else {
      size_t end = text.size();
      while (limit < 0 || cuts.size() < static_cast<size_t>(limit)) {
        if (end < sep.size()) break;
        const size_t at = text.rfind(sep, end - sep.size());
        if (at == std::string::npos) break;
        cuts.insert(cuts.begin(), at);
        end = at;
      }
    }
    size_t start = 0;
    for (size_t cut : cuts) {
      parts.push_back(text.substr(start, cut - start));
      start = cut + sep.size();
    }
    parts.push_back(text.substr(start));
  }
  std::vector<Value> values;
  values.reserve(parts.size());
  for (std::string& part : parts) values.push_back(Value::string(std::move(part)));
  return Value::list(std::move(values));
}

bool is_line_break(char32_t c) {
  return c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E || c == 0x85 ||
         c == 0x2028 || c == 0x2029;
}

// Code point bounds of str methods' optional start and end arguments, as byte offsets.
std::pair<size_t, size_t> byte_bounds(const std::string& text, const BoundArguments& bound, size_t first) {
  const auto count = static_cast<int64_t>(count_code_points(text));
  auto clamp = [&](const Value* v, int64_t fallback) {
    if (!v || v->is_none()) return fallback;
    int64_t i = to_index(*v, "slice indices");
    if (i < 0) i = std::max<int64_t>(0, i + count);
    return std::min(i, count);
  };
  const int64_t start = clamp(bound.get(first), 0), end = clamp(bound.get(first + 1), count);
  if (start > end) return {std::string::npos, std::string::npos};
  return {byte_offset_of(text, static_cast<size_t>(start)), byte_offset_of(text, static_cast<size_t>(end))};
}

Value affix_test(const std::string& text, BoundArguments& bound, bool prefix) {
  const auto [begin, end] = byte_bounds(text, bound, 1);
  if (begin == std::string::npos) return Value::boolean(false);
  const std::string_view window = std::string_view(text).substr(begin, end - begin);
  const Value& affixes = bound.required(0);
  auto matches = [&](const Value& affix) {
    const std::string& a = string_argument(affix, prefix ? "startswith" : "endswith");
    return window.size() >= a.size() && (prefix ? window.substr(0, a.size()) == a : window.substr(window.size() - a.size()) == a);
  };
  if (affixes.is_list() && affixes.sequence() == Value::Sequence::Tuple) {
    for (const Value& affix : affixes.items())
      if (matches(affix)) return Value::boolean(true);
    return Value::boolean(false);
  }
  if (!affixes.is_string())
    raise("TypeError", std::string(prefix ? "startswith" : "endswith") +
                           " first arg must be str or a tuple of str, not " + type_name(affixes));
  return Value::boolean(matches(affixes));
}

int64_t code_point_index(const std::string& text, size_t byte) {
  return static_cast<int64_t>(count_code_points(std::string_view(text).substr(0, byte)));
}

Value find(const std::string& text, BoundArguments& bound, bool from_right, bool must_exist) {
  const std::string& needle = string_argument(bound.required(0), "find");
  const auto [begin, end] = byte_bounds(text, bound, 1);
  size_t at = std::string::npos;
  if (begin != std::string::npos && end - begin >= needle.size()) {
    const std::string_view window = std::string_view(text).substr(begin, end - begin);
    const size_t found = from_right ? window.rfind(needle) : window.find(needle);
    if (found != std::string::npos) at = begin + found;
  }
  if (at == std::string::npos) {
    if (must_exist) raise("ValueError", "substring not found");
    return Value::integer(-1);
  }
  return Value::integer(code_point_index(text, at));
}

std::string justify(const std::string& text, BoundArguments& bound, char how) {
  const int64_t width = to_index(bound.required(0), "width");
  std::string fill = " ";
  if (const Value* f = bound.get(1)) {
    fill = string_argument(*f, "fill");
    if (count_code_points(fill) != 1) raise("TypeError", "The fill character must be exactly one character long");
  }
  const auto length = static_cast<int64_t>(count_code_points(text));
  if (width <= length) return text;
  const auto missing = static_cast<size_t>(width - length);
  size_t left = how == '<' ? 0 : how == '>' ? missing : missing / 2 + (missing & static_cast<size_t>(width) & 1);
  size_t right = missing - left;
  std::string out;
  for (size_t i = 0; i < left; ++i) out += fill;
  out += text;
  for (size_t i = 0; i < right; ++i) out += fill;
  return out;
}

template <typename Predicate>
Value all_chars(const std::string& text, Predicate predicate) {
  if (text.empty()) return Value::boolean(false);
  for (size_t at = 0, length = 0; at < text.size(); at += length)
    if (!predicate(decode_utf8(text, at, length))) return Value::boolean(false);
  return Value::boolean(true);
}

Value cased_test(const std::string& text, bool upper) {
  bool cased = false;
  for (size_t at = 0, length = 0; at < text.size(); at += length) {
    const char32_t c = decode_utf8(text, at, length);
    if (upper ? is_cased_lower(c) : is_cased_upper(c)) return Value::boolean(false);
    cased |= upper ? is_cased_upper(c) : is_cased_lower(c);
  }
  return Value::boolean(cased);
}

Value string_method(Interpreter& interpreter, const Value& self, std::string_view name, CallArguments& arguments) {
  const std::string& text = self.as_string();
  const bool markup = self.is_markup();
  auto str = [&](std::string out) {
    interpreter.check_string_size(out.size());
    return Value::string(std::move(out), markup);
  };
  const std::string function(name);
  if (name == "format") return str_format(interpreter, self, arguments);
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    BoundArguments bound(function, arguments, {"chars"});
    const Value* chars = bound.get(0);
    std::string_view chars_view;
    if (chars && !chars->is_none()) chars_view = string_argument(*chars, function);
    const bool explicit_chars = chars && !chars->is_none();
    return str(std::string(strip(text, explicit_chars ? &chars_view : nullptr, name != "rstrip", name != "lstrip")));
  }
  if (name == "split" || name == "rsplit") {
    BoundArguments bound(function, arguments, {"sep", "maxsplit"});
    return split(text, bound.get(0), bound.has(1) ? to_index(*bound.get(1), "maxsplit") : -1, name == "rsplit");
  }
  if (name == "splitlines") {
    BoundArguments bound(function, arguments, {"keepends"});
    const bool keep = bound.has(0) && truthy(*bound.get(0));
    std::vector<Value> lines;
    size_t start = 0, at = 0, length = 0;
    while (at < text.size()) {
      const char32_t c = decode_utf8(text, at, length);
      if (!is_line_break(c)) {
        at += length;
        continue;
      }
      size_t end = at + length;
      if (c == '\r' && end < text.size() && text[end] == '\n') ++end;
      lines.push_back(Value::string(text.substr(start, (keep ? end : at) - start), markup));
      start = at = end;
    }
    if (start < text.size()) lines.push_back(Value::string(text.substr(start), markup));
    return Value::list(std::move(lines));
  }
  if (name == "startswith" || name == "endswith") {
    BoundArguments bound(function, arguments, {"prefix", "start", "end"});
    return affix_test(text, bound, name == "startswith");
  }
  if (name == "replace") {
    BoundArguments bound(function, arguments, {"old", "new", "count"});
    const std::string& old = string_argument(bound.required(0), function);
    const std::string& replacement = string_argument(bound.required(1), function);
    int64_t count = bound.has(2) ? to_index(*bound.get(2), "count") : -1;
    std::string out;
    if (old.empty()) {
      size_t at = 0, length = 0;
      for (; at < text.size() && count != 0; at += length, --count) {
        out += replacement;
        decode_utf8(text, at, length);
        out.append(text, at, length);
        interpreter.check_string_size(out.size());
      }
      if (at >= text.size() && count != 0) out += replacement;
      out.append(text, std::min(at, text.size()));
      return str(std::move(out));
    }
    size_t start = 0;
    for (size_t at = text.find(old); at != std::string::npos && count != 0; at = text.find(old, start), --count) {
      out.append(text, start, at - start);
      out += replacement;
      start = at + old.size();
      interpreter.check_string_size(out.size());
    }
    out.append(text, start);
    return str(std::move(out));
  }
  if (name == "upper") return BoundArguments(function, arguments, {}), str(to_upper(text));
  if (name == "lower" || name == "casefold") return BoundArguments(function, arguments, {}), str(to_lower(text));
  if (name == "title") return BoundArguments(function, arguments, {}), str(title_case(text));
  if (name == "capitalize") return BoundArguments(function, arguments, {}), str(capitalize(text));
  if (name == "swapcase") return BoundArguments(function, arguments, {}), str(swap_case(text));
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex") {
    BoundArguments bound(function, arguments, {"sub", "start", "end"});
    return find(text, bound, name[0] == 'r', name.find("index") != std::string_view::npos);
  }
  if (name == "count") {
    BoundArguments bound(function, arguments, {"sub", "start", "end"});
    const std::string& needle = string_argument(bound.required(0), function);
    const auto [begin, end] = byte_bounds(text, bound, 1);
    if (begin == std::string::npos) return Value::integer(0);
    const std::string_view window = std::string_view(text).substr(begin, end - begin);
    if (needle.empty()) return Value::integer(static_cast<int64_t>(count_code_points(window)) + 1);
    int64_t count = 0;
    for (size_t at = window.find(needle); at != std::string::npos; at = window.find(needle, at + needle.size())) ++count;
    return Value::integer(count);
  }
  if (name == "join") {
    BoundArguments bound(function, arguments, {"iterable"});
    std::string out;
    size_t index = 0;
    for (const Value& item : iterate(bound.required(0))) {
      if (!item.is_string())
        raise("TypeError", "sequence item " + std::to_string(index) + ": expected str instance, " + type_name(item) + " found");
      if (index++) out += text;
      out += item.as_string();
      interpreter.check_string_size(out.size());
    }
    return str(std::move(out));
  }
  if (name == "center" || name == "ljust" || name == "rjust") {
    BoundArguments bound(function, arguments, {"width", "fillchar"});
    return str(justify(text, bound, name == "center" ? '^' : name == "ljust" ? '<' : '>'));
  }
  if (name == "zfill") {
    BoundArguments bound(function, arguments, {"width"});
    const int64_t width = to_index(bound.required(0), "width");
    const auto length = static_cast<int64_t>(count_code_points(text));
    if (width <= length) return str(text);
    const size_t sign = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
    return str(text.substr(0, sign) + std::string(static_cast<size_t>(width - length), '0') + text.substr(sign));
  }
  if (name == "partition" || name == "rpartition") {
    BoundArguments bound(function, arguments, {"sep"});
    const std::string& sep = string_argument(bound.required(0), function);
    if (sep.empty()) raise("ValueError", "empty separator");
    const size_t at = name == "partition" ? text.find(sep) : text.rfind(sep);
    std::vector<Value> parts;
    if (at == std::string::npos) {
      if (name == "partition") parts = {str(text), str(""), str("")};
      else parts = {str(""), str(""), str(text)};
    } else {
      parts = {str(text.substr(0, at)), str(sep), str(text.substr(at + sep.size()))};
    }
    return Value::list(std::move(parts), Value::Sequence::Tuple);
  }
  if (name == "removeprefix" || name == "removesuffix") {
    BoundArguments bound(function, arguments, {"affix"});
    const std::string& affix = string_argument(bound.required(0), function);
    if (name == "removeprefix" && text.compare(0, affix.size(), affix) == 0) return str(text.substr(affix.size()));
    if (name == "removesuffix" && !affix.empty() && text.size() >= affix.size() &&
        text.compare(text.size() - affix.size(), affix.size(), affix) == 0)
      return str(text.substr(0, text.size() - affix.size()));
    return str(text);
  }
  BoundArguments none(function, arguments, {});
  if (name == "isdigit" || name == "isdecimal" || name == "isnumeric") return all_chars(text, is_decimal);
  if (name == "isalpha") return all_chars(text, is_alpha);
  if (name == "isalnum") return all_chars(text, is_alnum);
  if (name == "isspace") return all_chars(text, is_python_space);
  if (name == "isascii") return Value::boolean(is_ascii(text));
  if (name == "isupper") return cased_test(text, true);
  if (name == "islower") return cased_test(text, false);
  if (name == "isprintable") {
    for (size_t at = 0, length = 0; at < text.size(); at += length)
      if (!is_python_printable(decode_utf8(text, at, length))) return Value::boolean(false);
    return Value::boolean(true);
  }
  if (name == "istitle") {  // uppercase only after uncased characters, lowercase only after cased ones
    bool previous_cased = false, any_cased = false;
    for (size_t at = 0, length = 0; at < text.size(); at += length) {
      const char32_t c = decode_utf8(text, at, length);
      const bool upper = is_cased_upper(c), lower = is_cased_lower(c);
      if ((upper && previous_cased) || (lower && !previous_cased)) return Value::boolean(false);
      previous_cased = upper || lower;
      any_cased |= previous_cased;
    }
    return Value::boolean(any_cased);
  }
  raise("TemplateRuntimeError", "str." + function + "() is not supported by transformers.cpp");
}

Value sequence_method(const Value& self, std::string_view name, CallArguments& arguments) {
  const std::string function(name);
  if (name == "copy") return BoundArguments(function, arguments, {}), Value::list(self.items());
  if (name == "count") {
    BoundArguments bound(function, arguments, {"value"});
    int64_t count = 0;
    for (const Value& item : self.items()) count += equals(item, bound.required(0));
    return Value::integer(count);
  }
  BoundArguments bound(function, arguments, {"value", "start", "stop"});
  const auto& items = self.items();
  const auto size = static_cast<int64_t>(items.size());
  auto clamp = [&](size_t index, int64_t fallback) {
    const Value* v = bound.get(index);
    if (!v) return fallback;
    int64_t i = to_index(*v, "slice indices");
    if (i < 0) i = std::max<int64_t>(0, i + size);
    return std::min(i, size);
  };
  for (int64_t i = clamp(1, 0), end = clamp(2, size); i < end; ++i)
    if (equals(items[static_cast<size_t>(i)], bound.required(0))) return Value::integer(i);
  raise("ValueError", repr(bound.required(0)) + " is not in " + type_name(self));
}

Value dict_method(const Value& self, std::string_view name, CallArguments& arguments) {
  const std::string function(name);
  const DictObject& dict = self.as_dict();
  if (name == "get") {
    BoundArguments bound(function, arguments, {"key", "default"});
    const Value& key = bound.required(0);
    if (key.is_dict() || (key.is_list() && key.sequence() == Value::Sequence::List))
      raise("TypeError", "unhashable type: '" + type_name(key) + "'");
    if (const Value* value = dict.find(key)) return *value;
    return bound.get_or(1, Value::none());
  }
  if (name == "fromkeys") {
    BoundArguments bound(function, arguments, {"iterable", "value"});
    auto out = std::make_shared<DictObject>();
    const Value value = bound.get_or(1, Value::none());
    for (Value& key : iterate(bound.required(0))) out->set(std::move(key), value);
    return Value::dict(std::move(out));
  }
  BoundArguments none(function, arguments, {});
  if (name == "copy") {
    auto out = std::make_shared<DictObject>();
    out->entries = dict.entries;
    return Value::dict(std::move(out));
  }
  std::vector<Value> items;
  items.reserve(dict.entries.size());
  for (const auto& [key, value] : dict.entries) {
    if (name == "items") items.push_back(Value::list({key, value}, Value::Sequence::Tuple));
    else items.push_back(name == "keys" ? key : value);
  }
  const auto view = name == "items" ? Value::Sequence::DictItems : name == "keys" ? Value::Sequence::DictKeys
                                                                                   : Value::Sequence::DictValues;
  return Value::list(std::move(items), view);
}

}  // namespace

MethodAccess method_access(const Value& object, std::string_view name) {
  switch (object.kind()) {
    case Value::Kind::String: return listed(kStringMethods, name) ? MethodAccess::Safe : MethodAccess::Missing;
    case Value::Kind::Dict:
      if (listed(kDictSafe, name)) return MethodAccess::Safe;
      return listed(kDictUnsafe, name) ? MethodAccess::Unsafe : MethodAccess::Missing;
    case Value::Kind::List:
      if (object.sequence() == Value::Sequence::List) {
        if (listed(kListSafe, name)) return MethodAccess::Safe;
        return listed(kListUnsafe, name) ? MethodAccess::Unsafe : MethodAccess::Missing;
      }
      if (object.sequence() == Value::Sequence::Tuple || object.sequence() == Value::Sequence::Range)
        return listed(kTupleSafe, name) ? MethodAccess::Safe : MethodAccess::Missing;
      return MethodAccess::Missing;
    default: return MethodAccess::Missing;
  }
}

Value call_method(Interpreter& interpreter, const Value& object, std::string_view name, CallArguments arguments) {
  switch (object.kind()) {
    case Value::Kind::String: return string_method(interpreter, object, name, arguments);
    case Value::Kind::List: return sequence_method(object, name, arguments);
    case Value::Kind::Dict: return dict_method(object, name, arguments);
    default: raise("TypeError", "'" + type_name(object) + "' object has no method " + std::string(name));
  }
}

Value bound_method(const Value& object, std::string_view name) {
  return Value::object(std::make_shared<BoundMethod>(object, std::string(name)));
}

}  // namespace transformers::chat_templates::detail
