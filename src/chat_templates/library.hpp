#pragma once
// What templates can call: jinja2's filters (filters.cpp) and tests (tests.cpp), the Python
// methods of str, dict and list (methods.cpp), the globals (globals.cpp: raise_exception,
// strftime_now, namespace, dict, range...), Python's % and str.format (string_format.cpp), and the
// binding of call arguments to a Python signature that they all share.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "value.hpp"

namespace transformers::chat_templates::detail {

using FilterFunction = Value (*)(Interpreter& interpreter, const Value& operand, CallArguments& arguments);
using TestFunction = bool (*)(Interpreter& interpreter, const Value& operand, CallArguments& arguments);

struct FilterDefinition {
  std::string_view name;
  FilterFunction function;
};

struct TestDefinition {
  std::string_view name;
  TestFunction function;
};

// Every filter and test jinja2's default environment has (plus transformers' tojson); nullptr for
// a name it does not know.
const FilterDefinition* find_filter(std::string_view name);
const TestDefinition* find_test(std::string_view name);

// A Python method of a str, list or dict: Missing when the type has no such attribute, Unsafe when
// the sandbox hides it (the methods that modify lists and dicts).
enum class MethodAccess { Missing, Safe, Unsafe };
MethodAccess method_access(const Value& object, std::string_view name);
Value call_method(Interpreter& interpreter, const Value& object, std::string_view name, CallArguments arguments);
// object.name as a value (a bound method) for a Safe method.
Value bound_method(const Value& object, std::string_view name);

// A global of transformers' environment (raise_exception, strftime_now, namespace, dict, range,
// cycler, joiner, lipsum), or nullopt.
std::optional<Value> find_global(std::string_view name);
// A namespace object, as namespace(...) makes it.
Value make_namespace(CallArguments arguments);
bool is_namespace(const Value& value);
void set_namespace_attribute(const Value& space, const std::string& name, Value value);
// Drops a namespace's attributes (the end of a render breaking reference cycles).
void clear_namespace(SpecialObject& space);

// value % arguments for a str (printf-style), and str.format.
Value percent_format(Interpreter& interpreter, const Value& format, const Value& arguments);
Value str_format(Interpreter& interpreter, const Value& format, const CallArguments& arguments);

// Python's binding of call arguments to a signature: positional parameters by position, then
// keywords by name; extra positionals go to `rest` when `variadic`, extra keywords to `extra`
// when `keywords`. TypeError, naming `function`, for what Python rejects.
class BoundArguments {
 public:
  BoundArguments(std::string_view function, CallArguments& arguments, std::initializer_list<std::string_view> parameters,
                 bool variadic = false, bool keywords = false);

  const Value* get(size_t index) const { return values_[index].has_value() ? &*values_[index] : nullptr; }
  bool has(size_t index) const { return values_[index].has_value(); }
  Value get_or(size_t index, Value fallback) const { return has(index) ? *values_[index] : std::move(fallback); }
  // A required parameter: TypeError when it was not passed.
  const Value& required(size_t index) const;

  std::vector<Value> rest;
  std::vector<std::pair<std::string, Value>> extra;

 private:
  std::string function_;
  std::vector<std::string_view> names_;
  std::vector<std::optional<Value>> values_;
};

// Python's int() of a number, bool or string for arguments; TypeError otherwise.
int64_t to_index(const Value& value, std::string_view what);

}  // namespace transformers::chat_templates::detail
