// jinja2's tests (tests.py): `x is defined`, `x is string`, `x is divisibleby(3)`... with Python's
// isinstance answers (a bool is a number, a dict is a sequence, an Undefined is iterable).
#include <algorithm>

#include "evaluator.hpp"
#include "library.hpp"
#include "operators.hpp"
#include "text.hpp"

namespace transformers::chat_templates::detail {

namespace {

bool no_arguments(std::string_view name, CallArguments& arguments) {
  BoundArguments bound(name, arguments, {});
  return true;
}

bool test_defined(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("defined", a), !v.is_undefined(); }
bool test_undefined(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("undefined", a), v.is_undefined(); }
bool test_none(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("none", a), v.is_none(); }
bool test_boolean(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("boolean", a), v.is_bool(); }
bool test_true(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("true", a), v.is_bool() && v.as_bool(); }
bool test_false(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("false", a), v.is_bool() && !v.as_bool(); }
bool test_integer(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("integer", a), v.is_int(); }
bool test_float(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("float", a), v.is_float(); }
bool test_number(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("number", a), v.is_number(); }
bool test_string(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("string", a), v.is_string(); }
bool test_mapping(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("mapping", a), v.is_dict(); }
bool test_escaped(Interpreter&, const Value& v, CallArguments& a) { return no_arguments("escaped", a), v.is_markup(); }

// Python's iter(value) succeeds.
bool test_iterable(Interpreter&, const Value& v, CallArguments& a) {
  no_arguments("iterable", a);
  return v.is_undefined() || v.is_string() || v.is_list() || v.is_dict();
}

// len(value) and value.__getitem__ both exist: str, list, tuple, range, dict and Undefined.
bool test_sequence(Interpreter&, const Value& v, CallArguments& a) {
  no_arguments("sequence", a);
  if (v.is_list())
    return v.sequence() == Value::Sequence::List || v.sequence() == Value::Sequence::Tuple ||
           v.sequence() == Value::Sequence::Range;
  return v.is_undefined() || v.is_string() || v.is_dict();
}

bool test_callable(Interpreter&, const Value& v, CallArguments& a) {
  no_arguments("callable", a);
  return v.is_object() && v.as_object().callable();
}

bool test_lower(Interpreter&, const Value& v, CallArguments& a) {
  no_arguments("lower", a);
  const std::string text = to_str(v);
  return text == to_lower(text) && text != to_upper(text);
}

bool test_upper(Interpreter&, const Value& v, CallArguments& a) {
  no_arguments("upper", a);
  const std::string text = to_str(v);
  return text == to_upper(text) && text != to_lower(text);
}

Value modulo(Interpreter& interpreter, const Value& v, const Value& divisor) {
  return binary_operation(interpreter, BinaryOp::Modulo, v, divisor);
}

bool test_odd(Interpreter& interpreter, const Value& v, CallArguments& a) {
  no_arguments("odd", a);
  return equals(modulo(interpreter, v, Value::integer(2)), Value::integer(1));
}

bool test_even(Interpreter& interpreter, const Value& v, CallArguments& a) {
  no_arguments("even", a);
  return equals(modulo(interpreter, v, Value::integer(2)), Value::integer(0));
}

bool test_divisibleby(Interpreter& interpreter, const Value& v, CallArguments& a) {
  BoundArguments bound("divisibleby", a, {"num"});
  return equals(modulo(interpreter, v, bound.required(0)), Value::integer(0));
}

template <CompareOp op>
bool test_compare(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("compare", a, {"other"});
  return compare(op, v, bound.required(0));
}

bool test_in(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("in", a, {"seq"});
  return contains(bound.required(0), v);
}

// `is`: the same object. Scalars Python caches (None, True, False, small ints) compare by value.
bool test_sameas(Interpreter&, const Value& v, CallArguments& a) {
  BoundArguments bound("sameas", a, {"other"});
  const Value& other = bound.required(0);
  if (v.kind() != other.kind()) return false;
  switch (v.kind()) {
    case Value::Kind::None: return true;
    case Value::Kind::Bool: return v.as_bool() == other.as_bool();
    case Value::Kind::Int: return v.as_int() == other.as_int() && v.as_int() >= -5 && v.as_int() <= 256;
    case Value::Kind::Float: return false;
    default: return v.identity() == other.identity();
  }
}

bool test_filter(Interpreter&, const Value& v, CallArguments& a) {
  no_arguments("filter", a);
  return v.is_string() && find_filter(v.as_string()) != nullptr;
}

bool test_test(Interpreter&, const Value& v, CallArguments& a) {
  no_arguments("test", a);
  return v.is_string() && find_test(v.as_string()) != nullptr;
}

constexpr TestDefinition kTests[] = {
    {"!=", test_compare<CompareOp::NotEqual>},
    {"<", test_compare<CompareOp::Less>},
    {"<=", test_compare<CompareOp::LessEqual>},
    {"==", test_compare<CompareOp::Equal>},
    {">", test_compare<CompareOp::Greater>},
    {">=", test_compare<CompareOp::GreaterEqual>},
    {"boolean", test_boolean},
    {"callable", test_callable},
    {"defined", test_defined},
    {"divisibleby", test_divisibleby},
    {"eq", test_compare<CompareOp::Equal>},
    {"equalto", test_compare<CompareOp::Equal>},
    {"escaped", test_escaped},
    {"even", test_even},
    {"false", test_false},
    {"filter", test_filter},
    {"float", test_float},
    {"ge", test_compare<CompareOp::GreaterEqual>},
    {"greaterthan", test_compare<CompareOp::Greater>},
    {"gt", test_compare<CompareOp::Greater>},
    {"in", test_in},
    {"integer", test_integer},
    {"iterable", test_iterable},
    {"le", test_compare<CompareOp::LessEqual>},
    {"lessthan", test_compare<CompareOp::Less>},
    {"lower", test_lower},
    {"lt", test_compare<CompareOp::Less>},
    {"mapping", test_mapping},
    {"ne", test_compare<CompareOp::NotEqual>},
    {"none", test_none},
    {"number", test_number},
    {"odd", test_odd},
    {"sameas", test_sameas},
    {"sequence", test_sequence},
    {"string", test_string},
    {"test", test_test},
    {"true", test_true},
    {"undefined", test_undefined},
    {"upper", test_upper},
};

}  // namespace

const TestDefinition* find_test(std::string_view name) {
  for (const TestDefinition& test : kTests)
    if (test.name == name) return &test;
  return nullptr;
}

}  // namespace transformers::chat_templates::detail
