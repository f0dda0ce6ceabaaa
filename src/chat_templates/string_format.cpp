// Python's two string formatting languages, as templates use them: printf-style `"%s" % x` (and the
// `format` filter) and str.format with its format-spec mini-language. The sandbox's formatter only
// changes how fields look attributes up; that is the sandbox's getattr here too.
#include <cmath>
#include <cstdio>

#include "evaluator.hpp"
#include "library.hpp"
#include "text.hpp"

namespace transformers::chat_templates::detail {

namespace {

struct Spec {
  char fill = ' ';
  char align = 0;  // '<', '>', '^', '=' or 0
  char sign = '-';
  bool alternate = false, zero = false;
  int64_t width = -1, precision = -1;
  char grouping = 0;
  char type = 0;
};

std::string pad(std::string body, const Spec& spec, char default_align) {
  const auto length = static_cast<int64_t>(count_code_points(body));
  if (spec.width <= length) return body;
  const auto missing = static_cast<size_t>(spec.width - length);
  const char align = spec.align ? spec.align : default_align;
  const std::string fill(1, spec.fill);
  auto repeat = [&](size_t n) {
    std::string out;
    for (size_t i = 0; i < n; ++i) out += fill;
    return out;
  };
  if (align == '<') return body + repeat(missing);
  if (align == '^') return repeat(missing / 2) + body + repeat(missing - missing / 2);
  if (align == '=') {
    const size_t sign = !body.empty() && (body[0] == '-' || body[0] == '+' || body[0] == ' ') ? 1 : 0;
    return body.substr(0, sign) + repeat(missing) + body.substr(sign);
  }
  return repeat(missing) + body;
}

std::string group_digits(const std::string& digits, char separator) {
  if (!separator) return digits;
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i && (n - i) % 3 == 0) out += separator;
    out += digits[i];
  }
  return out;
}

std::string with_sign(std::string body, bool negative, char sign) {
  if (negative) return "-" + body;
  if (sign == '+') return "+" + body;
  if (sign == ' ') return " " + body;
  return body;
}

std::string format_integer(int64_t value, const Spec& spec) {
  const bool negative = value < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::string digits;
  const char type = spec.type ? spec.type : 'd';
  const int base = type == 'x' || type == 'X' ? 16 : type == 'o' ? 8 : type == 'b' ? 2 : 10;
  const char* alphabet = type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
  uint64_t rest = magnitude;
  do {
    digits.insert(digits.begin(), alphabet[rest % static_cast<uint64_t>(base)]);
    rest /= static_cast<uint64_t>(base);
  } while (rest);
  digits = group_digits(digits, spec.grouping);
  if (spec.alternate && base != 10) digits = std::string("0") + (type == 'X' ? 'X' : type) + digits;
  return with_sign(digits, negative, spec.sign);
}

std::string format_float(double value, const Spec& spec) {
  char type = spec.type;
  int64_t precision = spec.precision;
  if (!type) {
    if (precision < 0) {
      std::string text = float_repr(std::fabs(value));
      return with_sign(text, std::signbit(value) && !std::isnan(value), spec.sign);
    }
    type = 'g';
  }
  if (type == 'n') type = 'g';
  if (precision < 0) precision = 6;
  const bool percent = type == '%';
  double shown = percent ? value * 100 : value;
  const bool negative = std::signbit(shown) && !std::isnan(shown);
  shown = std::fabs(shown);
  std::string body;
  if (std::isinf(shown)) {
    body = type >= 'A' && type <= 'Z' ? "INF" : "inf";
  } else if (std::isnan(shown)) {
    body = type >= 'A' && type <= 'Z' ? "NAN" : "nan";
  } else {
    const char c = percent ? 'f' : type;
    char format[16];
    std::snprintf(format, sizeof format, spec.alternate ? "%%#.%lld%c" : "%%.%lld%c",
                  static_cast<long long>(precision), c);
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, format, shown);
    body = buffer;
    if (spec.grouping) {
      const size_t end = body.find_first_not_of("0123456789");
      body = group_digits(body.substr(0, end), spec.grouping) + (end == std::string::npos ? "" : body.substr(end));
    }
  }
  if (percent) body += '%';
  return with_sign(body, negative, spec.sign);
}

Spec parse_spec(std::string_view text) {
  Spec spec;
  size_t i = 0;
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  if (text.size() >= 2 && is_align(text[1])) {
    spec.fill = text[0];
    spec.align = text[1];
    i = 2;
  } else if (!text.empty() && is_align(text[0])) {
    spec.align = text[0];
    i = 1;
  }
  if (i < text.size() && (text[i] == '+' || text[i] == '-' || text[i] == ' ')) spec.sign = text[i++];
  if (i < text.size() && text[i] == '#') spec.alternate = true, ++i;
  if (i < text.size() && text[i] == '0') {
    spec.zero = true;
    if (!spec.align) {
      spec.fill = '0';
      spec.align = '=';
    }
    ++i;
  }
  auto number = [&]() {
    int64_t n = -1;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') n = (n < 0 ? 0 : n * 10) + (text[i++] - '0');
    return n;
  };
  spec.width = number();
  if (i < text.size() && (text[i] == ',' || text[i] == '_')) spec.grouping = text[i++];
  if (i < text.size() && text[i] == '.') {
    ++i;
    spec.precision = number();
    if (spec.precision < 0) raise("ValueError", "Format specifier missing precision");
  }
  if (i < text.size()) spec.type = text[i++];
  if (i != text.size()) raise("ValueError", "Invalid format specifier '" + std::string(text) + "'");
  return spec;
}

// format(value, spec) for str.format's fields.
std::string format_with_spec(const Value& value, std::string_view spec_text) {
  if (spec_text.empty()) return to_str(value);
  const Spec spec = parse_spec(spec_text);
  if (value.is_string()) {
    if (spec.type && spec.type != 's')
      raise("ValueError", std::string("Unknown format code '") + spec.type + "' for object of type 'str'");
    std::string text = value.as_string();
    if (spec.precision >= 0) text = text.substr(0, byte_offset_of(text, std::min<size_t>(static_cast<size_t>(spec.precision), count_code_points(text))));
    return pad(std::move(text), spec, '<');
  }
  if (value.is_int() || value.is_bool()) {
    if (spec.type && std::string_view("eEfFgG%n").find(spec.type) != std::string_view::npos)
      return pad(format_float(value.as_float(), spec), spec, '>');
    if (spec.type == 'c') {
      std::string c;
      append_utf8(c, static_cast<char32_t>(value.as_int()));
      return pad(c, spec, '<');
    }
    if (spec.type && std::string_view("dxXob").find(spec.type) == std::string_view::npos)
      raise("ValueError", std::string("Unknown format code '") + spec.type + "' for object of type 'int'");
    if (value.is_bool() && !spec.type && spec.precision < 0) return pad(to_str(value), spec, '<');
    return pad(format_integer(value.as_int(), spec), spec, '>');
  }
  if (value.is_float()) {
    if (spec.type && std::string_view("eEfFgG%n").find(spec.type) == std::string_view::npos)
      raise("ValueError", std::string("Unknown format code '") + spec.type + "' for object of type 'float'");
    return pad(format_float(value.as_float(), spec), spec, '>');
  }
  raise("TypeError", "unsupported format string passed to " + type_name(value) + ".__format__");
}

// The printf-style conversion of one value.
std::string percent_convert(const Value& value, char conversion, const Spec& spec) {
  switch (conversion) {
    case 's': {
      std::string text = to_str(value);
      if (spec.precision >= 0)
        text = text.substr(0, byte_offset_of(text, std::min<size_t>(static_cast<size_t>(spec.precision), count_code_points(text))));
      return text;
    }
    case 'r':
    case 'a': return repr(value);
    case 'c': {
      if (value.is_string()) return value.as_string();
      std::string c;
      append_utf8(c, static_cast<char32_t>(to_index(value, "%c requires an int or a unicode character")));
      return c;
    }
    default: break;
  }
  if (!value.is_number()) {
    if (value.is_undefined()) fail_undefined(value);
    raise("TypeError", std::string("%") + conversion + " format: a real number is required, not " + type_name(value));
  }
  Spec number_spec = spec;
  if (conversion == 'd' || conversion == 'i' || conversion == 'u') {
    number_spec.type = 'd';
    const int64_t integer = value.is_float() ? static_cast<int64_t>(std::trunc(value.as_float())) : value.as_int();
    return format_integer(integer, number_spec);
  }
  if (conversion == 'x' || conversion == 'X' || conversion == 'o') {
    if (value.is_float()) raise("TypeError", std::string("%") + conversion + " format: an integer is required, not float");
    number_spec.type = conversion;
    return format_integer(value.as_int(), number_spec);
  }
  number_spec.type = conversion;
  if (number_spec.precision < 0) number_spec.precision = 6;
  return format_float(value.as_float(), number_spec);
}

}  // namespace

Value percent_format(Interpreter& interpreter, const Value& format, const Value& arguments) {
  const std::string& text = format.as_string();
  std::vector<Value> values;
  const bool mapping = arguments.is_dict();
  if (arguments.is_list() && arguments.sequence() == Value::Sequence::Tuple) {
    values = arguments.items();
  } else {
    values.push_back(arguments);
  }
  size_t next = 0;
  bool used_mapping = false;
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (++i >= text.size()) raise("ValueError", "incomplete format");
    const Value* value = nullptr;
    Value keyed;
    if (text[i] == '(') {
      const size_t close = text.find(')', i);
      if (close == std::string::npos) raise("ValueError", "incomplete format key");
      if (!mapping) raise("TypeError", "format requires a mapping");
      const Value* found = arguments.as_dict().find(std::string_view(text).substr(i + 1, close - i - 1));
      if (!found) raise("KeyError", repr(Value::string(text.substr(i + 1, close - i - 1))));
      keyed = *found;
      value = &keyed;
      used_mapping = true;
      i = close + 1;
    }
    Spec spec;
    spec.align = '>';
    for (; i < text.size(); ++i) {
      const char c = text[i];
      if (c == '-') spec.align = '<';
      else if (c == '+') spec.sign = '+';
      else if (c == ' ') { if (spec.sign != '+') spec.sign = ' '; }
      else if (c == '#') spec.alternate = true;
      else if (c == '0') spec.zero = true;
      else break;
    }
    auto take_star = [&]() {
      if (next >= values.size() || mapping) raise("TypeError", "not enough arguments for format string");
      return to_index(values[next++], "* wants int");
    };
    if (i < text.size() && text[i] == '*') {
      spec.width = take_star();
      ++i;
    } else {
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') spec.width = (spec.width < 0 ? 0 : spec.width * 10) + (text[i++] - '0');
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      spec.precision = 0;
      if (i < text.size() && text[i] == '*') {
        spec.precision = take_star();
        ++i;
      } else {
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') spec.precision = spec.precision * 10 + (text[i++] - '0');
      }
    }
    while (i < text.size() && (text[i] == 'h' || text[i] == 'l' || text[i] == 'L')) ++i;
    if (i >= text.size()) raise("ValueError", "incomplete format");
    const char conversion = text[i];
    if (conversion == '%') {
      out += '%';
      continue;
    }
    if (std::string_view("sradiuxXoeEfFgGc").find(conversion) == std::string_view::npos) {
      char code[8];
      std::snprintf(code, sizeof code, "%02x", static_cast<unsigned char>(conversion));
      raise("ValueError", std::string("unsupported format character '") + conversion + "' (0x" + code + ") at index " + std::to_string(i));
    }
    if (!value) {
      if (mapping) {
        value = &arguments;
      } else {
        if (next >= values.size()) raise("TypeError", "not enough arguments for format string");
        value = &values[next++];
      }
    }
    if (spec.zero && spec.align != '<' && conversion != 's' && conversion != 'r' && conversion != 'a' && conversion != 'c') {
      spec.fill = '0';
      spec.align = '=';
    }
    out += pad(percent_convert(*value, conversion, spec), spec, '>');
    interpreter.check_string_size(out.size());
  }
  if (!mapping && !used_mapping && next < values.size())
    raise("TypeError", "not all arguments converted during string formatting");
  return Value::string(std::move(out), format.is_markup());
}

Value str_format(Interpreter& interpreter, const Value& format, const CallArguments& arguments) {
  const std::string& text = format.as_string();
  std::string out;
  size_t automatic = 0;
  bool used_automatic = false, used_manual = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        out += '}';
        ++i;
        continue;
      }
      raise("ValueError", "Single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    // A field: {name[.attr|[key]]...[!conversion][:spec]}, with nested {} in the spec.
    size_t depth = 1, end = i + 1;
    for (; end < text.size() && depth; ++end) {
      if (text[end] == '{') ++depth;
      if (text[end] == '}') --depth;
    }
    if (depth) raise("ValueError", "expected '}' before end of string");
    const std::string field = text.substr(i + 1, end - i - 2);
    i = end - 1;
    size_t name_end = 0;
    while (name_end < field.size() && field[name_end] != '.' && field[name_end] != '[' && field[name_end] != '!' &&
           field[name_end] != ':')
      ++name_end;
    const std::string name = field.substr(0, name_end);
    Value value;
    if (name.empty()) {
      if (used_manual) raise("ValueError", "cannot switch from manual field specification to automatic field numbering");
      used_automatic = true;
      if (automatic >= arguments.positional.size())
        raise("IndexError", "Replacement index " + std::to_string(automatic) + " out of range for positional args tuple");
      value = arguments.positional[automatic++];
    } else if (name.find_first_not_of("0123456789") == std::string::npos) {
      if (used_automatic) raise("ValueError", "cannot switch from automatic field numbering to manual field specification");
      used_manual = true;
      const size_t index = std::stoul(name);
      if (index >= arguments.positional.size())
        raise("IndexError", "Replacement index " + name + " out of range for positional args tuple");
      value = arguments.positional[index];
    } else {
      bool found = false;
      for (const auto& [key, keyword] : arguments.keywords)
        if (key == name) value = keyword, found = true;
      if (!found) raise("KeyError", repr(Value::string(name)));
    }
    size_t at = name_end;
    while (at < field.size() && (field[at] == '.' || field[at] == '[')) {
      if (field[at] == '.') {
        size_t stop = at + 1;
        while (stop < field.size() && field[stop] != '.' && field[stop] != '[' && field[stop] != '!' && field[stop] != ':') ++stop;
        value = interpreter.get_attribute(value, field.substr(at + 1, stop - at - 1));
        at = stop;
      } else {
        const size_t close = field.find(']', at);
        if (close == std::string::npos) raise("ValueError", "Missing ']' in format string");
        const std::string key = field.substr(at + 1, close - at - 1);
        const bool numeric = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
        value = interpreter.get_item(value, numeric ? Value::integer(std::stoll(key)) : Value::string(key));
        at = close + 1;
      }
    }
    char conversion = 0;
    if (at < field.size() && field[at] == '!') {
      if (at + 1 >= field.size()) raise("ValueError", "end of string while looking for conversion specifier");
      conversion = field[at + 1];
      at += 2;
    }
    std::string spec;
    if (at < field.size()) {
      if (field[at] != ':') raise("ValueError", "expected ':' after conversion specifier");
      spec = to_str(str_format(interpreter, Value::string(field.substr(at + 1)), arguments));
    }
    if (value.is_undefined()) {
      out += format_with_spec(Value::string(""), spec);
      continue;
    }
    if (conversion == 'r' || conversion == 'a') value = Value::string(repr(value));
    else if (conversion == 's') value = Value::string(to_str(value));
    else if (conversion) raise("ValueError", std::string("Unknown conversion specifier ") + conversion);
    out += format_with_spec(value, spec);
    interpreter.check_string_size(out.size());
  }
  return Value::string(std::move(out), format.is_markup());
}

}  // namespace transformers::chat_templates::detail
