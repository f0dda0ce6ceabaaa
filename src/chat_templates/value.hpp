#pragma once
// The values a template computes with, as Python sees them: Jinja's Undefined, None, bool, int
// (never mixed up with float), float, str (with markupsafe's Markup flag), list and tuple (and the
// one-shot iterators Jinja's filters return), dict in insertion order, and objects (namespace, loop,
// macros, builtins). Strings, lists and dicts are immutable once built — the sandbox forbids every
// method that mutates them — so values share them freely; only a namespace changes in place.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace transformers::chat_templates::detail {

class Value;
class Interpreter;

// A Python exception raised while computing: the evaluator adds the template position.
struct PythonError {
  std::string type;  // "TypeError", "UndefinedError", ...
  std::string message;
};

[[noreturn]] void raise(std::string type, std::string message);

struct Object {
  virtual ~Object() = default;
};

struct StringObject final : Object {
  explicit StringObject(std::string value) : text(std::move(value)) {}
  std::string text;
};

// How deeply lists and dicts may nest: deeper ones would exhaust the stack when printed or freed.
inline constexpr size_t kMaxNesting = 512;

struct ListObject final : Object {
  explicit ListObject(std::vector<Value> values);
  ~ListObject() override;  // defined where Value is complete (clang instantiates it with the vtable)
  std::vector<Value> items;
  size_t consumed = 0;  // one-shot iterators: the items iteration already took
  size_t depth = 1;     // 1 + the deepest item's
};

struct DictObject final : Object {
  ~DictObject() override;  // as ~ListObject
  std::vector<std::pair<Value, Value>> entries;  // insertion order
  size_t depth = 1;  // 1 + the deepest key's or value's (set when it becomes a Value)
  const Value* find(std::string_view key) const;
  const Value* find(const Value& key) const;
  void set(Value key, Value value);  // replaces an equal key in place, as dict[key] = value
};

struct UndefinedObject final : Object {
  std::string hint;  // "'x' is undefined", "'dict object' has no attribute 'y'"; empty: no hint
  std::string error_type = "UndefinedError";  // "SecurityError" for an attribute the sandbox hides
};

struct CallArguments {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keywords;
};

// Namespaces, loops, macros, builtin functions, bound methods: objects with attributes and calls.
struct SpecialObject : Object, std::enable_shared_from_this<SpecialObject> {
  virtual std::string type_name() const = 0;  // as Python names the type in messages
  virtual std::string repr() const = 0;
  virtual std::optional<Value> attribute(std::string_view name) const;
  virtual bool callable() const { return false; }
  virtual Value call(Interpreter& interpreter, CallArguments arguments) const;
};

class Value {
 public:
  enum class Kind : uint8_t { Undefined, None, Bool, Int, Float, String, List, Dict, Object };
  // What a List is to Python: a list, a tuple, a one-shot iterator (the generators Jinja's filters
  // return), a range, or one of a dict's views.
  enum class Sequence : uint8_t { List, Tuple, Iterator, Range, DictItems, DictKeys, DictValues };

  Value() = default;  // undefined, without a hint
  static Value undefined(std::string hint, std::string error_type = "UndefinedError");
  static Value none();
  static Value boolean(bool value);
  static Value integer(int64_t value);
  static Value floating(double value);
  static Value string(std::string text, bool markup = false);
  static Value list(std::vector<Value> items, Sequence sequence = Sequence::List);
  static Value dict(std::shared_ptr<DictObject> dict);
  static Value object(std::shared_ptr<SpecialObject> object);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::Undefined; }
  bool is_none() const { return kind_ == Kind::None; }
  bool is_bool() const { return kind_ == Kind::Bool; }
  bool is_int() const { return kind_ == Kind::Int; }
  bool is_float() const { return kind_ == Kind::Float; }
  bool is_number() const { return kind_ == Kind::Int || kind_ == Kind::Float || kind_ == Kind::Bool; }
  bool is_string() const { return kind_ == Kind::String; }
  bool is_list() const { return kind_ == Kind::List; }
  bool is_dict() const { return kind_ == Kind::Dict; }
  bool is_object() const { return kind_ == Kind::Object; }

  bool as_bool() const { return scalar_.boolean; }
  int64_t as_int() const { return kind_ == Kind::Bool ? scalar_.boolean : scalar_.integer; }
  double as_float() const;  // any number
  const std::string& as_string() const { return static_cast<const StringObject&>(*object_).text; }
  bool is_markup() const { return kind_ == Kind::String && flags_ != 0; }
  Sequence sequence() const { return static_cast<Sequence>(flags_); }
  ListObject& list_object() const { return static_cast<ListObject&>(*object_); }
  const std::vector<Value>& items() const { return list_object().items; }
  const DictObject& as_dict() const { return static_cast<const DictObject&>(*object_); }
  SpecialObject& as_object() const { return static_cast<SpecialObject&>(*object_); }
  const UndefinedObject* undefined_info() const { return static_cast<const UndefinedObject*>(object_.get()); }
  const Object* identity() const { return object_.get(); }  // for `is sameas` and namespaces
  // Nesting of lists and dicts: 0 for scalars, 1 for a flat list.
  size_t depth() const;

 private:
  Kind kind_ = Kind::Undefined;
  uint8_t flags_ = 0;  // String: Markup; List: Sequence
  union {
    bool boolean;
    int64_t integer;
    double floating;
  } scalar_{};
  std::shared_ptr<Object> object_;
};

// Python truth: Undefined, None, False, 0, 0.0, "", [] and {} are false; iterators and objects true.
bool truthy(const Value& value);
// The Python type name: "str", "int", "NoneType", "list", "dict", "generator", ...
std::string type_name(const Value& value);
// jinja2's object_type_repr: "None", "dict object", "str object"...
std::string object_description(const Value& value);

// Python ==.
bool equals(const Value& a, const Value& b);
// Python <; TypeError between types Python does not order.
bool less(const Value& a, const Value& b);

// str(value) and repr(value) as Python prints them.
std::string to_str(const Value& value);
void append_str(std::string& out, const Value& value);
std::string repr(const Value& value);
void append_repr(std::string& out, const Value& value);
// repr(float): the shortest text that reads back the same double ("1.0", "1e+16", "inf").
std::string float_repr(double value);

// The items iteration yields (a string's characters, a dict's keys, a list's items); consumes a
// one-shot iterator. TypeError for what Python cannot iterate.
std::vector<Value> iterate(const Value& value);
// len(value); TypeError for what has no length (numbers, iterators).
size_t length(const Value& value);

// UndefinedError (or the hidden attribute's SecurityError) for an operation on an undefined value.
[[noreturn]] void fail_undefined(const Value& value);

}  // namespace transformers::chat_templates::detail
