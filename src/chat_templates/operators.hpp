#pragma once
// Python's operators on Values: arithmetic (int stays int, / gives a float, // and % floor as Python
// does), str and list concatenation and repetition (Markup escaping what it is joined with),
// comparisons, `in`, and slicing.
#include <optional>

#include "nodes.hpp"
#include "value.hpp"

namespace transformers::chat_templates::detail {

class Interpreter;

Value binary_operation(Interpreter& interpreter, BinaryOp op, const Value& left, const Value& right);
Value negate(const Value& operand);
Value unary_plus(const Value& operand);
bool compare(CompareOp op, const Value& left, const Value& right);
// item in container
bool contains(const Value& container, const Value& item);
// object[start:stop:step] for a str or list (bounds as Python clamps them); nullopt for a type that
// cannot be sliced.
std::optional<Value> slice(const Value& object, const Value& start, const Value& stop, const Value& step);

// Python's float // and %, and int // and % (floor rounding), shared with divmod-like filters.
double python_float_mod(double a, double b);
double python_float_floordiv(double a, double b);

}  // namespace transformers::chat_templates::detail
