// Value construction and the Python semantics every other file leans on: truth, equality, order,
// iteration and len().
#include "value.hpp"

#include <algorithm>
#include <cmath>

#include "text.hpp"

namespace transformers::chat_templates::detail {

void raise(std::string type, std::string message) { throw PythonError{std::move(type), std::move(message)}; }

ListObject::ListObject(std::vector<Value> values) : items(std::move(values)) {}
ListObject::~ListObject() = default;
DictObject::~DictObject() = default;

const Value* DictObject::find(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k.is_string() && k.as_string() == key) return &v;
  return nullptr;
}

const Value* DictObject::find(const Value& key) const {
  if (key.is_string()) return find(std::string_view(key.as_string()));
  for (const auto& [k, v] : entries)
    if (equals(k, key)) return &v;
  return nullptr;
}

void DictObject::set(Value key, Value value) {
  for (auto& [k, v] : entries) {
    if (equals(k, key)) {
      v = std::move(value);
      return;
    }
  }
  entries.emplace_back(std::move(key), std::move(value));
}

std::optional<Value> SpecialObject::attribute(std::string_view) const { return std::nullopt; }

Value SpecialObject::call(Interpreter&, CallArguments) const {
  raise("TypeError", "'" + type_name() + "' object is not callable");
}

Value Value::undefined(std::string hint, std::string error_type) {
  Value v;
  if (hint.empty() && error_type == "UndefinedError") return v;
  auto info = std::make_shared<UndefinedObject>();
  info->hint = std::move(hint);
  info->error_type = std::move(error_type);
  v.object_ = std::move(info);
  return v;
}

Value Value::none() {
  Value v;
  v.kind_ = Kind::None;
  return v;
}

Value Value::boolean(bool value) {
  Value v;
  v.kind_ = Kind::Bool;
  v.scalar_.boolean = value;
  return v;
}

Value Value::integer(int64_t value) {
  Value v;
  v.kind_ = Kind::Int;
  v.scalar_.integer = value;
  return v;
}

Value Value::floating(double value) {
  Value v;
  v.kind_ = Kind::Float;
  v.scalar_.floating = value;
  return v;
}

Value Value::string(std::string text, bool markup) {
  Value v;
  v.kind_ = Kind::String;
  v.flags_ = markup ? 1 : 0;
  v.object_ = std::make_shared<StringObject>(std::move(text));
  return v;
}

namespace {

size_t checked_depth(size_t deepest_child) {
  if (deepest_child + 1 > kMaxNesting)
    raise("LimitExceeded", "lists and dicts nest deeper than " + std::to_string(kMaxNesting) + " levels");
  return deepest_child + 1;
}

}  // namespace

Value Value::list(std::vector<Value> items, Sequence sequence) {
  Value v;
  v.kind_ = Kind::List;
  v.flags_ = static_cast<uint8_t>(sequence);
  size_t deepest = 0;
  for (const Value& item : items) deepest = std::max(deepest, item.depth());
  auto list = std::make_shared<ListObject>(std::move(items));
  list->depth = checked_depth(deepest);
  v.object_ = std::move(list);
  return v;
}

Value Value::dict(std::shared_ptr<DictObject> dict) {
  Value v;
  v.kind_ = Kind::Dict;
  size_t deepest = 0;
  for (const auto& [key, value] : dict->entries) deepest = std::max({deepest, key.depth(), value.depth()});
  dict->depth = checked_depth(deepest);
  v.object_ = std::move(dict);
  return v;
}

size_t Value::depth() const {
  if (kind_ == Kind::List) return list_object().depth;
  if (kind_ == Kind::Dict) return as_dict().depth;
  return 0;
}

Value Value::object(std::shared_ptr<SpecialObject> object) {
  Value v;
  v.kind_ = Kind::Object;
  v.object_ = std::move(object);
  return v;
}

double Value::as_float() const {
  switch (kind_) {
    case Kind::Bool: return scalar_.boolean ? 1.0 : 0.0;
    case Kind::Int: return static_cast<double>(scalar_.integer);
    default: return scalar_.floating;
  }
}

bool truthy(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return false;
    case Value::Kind::Bool: return value.as_bool();
    case Value::Kind::Int: return value.as_int() != 0;
    case Value::Kind::Float: return value.as_float() != 0.0;
    case Value::Kind::String: return !value.as_string().empty();
    case Value::Kind::List:
      return value.sequence() == Value::Sequence::Iterator || !value.items().empty();
    case Value::Kind::Dict: return !value.as_dict().entries.empty();
    case Value::Kind::Object: return true;
  }
  return false;
}

std::string type_name(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Undefined: return "Undefined";
    case Value::Kind::None: return "NoneType";
    case Value::Kind::Bool: return "bool";
    case Value::Kind::Int: return "int";
    case Value::Kind::Float: return "float";
    case Value::Kind::String: return value.is_markup() ? "Markup" : "str";
    case Value::Kind::Dict: return "dict";
    case Value::Kind::Object: return value.as_object().type_name();
    case Value::Kind::List: break;
  }
  switch (value.sequence()) {
    case Value::Sequence::List: return "list";
    case Value::Sequence::Tuple: return "tuple";
    case Value::Sequence::Iterator: return "generator";
    case Value::Sequence::Range: return "range";
    case Value::Sequence::DictItems: return "dict_items";
    case Value::Sequence::DictKeys: return "dict_keys";
    case Value::Sequence::DictValues: return "dict_values";
  }
  return "list";
}

std::string object_description(const Value& value) {
  if (value.is_none()) return "None";
  if (value.is_markup()) return "markupsafe.Markup object";
  return type_name(value) + " object";
}

namespace {

bool dicts_equal(const DictObject& a, const DictObject& b) {
  if (a.entries.size() != b.entries.size()) return false;
  for (const auto& [key, value] : a.entries) {
    const Value* other = b.find(key);
    if (!other || !equals(value, *other)) return false;
  }
  return true;
}

bool lists_equal(const Value& a, const Value& b) {
  const bool a_tuple = a.sequence() == Value::Sequence::Tuple, b_tuple = b.sequence() == Value::Sequence::Tuple;
  const bool a_plain = a.sequence() == Value::Sequence::List, b_plain = b.sequence() == Value::Sequence::List;
  if (!((a_tuple && b_tuple) || (a_plain && b_plain) ||
        (a.sequence() == Value::Sequence::Range && b.sequence() == Value::Sequence::Range)))
    return a.identity() == b.identity();  // iterators and views compare by identity
  const auto &x = a.items(), &y = b.items();
  if (x.size() != y.size()) return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (!equals(x[i], y[i])) return false;
  return true;
}

[[noreturn]] void unorderable(const Value& a, const Value& b) {
  raise("TypeError", "'<' not supported between instances of '" + type_name(a) + "' and '" + type_name(b) + "'");
}

}  // namespace

bool equals(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) {
    if (!a.is_float() && !b.is_float()) return a.as_int() == b.as_int();
    return a.as_float() == b.as_float();
  }
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::Undefined:
    case Value::Kind::None: return true;
    case Value::Kind::String: return a.as_string() == b.as_string();
    case Value::Kind::List: return lists_equal(a, b);
    case Value::Kind::Dict: return dicts_equal(a.as_dict(), b.as_dict());
    default: return a.identity() == b.identity();
  }
}

bool less(const Value& a, const Value& b) {
  if (a.is_undefined()) fail_undefined(a);
  if (b.is_undefined()) fail_undefined(b);
  if (a.is_number() && b.is_number()) {
    if (!a.is_float() && !b.is_float()) return a.as_int() < b.as_int();
    return a.as_float() < b.as_float();
  }
  if (a.is_string() && b.is_string()) return a.as_string() < b.as_string();  // UTF-8 bytes order as code points
  if (a.is_list() && b.is_list() && a.sequence() == b.sequence() &&
      (a.sequence() == Value::Sequence::List || a.sequence() == Value::Sequence::Tuple)) {
    const auto &x = a.items(), &y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (equals(x[i], y[i])) continue;
      return less(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  unorderable(a, b);
}

std::vector<Value> iterate(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::String: {
      std::vector<Value> chars;
      const std::string& text = value.as_string();
      for (size_t at = 0, length = 0; at < text.size(); at += length) {
        decode_utf8(text, at, length);
        chars.push_back(Value::string(text.substr(at, length), value.is_markup()));
      }
      return chars;
    }
    case Value::Kind::List: {
      ListObject& list = value.list_object();
      if (value.sequence() != Value::Sequence::Iterator) return list.items;
      std::vector<Value> rest(list.items.begin() + static_cast<std::ptrdiff_t>(list.consumed), list.items.end());
      list.consumed = list.items.size();
      return rest;
    }
    case Value::Kind::Dict: {
      std::vector<Value> keys;
      keys.reserve(value.as_dict().entries.size());
      for (const auto& entry : value.as_dict().entries) keys.push_back(entry.first);
      return keys;
    }
    default: raise("TypeError", "'" + type_name(value) + "' object is not iterable");
  }
}

size_t length(const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Undefined: return 0;
    case Value::Kind::String: return count_code_points(value.as_string());
    case Value::Kind::List:
      if (value.sequence() == Value::Sequence::Iterator)
        raise("TypeError", "object of type 'generator' has no len()");
      return value.items().size();
    case Value::Kind::Dict: return value.as_dict().entries.size();
    default: raise("TypeError", "object of type '" + type_name(value) + "' has no len()");
  }
}

void fail_undefined(const Value& value) {
  const UndefinedObject* info = value.undefined_info();
  if (!info) raise("UndefinedError", "'Undefined' is undefined");  // hint-less: jinja2's own wording
  raise(info->error_type, info->hint);
}

}  // namespace transformers::chat_templates::detail
