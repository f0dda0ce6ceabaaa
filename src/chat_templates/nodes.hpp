#pragma once
// The tree the parser builds and the evaluator walks: expressions (constants, names, attribute and
// item access, calls, filters, tests, operators, literals) and statements (text, output, if, for,
// set, macro, call, filter, with, break/continue, generation). Nodes only hold data and the byte
// offset errors are reported at; what they mean lives in evaluator.cpp.
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "value.hpp"

namespace transformers::chat_templates::detail {

struct Expr;
struct Stmt;
using ExprPtr = std::unique_ptr<Expr>;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Node {
  explicit Node(size_t at) : offset(at) {}
  virtual ~Node() = default;
  size_t offset;  // in the normalized source
};

// Call arguments as written: f(a, b, key=c, *rest, **named).
struct ArgumentExprs {
  std::vector<ExprPtr> positional;
  std::vector<std::pair<std::string, ExprPtr>> keywords;
  ExprPtr star, star_star;
};

struct FilterDefinition;
struct TestDefinition;

struct Expr : Node {
  enum class Kind {
    Constant, Name, Attribute, Item, Slice, Call, Filter, Test, Negate, Plus, Not,
    Binary, And, Or, Concat, Compare, Conditional, List, Tuple, Dict
  };
  Expr(Kind k, size_t at) : Node(at), kind(k) {}
  Kind kind;
};

struct ConstantExpr final : Expr {
  ConstantExpr(Value v, size_t at) : Expr(Kind::Constant, at), value(std::move(v)) {}
  Value value;
};

struct NameExpr final : Expr {
  NameExpr(std::string n, size_t at) : Expr(Kind::Name, at), name(std::move(n)) {}
  std::string name;
};

struct AttributeExpr final : Expr {
  AttributeExpr(ExprPtr o, std::string n, size_t at) : Expr(Kind::Attribute, at), object(std::move(o)), name(std::move(n)) {}
  ExprPtr object;
  std::string name;
};

struct ItemExpr final : Expr {
  ItemExpr(ExprPtr o, ExprPtr k, size_t at) : Expr(Kind::Item, at), object(std::move(o)), key(std::move(k)) {}
  ExprPtr object, key;
};

struct SliceExpr final : Expr {
  explicit SliceExpr(size_t at) : Expr(Kind::Slice, at) {}
  ExprPtr object, start, stop, step;  // bounds may be null
};

struct CallExpr final : Expr {
  CallExpr(ExprPtr c, size_t at) : Expr(Kind::Call, at), callee(std::move(c)) {}
  ExprPtr callee;
  ArgumentExprs arguments;
};

// A filter (value|name(args)); `operand` is null inside {% filter %} and {% set x | f %} blocks,
// where the block's text is the operand. `definition` is null for a filter jinja2 does not know,
// which is then an error when it runs.
struct FilterExpr final : Expr {
  FilterExpr(ExprPtr o, std::string n, size_t at) : Expr(Kind::Filter, at), operand(std::move(o)), name(std::move(n)) {}
  ExprPtr operand;
  std::string name;
  const FilterDefinition* definition = nullptr;
  ArgumentExprs arguments;
};

struct TestExpr final : Expr {
  TestExpr(ExprPtr o, std::string n, size_t at) : Expr(Kind::Test, at), operand(std::move(o)), name(std::move(n)) {}
  ExprPtr operand;
  std::string name;
  const TestDefinition* definition = nullptr;
  ArgumentExprs arguments;
};

struct UnaryExpr final : Expr {
  UnaryExpr(Kind k, ExprPtr o, size_t at) : Expr(k, at), operand(std::move(o)) {}
  ExprPtr operand;
};

enum class BinaryOp { Add, Subtract, Multiply, Divide, FloorDivide, Modulo, Power };

struct BinaryExpr final : Expr {
  BinaryExpr(BinaryOp o, ExprPtr l, ExprPtr r, size_t at)
      : Expr(Kind::Binary, at), op(o), left(std::move(l)), right(std::move(r)) {}
  BinaryOp op;
  ExprPtr left, right;
};

// `and` / `or` (Kind::And, Kind::Or): Python's short-circuit, returning an operand.
struct LogicalExpr final : Expr {
  LogicalExpr(Kind k, ExprPtr l, ExprPtr r, size_t at) : Expr(k, at), left(std::move(l)), right(std::move(r)) {}
  ExprPtr left, right;
};

struct ConcatExpr final : Expr {
  explicit ConcatExpr(size_t at) : Expr(Kind::Concat, at) {}
  std::vector<ExprPtr> parts;
};

enum class CompareOp { Equal, NotEqual, Less, LessEqual, Greater, GreaterEqual, In, NotIn };

// a < b <= c ...: chained as Python chains them.
struct CompareExpr final : Expr {
  CompareExpr(ExprPtr f, size_t at) : Expr(Kind::Compare, at), first(std::move(f)) {}
  ExprPtr first;
  std::vector<std::pair<CompareOp, ExprPtr>> rest;
};

struct ConditionalExpr final : Expr {
  explicit ConditionalExpr(size_t at) : Expr(Kind::Conditional, at) {}
  ExprPtr test, then, otherwise;  // otherwise may be null: undefined when the test fails
};

// List and tuple literals (Kind::List, Kind::Tuple).
struct SequenceExpr final : Expr {
  SequenceExpr(Kind k, size_t at) : Expr(k, at) {}
  std::vector<ExprPtr> items;
};

struct DictExpr final : Expr {
  explicit DictExpr(size_t at) : Expr(Kind::Dict, at) {}
  std::vector<std::pair<ExprPtr, ExprPtr>> items;
};

// What `set`, `for` and `with` assign to: a name, a namespace attribute (ns.x) or a tuple of targets.
struct Target {
  enum class Kind { Name, NamespaceAttribute, Tuple };
  Kind kind = Kind::Name;
  std::string name;       // the variable, or the namespace's variable
  std::string attribute;  // NamespaceAttribute only
  std::vector<Target> items;
  size_t offset = 0;
};

// A macro, or the body of a {% call %} block (the caller) or a {% generation %} block.
struct MacroDefinition {
  std::string name;
  std::vector<std::string> parameters;
  std::vector<ExprPtr> defaults;  // for the last defaults.size() parameters
  Body body;
  bool uses_caller = false, uses_varargs = false, uses_kwargs = false;
};

struct Stmt : Node {
  enum class Kind { Text, Output, If, For, Set, SetBlock, Macro, CallBlock, FilterBlock, With, Break, Continue,
                    Generation, Scope, Unsupported };
  Stmt(Kind k, size_t at) : Node(at), kind(k) {}
  Kind kind;
};

struct TextStmt final : Stmt {
  TextStmt(std::string t, size_t at) : Stmt(Kind::Text, at), text(std::move(t)) {}
  std::string text;
};

struct OutputStmt final : Stmt {
  OutputStmt(ExprPtr e, size_t at) : Stmt(Kind::Output, at), expr(std::move(e)) {}
  ExprPtr expr;
};

struct IfStmt final : Stmt {
  explicit IfStmt(size_t at) : Stmt(Kind::If, at) {}
  std::vector<std::pair<ExprPtr, Body>> branches;  // if, then each elif
  Body otherwise;
};

struct ForStmt final : Stmt {
  explicit ForStmt(size_t at) : Stmt(Kind::For, at) {}
  Target target;
  ExprPtr iterable, condition;  // condition: the loop's `if` filter, may be null
  Body body, otherwise;
  bool recursive = false;
};

struct SetStmt final : Stmt {
  explicit SetStmt(size_t at) : Stmt(Kind::Set, at) {}
  Target target;
  ExprPtr value;
};

struct SetBlockStmt final : Stmt {
  explicit SetBlockStmt(size_t at) : Stmt(Kind::SetBlock, at) {}
  Target target;
  ExprPtr filter;  // may be null; the innermost FilterExpr has no operand
  Body body;
};

struct MacroStmt final : Stmt {
  explicit MacroStmt(size_t at) : Stmt(Kind::Macro, at) {}
  std::shared_ptr<const MacroDefinition> macro;
};

struct CallBlockStmt final : Stmt {
  explicit CallBlockStmt(size_t at) : Stmt(Kind::CallBlock, at) {}
  ExprPtr call;  // a CallExpr
  std::shared_ptr<const MacroDefinition> caller;
};

struct FilterBlockStmt final : Stmt {
  explicit FilterBlockStmt(size_t at) : Stmt(Kind::FilterBlock, at) {}
  ExprPtr filter;  // the innermost FilterExpr has no operand
  Body body;
};

struct WithStmt final : Stmt {
  explicit WithStmt(size_t at) : Stmt(Kind::With, at) {}
  std::vector<std::pair<Target, ExprPtr>> assignments;
  Body body;
};

// {% generation %}: a scope of its own whose output span is recorded; {% block %} and
// {% autoescape %} bodies are plain scopes (Kind::Scope) rendered where they stand.
struct BodyStmt final : Stmt {
  BodyStmt(Kind k, size_t at) : Stmt(k, at) {}
  Body body;
  ExprPtr setting;  // {% autoescape EXPR %} only
};

// break / continue (Kind::Break, Kind::Continue).
struct LoopControlStmt final : Stmt {
  LoopControlStmt(Kind k, size_t at) : Stmt(k, at) {}
};

// include / import / extends: transformers' environment has no loader, so rendering them fails.
struct UnsupportedStmt final : Stmt {
  UnsupportedStmt(std::string t, std::string m, size_t at)
      : Stmt(Kind::Unsupported, at), error_type(std::move(t)), message(std::move(m)) {}
  std::string error_type, message;
};

}  // namespace transformers::chat_templates::detail
