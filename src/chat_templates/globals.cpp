// The globals of transformers' environment: jinja2's defaults (range, dict, namespace, cycler,
// joiner, lipsum) as the sandbox and transformers change them (range capped at 100000 items,
// transformers' TemplateDict and TemplateNamespace), plus raise_exception and strftime_now.
#include <ctime>
#include <functional>

#include "evaluator.hpp"
#include "library.hpp"

namespace transformers::chat_templates::detail {

namespace {

using BuiltinBody = Value (*)(Interpreter& interpreter, CallArguments& arguments);

struct BuiltinFunction final : SpecialObject {
  BuiltinFunction(std::string function_name, BuiltinBody function_body)
      : name(std::move(function_name)), body(function_body) {}
  std::string type_name() const override { return "function"; }
  std::string repr() const override { return "<function " + name + ">"; }
  bool callable() const override { return true; }
  Value call(Interpreter& interpreter, CallArguments arguments) const override { return body(interpreter, arguments); }
  std::string name;
  BuiltinBody body;
};

// jinja2.utils.Namespace under transformers' TemplateNamespace: attributes set in place, and no
// attribute whose name starts with "_".
struct NamespaceObject final : SpecialObject {
  std::string type_name() const override { return "TemplateNamespace"; }
  std::string repr() const override {
    std::string out = "<Namespace {";
    for (size_t i = 0; i < attributes.size(); ++i) {
      if (i) out += ", ";
      out += repr_of(attributes[i].first) + ": " + detail::repr(attributes[i].second);
    }
    return out + "}>";
  }
  static std::string repr_of(const std::string& name) { return detail::repr(Value::string(name)); }
  std::optional<Value> attribute(std::string_view name) const override {
    for (const auto& [key, value] : attributes)
      if (key == name) return value;
    return std::nullopt;
  }
  void set(const std::string& name, Value value) {
    if (!name.empty() && name[0] == '_')
      raise("SecurityError", "Chat templates cannot store underscore-prefixed attributes on a namespace, but got " +
                                 repr_of(name) + ". Please rename the attribute.");
    for (auto& [key, existing] : attributes) {
      if (key == name) {
        existing = std::move(value);
        return;
      }
    }
    attributes.emplace_back(name, std::move(value));
  }
  std::vector<std::pair<std::string, Value>> attributes;
};

// dict(*args, **kwargs) as Python builds it: from a mapping or an iterable of pairs, then keywords.
std::shared_ptr<DictObject> build_dict(CallArguments& arguments, std::string_view function) {
  if (arguments.positional.size() > 1)
    raise("TypeError", std::string(function) + " expected at most 1 argument, got " +
                           std::to_string(arguments.positional.size()));
  auto dict = std::make_shared<DictObject>();
  if (!arguments.positional.empty()) {
    const Value& source = arguments.positional[0];
    if (source.is_dict()) {
      dict->entries = source.as_dict().entries;
    } else {
      if (source.is_undefined()) fail_undefined(source);
      for (const Value& pair : iterate(source)) {
        if (pair.is_string() || !pair.is_list())
          raise("TypeError", "cannot convert dictionary update sequence element to a sequence");
        std::vector<Value> items = iterate(pair);
        if (items.size() != 2)
          raise("ValueError", "dictionary update sequence element has length " + std::to_string(items.size()) +
                                  "; 2 is required");
        dict->set(std::move(items[0]), std::move(items[1]));
      }
    }
  }
  for (auto& [name, value] : arguments.keywords) dict->set(Value::string(name), std::move(value));
  return dict;
}

struct TemplateDictObject final : SpecialObject {
  std::string type_name() const override { return "TemplateDict"; }
  std::string repr() const override { return "<TemplateDict object>"; }
  std::optional<Value> attribute(std::string_view name) const override;
  bool callable() const override { return true; }
  Value call(Interpreter&, CallArguments arguments) const override {
    return Value::dict(build_dict(arguments, "dict"));
  }
};

Value dict_fromkeys(Interpreter&, CallArguments& arguments) {
  BoundArguments bound("fromkeys", arguments, {"iterable", "value"});
  auto dict = std::make_shared<DictObject>();
  const Value value = bound.get_or(1, Value::none());
  for (Value& key : iterate(bound.required(0))) dict->set(std::move(key), value);
  return Value::dict(std::move(dict));
}

std::optional<Value> TemplateDictObject::attribute(std::string_view name) const {
  if (name == "fromkeys") return Value::object(std::make_shared<BuiltinFunction>("fromkeys", dict_fromkeys));
  return std::nullopt;
}

Value raise_exception(Interpreter&, CallArguments& arguments) {
  BoundArguments bound("raise_exception", arguments, {"message"});
  raise("TemplateError", to_str(bound.required(0)));
}

Value strftime_now(Interpreter& interpreter, CallArguments& arguments) {
  BoundArguments bound("strftime_now", arguments, {"format"});
  const Value& format = bound.required(0);
  if (!format.is_string()) raise("TypeError", "strftime() argument 1 must be str, not " + type_name(format));
  const std::time_t time = std::chrono::system_clock::to_time_t(interpreter.now());
  std::tm local{};
  localtime_r(&time, &local);
  const std::string& pattern = format.as_string();
  if (pattern.empty()) return Value::string("");
  std::string buffer(pattern.size() * 4 + 64, '\0');
  while (true) {
    const size_t written = std::strftime(buffer.data(), buffer.size(), pattern.c_str(), &local);
    if (written > 0 || buffer.size() > (1u << 20)) {
      buffer.resize(written);
      return Value::string(std::move(buffer));
    }
    buffer.resize(buffer.size() * 4);
  }
}

// The sandbox's safe_range: Python's range, refused past MAX_RANGE items.
Value range_function(Interpreter& interpreter, CallArguments& arguments) {
  if (!arguments.keywords.empty()) raise("TypeError", "range() takes no keyword arguments");
  auto& args = arguments.positional;
  if (args.empty() || args.size() > 3)
    raise("TypeError", "range expected at most 3 arguments, got " + std::to_string(args.size()));
  int64_t start = 0, stop = 0, step = 1;
  if (args.size() == 1) {
    stop = to_index(args[0], "'" + type_name(args[0]) + "' object cannot be interpreted as an integer");
  } else {
    start = to_index(args[0], "range() argument");
    stop = to_index(args[1], "range() argument");
    if (args.size() == 3) step = to_index(args[2], "range() argument");
  }
  if (step == 0) raise("ValueError", "range() arg 3 must not be zero");
  int64_t count = 0;
  if (step > 0 && start < stop) count = (stop - start + step - 1) / step;
  if (step < 0 && start > stop) count = (start - stop - step - 1) / -step;
  if (count > 100000)
    raise("OverflowError", "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  interpreter.check_collection_size(static_cast<size_t>(count));
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) items.push_back(Value::integer(start + i * step));
  return Value::list(std::move(items), Value::Sequence::Range);
}

Value namespace_function(Interpreter& interpreter, CallArguments& arguments) {
  Value space = make_namespace(std::move(arguments));
  interpreter.track_namespace(space);
  return space;
}

struct JoinerObject final : SpecialObject {
  explicit JoinerObject(Value separator) : sep(std::move(separator)) {}
  std::string type_name() const override { return "Joiner"; }
  std::string repr() const override { return "<Joiner object>"; }
  bool callable() const override { return true; }
  Value call(Interpreter&, CallArguments) const override {
    if (!used) {
      used = true;
      return Value::string("");
    }
    return sep;
  }
  Value sep;
  mutable bool used = false;
};

Value joiner_function(Interpreter&, CallArguments& arguments) {
  BoundArguments bound("joiner", arguments, {"sep"});
  return Value::object(std::make_shared<JoinerObject>(bound.get_or(0, Value::string(", "))));
}

struct CyclerObject final : SpecialObject {
  explicit CyclerObject(std::vector<Value> values) : items(std::move(values)) {}
  std::string type_name() const override { return "Cycler"; }
  std::string repr() const override { return "<Cycler object>"; }
  std::optional<Value> attribute(std::string_view name) const override;
  std::vector<Value> items;
  mutable size_t position = 0;
};

struct CyclerMethod final : SpecialObject {
  CyclerMethod(std::shared_ptr<const CyclerObject> owner, std::string method) : cycler(std::move(owner)), name(std::move(method)) {}
  std::string type_name() const override { return "method"; }
  std::string repr() const override { return "<bound method Cycler." + name + ">"; }
  bool callable() const override { return true; }
  Value call(Interpreter&, CallArguments) const override {
    if (name == "reset") {
      cycler->position = 0;
      return Value::none();
    }
    Value value = cycler->items[cycler->position];
    cycler->position = (cycler->position + 1) % cycler->items.size();
    return value;
  }
  std::shared_ptr<const CyclerObject> cycler;
  std::string name;
};

std::optional<Value> CyclerObject::attribute(std::string_view name) const {
  if (name == "current") return items[position];
  if (name == "next" || name == "reset") {
    auto self = std::static_pointer_cast<const CyclerObject>(shared_from_this());
    return Value::object(std::make_shared<CyclerMethod>(std::move(self), std::string(name)));
  }
  return std::nullopt;
}

Value cycler_function(Interpreter&, CallArguments& arguments) {
  if (arguments.positional.empty()) raise("RuntimeError", "at least one item has to be provided");
  return Value::object(std::make_shared<CyclerObject>(std::move(arguments.positional)));
}

Value lipsum_function(Interpreter&, CallArguments&) {
  raise("TemplateRuntimeError", "lipsum() is random text; transformers.cpp does not provide it");
}

const std::vector<std::pair<std::string_view, Value>>& globals() {
  static const std::vector<std::pair<std::string_view, Value>> table = [] {
    std::vector<std::pair<std::string_view, Value>> out;
    auto add = [&](std::string_view name, BuiltinBody body) {
      out.emplace_back(name, Value::object(std::make_shared<BuiltinFunction>(std::string(name), body)));
    };
    add("raise_exception", raise_exception);
    add("strftime_now", strftime_now);
    add("range", range_function);
    add("namespace", namespace_function);
    add("joiner", joiner_function);
    add("cycler", cycler_function);
    add("lipsum", lipsum_function);
    out.emplace_back("dict", Value::object(std::make_shared<TemplateDictObject>()));
    return out;
  }();
  return table;
}

}  // namespace

std::optional<Value> find_global(std::string_view name) {
  for (const auto& [key, value] : globals())
    if (key == name) return value;
  return std::nullopt;
}

Value make_namespace(CallArguments arguments) {
  auto space = std::make_shared<NamespaceObject>();
  auto dict = build_dict(arguments, "Namespace");
  for (auto& [key, value] : dict->entries) {
    if (!key.is_string()) raise("TypeError", "keywords must be strings");
    space->set(key.as_string(), std::move(value));
  }
  return Value::object(std::move(space));
}

bool is_namespace(const Value& value) {
  return value.is_object() && dynamic_cast<const NamespaceObject*>(&value.as_object()) != nullptr;
}

void clear_namespace(SpecialObject& space) {
  if (auto* names = dynamic_cast<NamespaceObject*>(&space)) names->attributes.clear();
}

void set_namespace_attribute(const Value& space, const std::string& name, Value value) {
  static_cast<NamespaceObject&>(space.as_object()).set(name, std::move(value));
}

}  // namespace transformers::chat_templates::detail
