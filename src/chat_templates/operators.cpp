// Python's arithmetic, comparison, membership and slicing rules, with Python's messages for the
// TypeErrors, and the size limits checked before a string or list is built.
#include "operators.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

#include "evaluator.hpp"
#include "library.hpp"
#include "text.hpp"

namespace transformers::chat_templates::detail {

namespace {

const char* symbol(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add: return "+";
    case BinaryOp::Subtract: return "-";
    case BinaryOp::Multiply: return "*";
    case BinaryOp::Divide: return "/";
    case BinaryOp::FloorDivide: return "//";
    case BinaryOp::Modulo: return "%";
    case BinaryOp::Power: return "** or pow()";
  }
  return "?";
}

[[noreturn]] void unsupported(BinaryOp op, const Value& left, const Value& right) {
  raise("TypeError", std::string("unsupported operand type(s) for ") + symbol(op) + ": '" + type_name(left) +
                         "' and '" + type_name(right) + "'");
}

[[noreturn]] void overflow() { raise("OverflowError", "integer result does not fit in 64 bits"); }

bool is_plain_sequence(const Value& value) {
  return value.is_list() && (value.sequence() == Value::Sequence::List || value.sequence() == Value::Sequence::Tuple);
}

Value integer_operation(BinaryOp op, int64_t a, int64_t b) {
  int64_t result = 0;
  switch (op) {
    case BinaryOp::Add:
      if (__builtin_add_overflow(a, b, &result)) overflow();
      return Value::integer(result);
    case BinaryOp::Subtract:
      if (__builtin_sub_overflow(a, b, &result)) overflow();
      return Value::integer(result);
    case BinaryOp::Multiply:
      if (__builtin_mul_overflow(a, b, &result)) overflow();
      return Value::integer(result);
    case BinaryOp::Divide:
      if (b == 0) raise("ZeroDivisionError", "division by zero");
      return Value::floating(static_cast<double>(a) / static_cast<double>(b));
    case BinaryOp::FloorDivide:
    case BinaryOp::Modulo: {
      if (b == 0) raise("ZeroDivisionError", "integer division or modulo by zero");
      if (a == std::numeric_limits<int64_t>::min() && b == -1) overflow();
      int64_t quotient = a / b, remainder = a % b;
      if (remainder != 0 && ((remainder < 0) != (b < 0))) {
        quotient -= 1;
        remainder += b;
      }
      return Value::integer(op == BinaryOp::FloorDivide ? quotient : remainder);
    }
    case BinaryOp::Power: {
      if (b < 0) {
        if (a == 0) raise("ZeroDivisionError", "0.0 cannot be raised to a negative power");
        return Value::floating(std::pow(static_cast<double>(a), static_cast<double>(b)));
      }
      int64_t base = a, power = 1;
      for (int64_t exponent = b; exponent > 0; exponent >>= 1) {
        if (exponent & 1)
          if (__builtin_mul_overflow(power, base, &power)) overflow();
        if (exponent > 1 && __builtin_mul_overflow(base, base, &base)) overflow();
      }
      return Value::integer(power);
    }
  }
  return Value();
}

Value float_operation(BinaryOp op, double a, double b) {
  switch (op) {
    case BinaryOp::Add: return Value::floating(a + b);
    case BinaryOp::Subtract: return Value::floating(a - b);
    case BinaryOp::Multiply: return Value::floating(a * b);
    case BinaryOp::Divide:
      if (b == 0.0) raise("ZeroDivisionError", "float division by zero");
      return Value::floating(a / b);
    case BinaryOp::FloorDivide:
      if (b == 0.0) raise("ZeroDivisionError", "float floor division by zero");
      return Value::floating(python_float_floordiv(a, b));
    case BinaryOp::Modulo:
      if (b == 0.0) raise("ZeroDivisionError", "float modulo");
      return Value::floating(python_float_mod(a, b));
    case BinaryOp::Power:
      if (a == 0.0 && b < 0.0) raise("ZeroDivisionError", "0.0 cannot be raised to a negative power");
      if (a < 0.0 && b != std::floor(b)) raise("ValueError", "a negative number to a fractional power is complex");
      return Value::floating(std::pow(a, b));
  }
  return Value();
}

Value concatenate_strings(Interpreter& interpreter, const Value& left, const Value& right) {
  // Markup + str escapes the str (markupsafe's __add__ / __radd__); str + str stays plain.
  const bool markup = left.is_markup() || right.is_markup();
  std::string a = left.as_string(), b = right.as_string();
  if (markup && !left.is_markup()) a = html_escape(a);
  if (markup && !right.is_markup()) b = html_escape(b);
  interpreter.check_string_size(a.size() + b.size());
  return Value::string(a + b, markup);
}

Value concatenate_sequences(Interpreter& interpreter, const Value& left, const Value& right) {
  interpreter.check_collection_size(left.items().size() + right.items().size());
  std::vector<Value> items = left.items();
  items.insert(items.end(), right.items().begin(), right.items().end());
  return Value::list(std::move(items), left.sequence());
}

Value add(Interpreter& interpreter, const Value& left, const Value& right) {
  if (left.is_string() && right.is_string()) return concatenate_strings(interpreter, left, right);
  if (left.is_string())
    raise("TypeError", "can only concatenate str (not \"" + type_name(right) + "\") to str");
  if (is_plain_sequence(left) && is_plain_sequence(right) && left.sequence() == right.sequence())
    return concatenate_sequences(interpreter, left, right);
  if (is_plain_sequence(left))
    raise("TypeError", "can only concatenate " + type_name(left) + " (not \"" + type_name(right) + "\") to " +
                           type_name(left));
  unsupported(BinaryOp::Add, left, right);
}

size_t saturating_product(size_t a, size_t b) {
  size_t product = 0;
  return __builtin_mul_overflow(a, b, &product) ? SIZE_MAX : product;
}

Value repeat(Interpreter& interpreter, const Value& sequence, int64_t count) {
  const size_t times = count > 0 ? static_cast<size_t>(count) : 0;
  if (sequence.is_string()) {
    const std::string& text = sequence.as_string();
    interpreter.check_string_size(saturating_product(text.size(), times));
    std::string out;
    out.reserve(text.size() * times);
    for (size_t i = 0; i < times; ++i) out += text;
    return Value::string(std::move(out), sequence.is_markup());
  }
  const auto& items = sequence.items();
  interpreter.check_collection_size(saturating_product(items.size(), times));
  std::vector<Value> out;
  out.reserve(items.size() * times);
  for (size_t i = 0; i < times; ++i) out.insert(out.end(), items.begin(), items.end());
  return Value::list(std::move(out), sequence.sequence());
}

Value multiply(Interpreter& interpreter, const Value& left, const Value& right) {
  const bool left_sequence = left.is_string() || is_plain_sequence(left);
  const bool right_sequence = right.is_string() || is_plain_sequence(right);
  if (left_sequence || right_sequence) {
    const Value& sequence = left_sequence ? left : right;
    const Value& count = left_sequence ? right : left;
    if (count.is_int() || count.is_bool()) return repeat(interpreter, sequence, count.as_int());
    raise("TypeError", "can't multiply sequence by non-int of type '" + type_name(count) + "'");
  }
  unsupported(BinaryOp::Multiply, left, right);
}

}  // namespace

double python_float_mod(double a, double b) {
  double mod = std::fmod(a, b);
  if (mod != 0.0) {
    if ((b < 0) != (mod < 0)) mod += b;
  } else {
    mod = std::copysign(0.0, b);
  }
  return mod;
}

double python_float_floordiv(double a, double b) {
  double mod = std::fmod(a, b);
  double div = (a - mod) / b;
  if (mod != 0.0 && (b < 0) != (mod < 0)) div -= 1.0;
  if (div == 0.0) return std::copysign(0.0, a / b);
  double floor_div = std::floor(div);
  if (div - floor_div > 0.5) floor_div += 1.0;
  return floor_div;
}

Value binary_operation(Interpreter& interpreter, BinaryOp op, const Value& left, const Value& right) {
  if (left.is_undefined()) fail_undefined(left);
  if (right.is_undefined() && !(op == BinaryOp::Modulo && left.is_string())) fail_undefined(right);
  if (left.is_number() && right.is_number()) {
    if (!left.is_float() && !right.is_float()) return integer_operation(op, left.as_int(), right.as_int());
    return float_operation(op, left.as_float(), right.as_float());
  }
  switch (op) {
    case BinaryOp::Add: return add(interpreter, left, right);
    case BinaryOp::Multiply: return multiply(interpreter, left, right);
    case BinaryOp::Modulo:
      if (left.is_string()) return percent_format(interpreter, left, right);
      break;
    default: break;
  }
  unsupported(op, left, right);
}

Value negate(const Value& operand) {
  if (operand.is_undefined()) fail_undefined(operand);
  if (operand.is_float()) return Value::floating(-operand.as_float());
  if (operand.is_int() || operand.is_bool()) {
    if (operand.as_int() == std::numeric_limits<int64_t>::min()) overflow();
    return Value::integer(-operand.as_int());
  }
  raise("TypeError", "bad operand type for unary -: '" + type_name(operand) + "'");
}

Value unary_plus(const Value& operand) {
  if (operand.is_undefined()) fail_undefined(operand);
  if (operand.is_float()) return operand;
  if (operand.is_int() || operand.is_bool()) return Value::integer(operand.as_int());
  raise("TypeError", "bad operand type for unary +: '" + type_name(operand) + "'");
}

bool compare(CompareOp op, const Value& left, const Value& right) {
  switch (op) {
    case CompareOp::Equal: return equals(left, right);
    case CompareOp::NotEqual: return !equals(left, right);
    case CompareOp::Less: return less(left, right);
    case CompareOp::Greater: return less(right, left);
    case CompareOp::LessEqual:
      if (left.is_number() && right.is_number()) return left.as_float() <= right.as_float() && !less(right, left);
      return !less(right, left);
    case CompareOp::GreaterEqual:
      if (left.is_number() && right.is_number()) return left.as_float() >= right.as_float() && !less(left, right);
      return !less(left, right);
    case CompareOp::In: return contains(right, left);
    case CompareOp::NotIn: return !contains(right, left);
  }
  return false;
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::Undefined: return false;
    case Value::Kind::String:
      if (!item.is_string())
        raise("TypeError", "'in <string>' requires string as left operand, not " + type_name(item));
      return container.as_string().find(item.as_string()) != std::string::npos;
    case Value::Kind::Dict: return container.as_dict().find(item) != nullptr;
    case Value::Kind::List: {
      if (container.sequence() != Value::Sequence::Iterator) {
        for (const Value& element : container.items())
          if (equals(element, item)) return true;
        return false;
      }
      ListObject& iterator = container.list_object();  // consumed up to the match, as Python's `in`
      while (iterator.consumed < iterator.items.size())
        if (equals(iterator.items[iterator.consumed++], item)) return true;
      return false;
    }
    default: raise("TypeError", "argument of type '" + type_name(container) + "' is not iterable");
  }
}

namespace {

// Python's slice.indices(length): the start, stop and step a slice walks.
bool slice_indices(const Value& start, const Value& stop, const Value& step, int64_t length, int64_t& first,
                   int64_t& last, int64_t& stride) {
  auto is_bound = [](const Value& v) { return v.is_none() || v.is_int() || v.is_bool(); };
  if (!is_bound(start) || !is_bound(stop) || !is_bound(step)) return false;
  stride = step.is_none() ? 1 : step.as_int();
  if (stride == 0) raise("ValueError", "slice step cannot be zero");
  const int64_t lower = stride < 0 ? -1 : 0, upper = stride < 0 ? length - 1 : length;
  auto clamp = [&](const Value& bound, int64_t fallback) {
    if (bound.is_none()) return fallback;
    int64_t index = bound.as_int();
    if (index < 0) {
      index += length;
      if (index < lower) index = lower;
    } else if (index > upper) {
      index = upper;
    }
    return index;
  };
  first = clamp(start, stride < 0 ? upper : lower);
  last = clamp(stop, stride < 0 ? lower : upper);
  return true;
}

template <typename Take>
void walk_slice(int64_t first, int64_t last, int64_t stride, Take take) {
  if (stride > 0) {
    for (int64_t i = first; i < last; i += stride) take(static_cast<size_t>(i));
  } else {
    for (int64_t i = first; i > last; i += stride) take(static_cast<size_t>(i));
  }
}

}  // namespace

std::optional<Value> slice(const Value& object, const Value& start, const Value& stop, const Value& step) {
  int64_t first = 0, last = 0, stride = 1;
  if (object.is_string()) {
    const std::string& text = object.as_string();
    const bool ascii = is_ascii(text);
    std::vector<std::string_view> chars;
    if (!ascii) {
      for (size_t at = 0, length = 0; at < text.size(); at += length) {
        decode_utf8(text, at, length);
        chars.emplace_back(text.data() + at, length);
      }
    }
    const auto count = static_cast<int64_t>(ascii ? text.size() : chars.size());
    if (!slice_indices(start, stop, step, count, first, last, stride)) return std::nullopt;
    std::string out;
    walk_slice(first, last, stride, [&](size_t i) {
      if (ascii) {
        out += text[i];
      } else {
        out += chars[i];
      }
    });
    return Value::string(std::move(out), object.is_markup());
  }
  if (object.is_list() && object.sequence() != Value::Sequence::Iterator &&
      object.sequence() != Value::Sequence::DictItems && object.sequence() != Value::Sequence::DictKeys &&
      object.sequence() != Value::Sequence::DictValues) {
    const auto& items = object.items();
    if (!slice_indices(start, stop, step, static_cast<int64_t>(items.size()), first, last, stride))
      return std::nullopt;
    std::vector<Value> out;
    walk_slice(first, last, stride, [&](size_t i) { out.push_back(items[i]); });
    return Value::list(std::move(out), object.sequence());
  }
  return std::nullopt;
}

}  // namespace transformers::chat_templates::detail
