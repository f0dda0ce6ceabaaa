#pragma once
// The evaluator: walks a parsed template with a context and writes the output, with jinja2's
// scoping (a loop iteration, macro call or block is a scope; `if` is not), the sandbox's rules for
// attribute and item access, and the RenderLimits that stop a runaway template.
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nodes.hpp"
#include "transformers/chat_templates/template.hpp"
#include "value.hpp"

namespace transformers::chat_templates::detail {

struct Program {
  std::string name;
  std::string source;      // as given
  std::string normalized;  // newlines normalized: what offsets point into
  Body body;
};

// A Python exception with the template offset it happened at (converted to a TemplateError with
// line and column by Template).
struct LocatedError {
  std::string type;
  std::string message;
  size_t offset;
};

// The variables one scope assigned; lookups go outward to the context and the globals.
struct Scope {
  explicit Scope(std::shared_ptr<Scope> outer) : parent(std::move(outer)) {}
  const Value* find(std::string_view name) const;
  void set(std::string_view name, Value value);

  std::shared_ptr<Scope> parent;
  std::vector<std::pair<std::string, Value>> variables;
};
using ScopePtr = std::shared_ptr<Scope>;

struct LoopState;

class Interpreter {
 public:
  Interpreter(const Program& program, const RenderOptions& options, Value context);
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;
  RenderOutput render();
  // A namespace this render made (namespace(...)): emptied when the render ends.
  void track_namespace(const Value& space);

  // The sandbox's getattr (obj.name) and getitem (obj[key]), as filters and methods use them too.
  Value get_attribute(const Value& object, std::string_view name);
  Value get_item(const Value& object, const Value& key);
  Value call(const Value& callee, CallArguments arguments);
  Value apply_filter(std::string_view name, const Value& operand, CallArguments arguments);
  bool apply_test(std::string_view name, const Value& operand, CallArguments arguments);

  // LimitExceeded when a string or collection would pass the limits, or the steps run out.
  void check_string_size(size_t bytes) const;
  void check_collection_size(size_t items) const;
  void count_step();
  // Charges the work a filter, method or operator does on `value` (a step per list or dict item,
  // per 64 bytes of a string): loops over big values stop as surely as loops over many items.
  void charge_work(const Value& value);
  std::chrono::system_clock::time_point now() const;

  Value call_macro(const MacroDefinition& macro, const ScopePtr& closure, CallArguments arguments);
  Value call_loop(const LoopState& loop, CallArguments arguments);

 private:
  enum class Flow { Normal, Break, Continue };
  struct DepthGuard;

  ScopePtr child_of(const ScopePtr& scope);
  template <typename T>
  static void remember(std::vector<std::weak_ptr<T>>& list, const std::shared_ptr<T>& item);

  Flow execute(const Body& body, const ScopePtr& scope);
  Flow execute(const Stmt& statement, const ScopePtr& scope);
  Flow execute_statement(const Stmt& statement, const ScopePtr& scope);
  void execute_if(const IfStmt& node, const ScopePtr& scope, Flow& flow);
  void execute_for(const ForStmt& node, const ScopePtr& scope);
  void run_loop(const ForStmt& node, const ScopePtr& scope, std::vector<Value> items, size_t depth);
  void execute_call_block(const CallBlockStmt& node, const ScopePtr& scope);
  void execute_with(const WithStmt& node, const ScopePtr& scope);
  void execute_generation(const BodyStmt& node, const ScopePtr& scope);
  std::string render_body(const Body& body, const ScopePtr& scope);
  void assign(const Target& target, Value value, Scope& scope);
  void write(const Value& value);
  void write(std::string_view text);

  Value evaluate(const Expr& expr, const ScopePtr& scope);
  Value evaluate_expression(const Expr& expr, const ScopePtr& scope);
  Value lookup(const std::string& name, const Scope& scope) const;
  Value evaluate_call(const CallExpr& node, const ScopePtr& scope);
  CallArguments evaluate_arguments(const ArgumentExprs& arguments, const ScopePtr& scope);
  Value evaluate_filter(const FilterExpr& node, const Value& operand, const ScopePtr& scope);
  bool evaluate_test(const TestExpr& node, const ScopePtr& scope);
  Value evaluate_compare(const CompareExpr& node, const ScopePtr& scope);
  Value evaluate_slice(const SliceExpr& node, const ScopePtr& scope);
  Value evaluate_dict(const DictExpr& node, const ScopePtr& scope);

  const Program& program_;
  const RenderOptions& options_;
  Value context_;  // a dict
  std::string root_output_;
  std::string* output_ = &root_output_;
  std::vector<std::pair<size_t, size_t>> generation_spans_;
  size_t steps_ = 0;
  size_t call_depth_ = 0;
  std::chrono::system_clock::time_point now_;
  std::vector<std::weak_ptr<Scope>> scopes_;
  std::vector<std::weak_ptr<SpecialObject>> namespaces_;
};

// The template's own objects: a macro bound to the scope it was defined in, and a loop's state.
struct MacroObject final : SpecialObject {
  MacroObject(std::shared_ptr<const MacroDefinition> definition, ScopePtr scope)
      : macro(std::move(definition)), closure(std::move(scope)) {}
  std::string type_name() const override { return "Macro"; }
  std::string repr() const override { return "<Macro '" + macro->name + "'>"; }
  std::optional<Value> attribute(std::string_view name) const override;
  bool callable() const override { return true; }
  Value call(Interpreter& interpreter, CallArguments arguments) const override {
    return interpreter.call_macro(*macro, closure, std::move(arguments));
  }

  std::shared_ptr<const MacroDefinition> macro;
  ScopePtr closure;
};

struct LoopState final : SpecialObject {
  std::string type_name() const override { return "LoopContext"; }
  std::string repr() const override;
  std::optional<Value> attribute(std::string_view name) const override;
  bool callable() const override { return recursive != nullptr; }
  Value call(Interpreter& interpreter, CallArguments arguments) const override {
    return interpreter.call_loop(*this, std::move(arguments));
  }

  std::vector<Value> items;
  size_t index0 = 0;
  size_t depth = 1;
  const ForStmt* recursive = nullptr;  // the loop `loop(...)` renders again, when recursive
  ScopePtr scope;                      // where a recursive loop runs
  mutable std::optional<Value> last_changed;
};

}  // namespace transformers::chat_templates::detail
