// Rendering: statements write to the current output buffer, expressions compute Values. Scoping
// follows jinja2's compiled code: each loop iteration, macro call, call/filter/set block body and
// `with` gets a scope of its own (what it sets is gone afterwards), `if` does not. Attribute and
// item access follow the sandbox (methods before keys for obj.name, keys before methods for
// obj[name], the mutating methods hidden). Every Python exception gets the offset of the innermost
// expression or statement that raised it.
#include "evaluator.hpp"

#include "lexer.hpp"
#include "library.hpp"
#include "operators.hpp"
#include "text.hpp"

namespace transformers::chat_templates::detail {

const Value* Scope::find(std::string_view name) const {
  for (const auto& [key, value] : variables)
    if (key == name) return &value;
  return nullptr;
}

void Scope::set(std::string_view name, Value value) {
  for (auto& [key, existing] : variables) {
    if (key == name) {
      existing = std::move(value);
      return;
    }
  }
  variables.emplace_back(std::string(name), std::move(value));
}

namespace {

bool is_dunder(std::string_view name) {
  return name.size() > 4 && name.substr(0, 2) == "__" && name.substr(name.size() - 2) == "__";
}

Value unsafe_attribute(const Value& object, std::string_view name) {
  return Value::undefined(
      "access to attribute '" + std::string(name) + "' of '" + type_name(object) + "' object is unsafe.",
      "SecurityError");
}

Value missing_attribute(const Value& object, std::string_view name) {
  return Value::undefined("'" + object_description(object) + "' has no attribute '" + std::string(name) + "'");
}

Value missing_element(const Value& object, const Value& key) {
  return Value::undefined("'" + object_description(object) + "' has no element " + repr(key));
}

// An output buffer swapped in for a block body and restored however the body ends.
class OutputSwap {
 public:
  OutputSwap(std::string*& output, std::string& buffer) : output_(output), saved_(output) { output_ = &buffer; }
  ~OutputSwap() { output_ = saved_; }
  OutputSwap(const OutputSwap&) = delete;
  OutputSwap& operator=(const OutputSwap&) = delete;

 private:
  std::string*& output_;
  std::string* saved_;
};

struct LoopMethod final : SpecialObject {
  LoopMethod(std::shared_ptr<const LoopState> state, std::string method) : loop(std::move(state)), name(std::move(method)) {}
  std::string type_name() const override { return "method"; }
  std::string repr() const override { return "<bound method LoopContext." + name + ">"; }
  bool callable() const override { return true; }
  Value call(Interpreter&, CallArguments arguments) const override {
    if (!arguments.keywords.empty()) raise("TypeError", name + "() got an unexpected keyword argument");
    if (name == "cycle") {
      if (arguments.positional.empty()) raise("TypeError", "no items for cycling given");
      return arguments.positional[loop->index0 % arguments.positional.size()];
    }
    Value value = Value::list(std::move(arguments.positional), Value::Sequence::Tuple);
    if (loop->last_changed && equals(*loop->last_changed, value)) return Value::boolean(false);
    loop->last_changed = value;
    return Value::boolean(true);
  }
  std::shared_ptr<const LoopState> loop;
  std::string name;
};

}  // namespace

std::optional<Value> MacroObject::attribute(std::string_view name) const {
  if (name == "name") return Value::string(macro->name);
  if (name == "arguments") {
    std::vector<Value> names;
    for (const std::string& parameter : macro->parameters) names.push_back(Value::string(parameter));
    return Value::list(std::move(names), Value::Sequence::Tuple);
  }
  if (name == "catch_kwargs") return Value::boolean(macro->uses_kwargs);
  if (name == "catch_varargs") return Value::boolean(macro->uses_varargs);
  if (name == "caller") return Value::boolean(macro->uses_caller);
  return std::nullopt;
}

std::string LoopState::repr() const {
  return "<LoopContext " + std::to_string(index0 + 1) + "/" + std::to_string(items.size()) + ">";
}

std::optional<Value> LoopState::attribute(std::string_view name) const {
  const auto length = static_cast<int64_t>(items.size()), index = static_cast<int64_t>(index0);
  if (name == "index") return Value::integer(index + 1);
  if (name == "index0") return Value::integer(index);
  if (name == "revindex") return Value::integer(length - index);
  if (name == "revindex0") return Value::integer(length - index - 1);
  if (name == "first") return Value::boolean(index == 0);
  if (name == "last") return Value::boolean(index == length - 1);
  if (name == "length") return Value::integer(length);
  if (name == "depth") return Value::integer(static_cast<int64_t>(depth));
  if (name == "depth0") return Value::integer(static_cast<int64_t>(depth) - 1);
  if (name == "previtem") return index > 0 ? items[index0 - 1] : Value::undefined("there is no previous item");
  if (name == "nextitem")
    return index + 1 < length ? items[index0 + 1] : Value::undefined("there is no next item");
  if (name == "cycle" || name == "changed") {
    auto self = std::static_pointer_cast<const LoopState>(shared_from_this());
    return Value::object(std::make_shared<LoopMethod>(std::move(self), std::string(name)));
  }
  return std::nullopt;
}

struct Interpreter::DepthGuard {
  explicit DepthGuard(Interpreter& owner) : interpreter(owner) {
    if (++interpreter.call_depth_ > interpreter.options_.limits.max_call_depth) {
      --interpreter.call_depth_;
      raise("LimitExceeded", "calls nest deeper than " + std::to_string(interpreter.options_.limits.max_call_depth) +
                                 " levels (RenderLimits::max_call_depth)");
    }
  }
  ~DepthGuard() { --interpreter.call_depth_; }
  Interpreter& interpreter;
};

// Scopes and namespaces can end up holding themselves (a macro lives in the scope it closes over; a
// namespace can store itself), which shared ownership alone never frees: every scope and namespace
// this render made is emptied when it ends.
Interpreter::~Interpreter() {
  for (const auto& weak : scopes_)
    if (ScopePtr scope = weak.lock()) scope->variables.clear();
  for (const auto& weak : namespaces_)
    if (auto space = weak.lock()) clear_namespace(*space);
}

ScopePtr Interpreter::child_of(const ScopePtr& scope) {
  auto child = std::make_shared<Scope>(scope);
  remember(scopes_, child);
  return child;
}

void Interpreter::track_namespace(const Value& space) {
  remember(namespaces_, std::static_pointer_cast<SpecialObject>(space.as_object().shared_from_this()));
}

template <typename T>
void Interpreter::remember(std::vector<std::weak_ptr<T>>& list, const std::shared_ptr<T>& item) {
  if (list.size() >= 1024 && list.size() == list.capacity()) {  // drop the expired before growing
    std::erase_if(list, [](const std::weak_ptr<T>& weak) { return weak.expired(); });
    list.reserve(list.size() * 2 + 1024);
  }
  list.push_back(item);
}

Interpreter::Interpreter(const Program& program, const RenderOptions& options, Value context)
    : program_(program),
      options_(options),
      context_(std::move(context)),
      now_(options.now.value_or(std::chrono::system_clock::now())) {}

RenderOutput Interpreter::render() {
  ScopePtr root = child_of(nullptr);
  execute(program_.body, root);
  return RenderOutput{std::move(root_output_), std::move(generation_spans_)};
}

void Interpreter::check_string_size(size_t bytes) const {
  if (bytes > options_.limits.max_string_bytes)
    raise("LimitExceeded", "a string would hold " + std::to_string(bytes) + " bytes, more than the " +
                               std::to_string(options_.limits.max_string_bytes) +
                               " RenderLimits::max_string_bytes allows");
}

void Interpreter::check_collection_size(size_t items) const {
  if (items > options_.limits.max_collection_items)
    raise("LimitExceeded", "a list or dict would hold " + std::to_string(items) + " items, more than the " +
                               std::to_string(options_.limits.max_collection_items) +
                               " RenderLimits::max_collection_items allows");
}

void Interpreter::count_step() {
  if (++steps_ > options_.limits.max_steps)
    raise("LimitExceeded", "the template ran more than " + std::to_string(options_.limits.max_steps) +
                               " steps (RenderLimits::max_steps)");
}

void Interpreter::charge_work(const Value& value) {
  size_t work = 0;
  if (value.is_string()) work = value.as_string().size() / 64;
  else if (value.is_list()) work = value.items().size();
  else if (value.is_dict()) work = value.as_dict().entries.size();
  steps_ += work;
  if (steps_ > options_.limits.max_steps)
    raise("LimitExceeded", "the template ran more than " + std::to_string(options_.limits.max_steps) +
                               " steps (RenderLimits::max_steps)");
}

std::chrono::system_clock::time_point Interpreter::now() const { return now_; }

// ---- statements ----

Interpreter::Flow Interpreter::execute(const Body& body, const ScopePtr& scope) {
  for (const StmtPtr& statement : body) {
    const Flow flow = execute(*statement, scope);
    if (flow != Flow::Normal) return flow;
  }
  return Flow::Normal;
}

Interpreter::Flow Interpreter::execute(const Stmt& statement, const ScopePtr& scope) {
  try {
    count_step();
    return execute_statement(statement, scope);
  } catch (const PythonError& error) {
    throw LocatedError{error.type, error.message, statement.offset};
  }
}

Interpreter::Flow Interpreter::execute_statement(const Stmt& statement, const ScopePtr& scope) {
  Flow flow = Flow::Normal;
  switch (statement.kind) {
    case Stmt::Kind::Text: write(static_cast<const TextStmt&>(statement).text); break;
    case Stmt::Kind::Output: write(evaluate(*static_cast<const OutputStmt&>(statement).expr, scope)); break;
    case Stmt::Kind::If: execute_if(static_cast<const IfStmt&>(statement), scope, flow); break;
    case Stmt::Kind::For: execute_for(static_cast<const ForStmt&>(statement), scope); break;
    case Stmt::Kind::Set: {
      const auto& node = static_cast<const SetStmt&>(statement);
      assign(node.target, evaluate(*node.value, scope), *scope);
      break;
    }
    case Stmt::Kind::SetBlock: {
      const auto& node = static_cast<const SetBlockStmt&>(statement);
      Value text = Value::string(render_body(node.body, child_of(scope)));
      assign(node.target, node.filter ? evaluate_filter(static_cast<const FilterExpr&>(*node.filter), text, scope) : text,
             *scope);
      break;
    }
    case Stmt::Kind::Macro: {
      const auto& macro = static_cast<const MacroStmt&>(statement).macro;
      scope->set(macro->name, Value::object(std::make_shared<MacroObject>(macro, scope)));
      break;
    }
    case Stmt::Kind::CallBlock: execute_call_block(static_cast<const CallBlockStmt&>(statement), scope); break;
    case Stmt::Kind::FilterBlock: {
      const auto& node = static_cast<const FilterBlockStmt&>(statement);
      Value text = Value::string(render_body(node.body, child_of(scope)));
      write(evaluate_filter(static_cast<const FilterExpr&>(*node.filter), text, scope));
      break;
    }
    case Stmt::Kind::With: execute_with(static_cast<const WithStmt&>(statement), scope); break;
    case Stmt::Kind::Break: return Flow::Break;
    case Stmt::Kind::Continue: return Flow::Continue;
    case Stmt::Kind::Generation: execute_generation(static_cast<const BodyStmt&>(statement), scope); break;
    case Stmt::Kind::Scope: {
      const auto& node = static_cast<const BodyStmt&>(statement);
      if (node.setting) evaluate(*node.setting, scope);
      flow = execute(node.body, child_of(scope));
      break;
    }
    case Stmt::Kind::Unsupported: {
      const auto& node = static_cast<const UnsupportedStmt&>(statement);
      raise(node.error_type, node.message);
    }
  }
  return flow;
}

void Interpreter::execute_if(const IfStmt& node, const ScopePtr& scope, Flow& flow) {
  for (const auto& [test, body] : node.branches) {
    if (truthy(evaluate(*test, scope))) {
      flow = execute(body, scope);
      return;
    }
  }
  flow = execute(node.otherwise, scope);
}

void Interpreter::execute_for(const ForStmt& node, const ScopePtr& scope) {
  Value iterable = evaluate(*node.iterable, scope);
  run_loop(node, scope, iterate(iterable), 1);
}

void Interpreter::run_loop(const ForStmt& node, const ScopePtr& scope, std::vector<Value> items, size_t depth) {
  if (node.condition) {  // {% for x in xs if test %}: the loop sees only the items that pass
    std::vector<Value> kept;
    for (Value& item : items) {
      count_step();
      ScopePtr probe = child_of(scope);
      assign(node.target, item, *probe);
      if (truthy(evaluate(*node.condition, probe))) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) {
    execute(node.otherwise, child_of(scope));
    return;
  }
  auto loop = std::make_shared<LoopState>();
  loop->items = std::move(items);
  loop->depth = depth;
  if (node.recursive) {
    loop->recursive = &node;
    loop->scope = scope;
  }
  const Value loop_value = Value::object(loop);
  for (size_t i = 0; i < loop->items.size(); ++i) {
    count_step();
    loop->index0 = i;
    ScopePtr iteration = child_of(scope);
    assign(node.target, loop->items[i], *iteration);
    iteration->set("loop", loop_value);
    if (execute(node.body, iteration) == Flow::Break) break;
  }
}

Value Interpreter::call_loop(const LoopState& loop, CallArguments arguments) {
  if (arguments.positional.size() != 1 || !arguments.keywords.empty())
    raise("TypeError", "a recursive loop is called with exactly one iterable");
  DepthGuard guard(*this);
  std::string buffer;
  {
    OutputSwap swap(output_, buffer);
    run_loop(*loop.recursive, loop.scope, iterate(arguments.positional[0]), loop.depth + 1);
  }
  return Value::string(std::move(buffer));
}

void Interpreter::execute_call_block(const CallBlockStmt& node, const ScopePtr& scope) {
  const auto& call = static_cast<const CallExpr&>(*node.call);
  Value callee = evaluate(*call.callee, scope);
  CallArguments arguments = evaluate_arguments(call.arguments, scope);
  arguments.keywords.emplace_back("caller", Value::object(std::make_shared<MacroObject>(node.caller, scope)));
  write(this->call(callee, std::move(arguments)));
}

void Interpreter::execute_with(const WithStmt& node, const ScopePtr& scope) {
  ScopePtr inner = child_of(scope);
  for (const auto& [target, value] : node.assignments) assign(target, evaluate(*value, scope), *inner);
  execute(node.body, inner);
}

// transformers' AssistantTracker: the span starts where the top-level output stands when the block
// is written (which is where it lands, unless it sits in a macro or a block set).
void Interpreter::execute_generation(const BodyStmt& node, const ScopePtr& scope) {
  std::string body = render_body(node.body, child_of(scope));
  const size_t start = root_output_.size();
  generation_spans_.emplace_back(start, start + body.size());
  write(body);
}

std::string Interpreter::render_body(const Body& body, const ScopePtr& scope) {
  std::string buffer;
  OutputSwap swap(output_, buffer);
  execute(body, scope);
  return buffer;
}

void Interpreter::assign(const Target& target, Value value, Scope& scope) {
  switch (target.kind) {
    case Target::Kind::Name: scope.set(target.name, std::move(value)); return;
    case Target::Kind::NamespaceAttribute: {
      Value space = lookup(target.name, scope);
      if (!is_namespace(space)) raise("TemplateRuntimeError", "cannot assign attribute on non-namespace object");
      set_namespace_attribute(space, target.attribute, std::move(value));
      return;
    }
    case Target::Kind::Tuple: {
      if (value.is_none() || value.is_number() || value.is_object())
        raise("TypeError", "cannot unpack non-iterable " + type_name(value) + " object");
      std::vector<Value> items = iterate(value);
      const size_t expected = target.items.size();
      if (items.size() < expected)
        raise("ValueError", "not enough values to unpack (expected " + std::to_string(expected) + ", got " +
                                std::to_string(items.size()) + ")");
      if (items.size() > expected)
        raise("ValueError", "too many values to unpack (expected " + std::to_string(expected) + ")");
      for (size_t i = 0; i < expected; ++i) assign(target.items[i], std::move(items[i]), scope);
      return;
    }
  }
}

void Interpreter::write(std::string_view text) {
  check_string_size(output_->size() + text.size());
  output_->append(text);
}

void Interpreter::write(const Value& value) {
  if (value.is_string()) return write(std::string_view(value.as_string()));
  const std::string text = to_str(value);
  write(std::string_view(text));
}

// ---- expressions ----

Value Interpreter::evaluate(const Expr& expr, const ScopePtr& scope) {
  try {
    return evaluate_expression(expr, scope);
  } catch (const PythonError& error) {
    throw LocatedError{error.type, error.message, expr.offset};
  }
}

Value Interpreter::lookup(const std::string& name, const Scope& scope) const {
  for (const Scope* s = &scope; s; s = s->parent.get())
    if (const Value* value = s->find(name)) return *value;
  if (const Value* value = context_.as_dict().find(name)) return *value;
  if (auto global = find_global(name)) return *global;
  return Value::undefined("'" + name + "' is undefined");
}

Value Interpreter::evaluate_expression(const Expr& expr, const ScopePtr& scope) {
  switch (expr.kind) {
    case Expr::Kind::Constant: return static_cast<const ConstantExpr&>(expr).value;
    case Expr::Kind::Name: return lookup(static_cast<const NameExpr&>(expr).name, *scope);
    case Expr::Kind::Attribute: {
      const auto& node = static_cast<const AttributeExpr&>(expr);
      return get_attribute(evaluate(*node.object, scope), node.name);
    }
    case Expr::Kind::Item: {
      const auto& node = static_cast<const ItemExpr&>(expr);
      Value object = evaluate(*node.object, scope);
      return get_item(object, evaluate(*node.key, scope));
    }
    case Expr::Kind::Slice: return evaluate_slice(static_cast<const SliceExpr&>(expr), scope);
    case Expr::Kind::Call: return evaluate_call(static_cast<const CallExpr&>(expr), scope);
    case Expr::Kind::Filter: {
      const auto& node = static_cast<const FilterExpr&>(expr);
      return evaluate_filter(node, Value(), scope);
    }
    case Expr::Kind::Test: return Value::boolean(evaluate_test(static_cast<const TestExpr&>(expr), scope));
    case Expr::Kind::Negate: return negate(evaluate(*static_cast<const UnaryExpr&>(expr).operand, scope));
    case Expr::Kind::Plus: return unary_plus(evaluate(*static_cast<const UnaryExpr&>(expr).operand, scope));
    case Expr::Kind::Not: return Value::boolean(!truthy(evaluate(*static_cast<const UnaryExpr&>(expr).operand, scope)));
    case Expr::Kind::Binary: {
      const auto& node = static_cast<const BinaryExpr&>(expr);
      Value left = evaluate(*node.left, scope);
      Value result = binary_operation(*this, node.op, left, evaluate(*node.right, scope));
      charge_work(result);
      return result;
    }
    case Expr::Kind::And: {
      const auto& node = static_cast<const LogicalExpr&>(expr);
      Value left = evaluate(*node.left, scope);
      return truthy(left) ? evaluate(*node.right, scope) : left;
    }
    case Expr::Kind::Or: {
      const auto& node = static_cast<const LogicalExpr&>(expr);
      Value left = evaluate(*node.left, scope);
      return truthy(left) ? left : evaluate(*node.right, scope);
    }
    case Expr::Kind::Concat: {
      std::string text;
      for (const ExprPtr& part : static_cast<const ConcatExpr&>(expr).parts) {
        append_str(text, evaluate(*part, scope));
        check_string_size(text.size());
      }
      Value result = Value::string(std::move(text));
      charge_work(result);
      return result;
    }
    case Expr::Kind::Compare: return evaluate_compare(static_cast<const CompareExpr&>(expr), scope);
    case Expr::Kind::Conditional: {
      const auto& node = static_cast<const ConditionalExpr&>(expr);
      if (truthy(evaluate(*node.test, scope))) return evaluate(*node.then, scope);
      if (node.otherwise) return evaluate(*node.otherwise, scope);
      return Value::undefined("the inline if-expression on line " +
                              std::to_string(position_of(program_.normalized, node.offset).line) +
                              " evaluated to false and no else section was defined.");
    }
    case Expr::Kind::List:
    case Expr::Kind::Tuple: {
      const auto& node = static_cast<const SequenceExpr&>(expr);
      std::vector<Value> items;
      items.reserve(node.items.size());
      for (const ExprPtr& item : node.items) items.push_back(evaluate(*item, scope));
      return Value::list(std::move(items),
                         expr.kind == Expr::Kind::List ? Value::Sequence::List : Value::Sequence::Tuple);
    }
    case Expr::Kind::Dict: return evaluate_dict(static_cast<const DictExpr&>(expr), scope);
  }
  return Value();
}

Value Interpreter::evaluate_dict(const DictExpr& node, const ScopePtr& scope) {
  auto dict = std::make_shared<DictObject>();
  for (const auto& [key_expr, value_expr] : node.items) {
    Value key = evaluate(*key_expr, scope);
    if (key.is_dict() || (key.is_list() && key.sequence() == Value::Sequence::List) || key.is_undefined())
      raise("TypeError", "unhashable type: '" + type_name(key) + "'");
    dict->set(std::move(key), evaluate(*value_expr, scope));
  }
  return Value::dict(std::move(dict));
}

Value Interpreter::evaluate_compare(const CompareExpr& node, const ScopePtr& scope) {
  Value left = evaluate(*node.first, scope);
  for (const auto& [op, operand] : node.rest) {
    Value right = evaluate(*operand, scope);
    if (!compare(op, left, right)) return Value::boolean(false);
    left = std::move(right);
  }
  return Value::boolean(true);
}

Value Interpreter::evaluate_slice(const SliceExpr& node, const ScopePtr& scope) {
  Value object = evaluate(*node.object, scope);
  auto bound = [&](const ExprPtr& expr) { return expr ? evaluate(*expr, scope) : Value::none(); };
  Value start = bound(node.start), stop = bound(node.stop), step = bound(node.step);
  if (object.is_undefined()) fail_undefined(object);
  if (auto result = slice(object, start, stop, step)) return *result;
  return Value::undefined("'" + object_description(object) + "' has no element slice(" + repr(start) + ", " +
                          repr(stop) + ", " + repr(step) + ")");
}

CallArguments Interpreter::evaluate_arguments(const ArgumentExprs& arguments, const ScopePtr& scope) {
  CallArguments out;
  out.positional.reserve(arguments.positional.size());
  for (const ExprPtr& argument : arguments.positional) out.positional.push_back(evaluate(*argument, scope));
  for (const auto& [name, argument] : arguments.keywords) out.keywords.emplace_back(name, evaluate(*argument, scope));
  if (arguments.star) {
    Value extra = evaluate(*arguments.star, scope);
    for (Value& item : iterate(extra)) out.positional.push_back(std::move(item));
  }
  if (arguments.star_star) {
    Value extra = evaluate(*arguments.star_star, scope);
    if (!extra.is_dict()) raise("TypeError", "argument after ** must be a mapping, not " + type_name(extra));
    for (const auto& [key, value] : extra.as_dict().entries) {
      if (!key.is_string()) raise("TypeError", "keywords must be strings");
      out.keywords.emplace_back(key.as_string(), value);
    }
  }
  return out;
}

Value Interpreter::evaluate_call(const CallExpr& node, const ScopePtr& scope) {
  if (node.callee->kind == Expr::Kind::Attribute) {
    // obj.method(...): str, list and dict methods run directly, without a bound-method object.
    const auto& attribute = static_cast<const AttributeExpr&>(*node.callee);
    Value object = evaluate(*attribute.object, scope);
    if ((object.is_string() || object.is_list() || object.is_dict()) &&
        method_access(object, attribute.name) == MethodAccess::Safe) {
      count_step();
      charge_work(object);
      Value result = call_method(*this, object, attribute.name, evaluate_arguments(node.arguments, scope));
      charge_work(result);
      return result;
    }
    Value callee = get_attribute(object, attribute.name);
    return call(callee, evaluate_arguments(node.arguments, scope));
  }
  Value callee = evaluate(*node.callee, scope);
  return call(callee, evaluate_arguments(node.arguments, scope));
}

Value Interpreter::call(const Value& callee, CallArguments arguments) {
  if (callee.is_undefined()) fail_undefined(callee);
  if (callee.is_object() && callee.as_object().callable()) {
    count_step();
    return callee.as_object().call(*this, std::move(arguments));
  }
  raise("TypeError", "'" + type_name(callee) + "' object is not callable");
}

Value Interpreter::evaluate_filter(const FilterExpr& node, const Value& block_text, const ScopePtr& scope) {
  Value operand = block_text;
  if (node.operand) {
    operand = node.operand->kind == Expr::Kind::Filter && !static_cast<const FilterExpr&>(*node.operand).operand
                  ? evaluate_filter(static_cast<const FilterExpr&>(*node.operand), block_text, scope)
                  : evaluate(*node.operand, scope);
  }
  if (!node.definition) raise("TemplateRuntimeError", "No filter named '" + node.name + "' found.");
  CallArguments arguments = evaluate_arguments(node.arguments, scope);
  charge_work(operand);
  Value result = node.definition->function(*this, operand, arguments);
  charge_work(result);
  return result;
}

bool Interpreter::evaluate_test(const TestExpr& node, const ScopePtr& scope) {
  Value operand = evaluate(*node.operand, scope);
  if (!node.definition) raise("TemplateRuntimeError", "No test named '" + node.name + "' found.");
  CallArguments arguments = evaluate_arguments(node.arguments, scope);
  return node.definition->function(*this, operand, arguments);
}

Value Interpreter::apply_filter(std::string_view name, const Value& operand, CallArguments arguments) {
  const FilterDefinition* definition = find_filter(name);
  if (!definition) raise("TemplateRuntimeError", "No filter named '" + std::string(name) + "'.");
  return definition->function(*this, operand, arguments);
}

bool Interpreter::apply_test(std::string_view name, const Value& operand, CallArguments arguments) {
  const TestDefinition* definition = find_test(name);
  if (!definition) raise("TemplateRuntimeError", "No test named '" + std::string(name) + "'.");
  return definition->function(*this, operand, arguments);
}

// ---- the sandbox's attribute and item access ----

Value Interpreter::get_attribute(const Value& object, std::string_view name) {
  switch (object.kind()) {
    case Value::Kind::Undefined: fail_undefined(object);
    case Value::Kind::Object:
      if (auto value = object.as_object().attribute(name)) return *value;
      if (is_dunder(name)) return unsafe_attribute(object, name);
      return missing_attribute(object, name);
    default: break;
  }
  if (is_dunder(name)) return unsafe_attribute(object, name);
  switch (method_access(object, name)) {
    case MethodAccess::Safe: return bound_method(object, name);
    case MethodAccess::Unsafe: return unsafe_attribute(object, name);
    case MethodAccess::Missing: break;
  }
  if (object.is_dict())
    if (const Value* value = object.as_dict().find(name)) return *value;
  return missing_attribute(object, name);
}

Value Interpreter::get_item(const Value& object, const Value& key) {
  switch (object.kind()) {
    case Value::Kind::Undefined: fail_undefined(object);
    case Value::Kind::Dict:
      if (const Value* value = object.as_dict().find(key)) return *value;
      break;
    case Value::Kind::List:
    case Value::Kind::String: {
      const bool indexable = object.is_string() || object.sequence() == Value::Sequence::List ||
                             object.sequence() == Value::Sequence::Tuple || object.sequence() == Value::Sequence::Range;
      if (!indexable || !(key.is_int() || key.is_bool())) break;
      const int64_t size = static_cast<int64_t>(length(object));
      int64_t index = key.as_int();
      if (index < 0) index += size;
      if (index < 0 || index >= size) return missing_element(object, key);
      if (object.is_list()) return object.items()[static_cast<size_t>(index)];
      const std::string& text = object.as_string();
      const size_t begin = byte_offset_of(text, static_cast<size_t>(index));
      size_t char_length = 0;
      decode_utf8(text, begin, char_length);
      return Value::string(text.substr(begin, char_length), object.is_markup());
    }
    default: break;
  }
  if (key.is_string()) {  // no such item: an attribute of that name, as jinja2's getitem falls back to
    const std::string& name = key.as_string();
    if (object.is_object()) {
      if (auto value = object.as_object().attribute(name)) return *value;
    } else if (!object.is_none() && !object.is_number()) {
      if (is_dunder(name)) return unsafe_attribute(object, name);
      switch (method_access(object, name)) {
        case MethodAccess::Safe: return bound_method(object, name);
        case MethodAccess::Unsafe: return unsafe_attribute(object, name);
        case MethodAccess::Missing: break;
      }
    }
    return missing_attribute(object, name);
  }
  return missing_element(object, key);
}

// ---- macros ----

Value Interpreter::call_macro(const MacroDefinition& macro, const ScopePtr& closure, CallArguments arguments) {
  DepthGuard guard(*this);
  ScopePtr frame = child_of(closure);
  const size_t count = macro.parameters.size();
  auto& keywords = arguments.keywords;
  auto take_keyword = [&](const std::string& name) -> std::optional<Value> {
    for (auto it = keywords.begin(); it != keywords.end(); ++it) {
      if (it->first != name) continue;
      Value value = std::move(it->second);
      keywords.erase(it);
      return value;
    }
    return std::nullopt;
  };
  bool found_caller = false;
  std::vector<std::optional<Value>> values(count);
  for (size_t i = 0; i < count && i < arguments.positional.size(); ++i) values[i] = arguments.positional[i];
  if (arguments.positional.size() < count) {
    for (size_t i = arguments.positional.size(); i < count; ++i) {
      values[i] = take_keyword(macro.parameters[i]);
      if (macro.parameters[i] == "caller") found_caller = true;
    }
  } else {
    for (const std::string& parameter : macro.parameters) found_caller |= parameter == "caller";
  }
  if (macro.uses_caller && !found_caller) {
    std::optional<Value> caller = take_keyword("caller");
    frame->set("caller", caller && !caller->is_none() ? *caller : Value::undefined("No caller defined"));
  }
  if (macro.uses_kwargs) {
    auto extra = std::make_shared<DictObject>();
    for (auto& [name, value] : keywords) extra->set(Value::string(name), std::move(value));
    frame->set("kwargs", Value::dict(std::move(extra)));
  } else if (!keywords.empty()) {
    for (const auto& [name, value] : keywords)
      if (name == "caller")
        raise("TypeError", "macro '" + macro.name +
                               "' was invoked with two values for the special caller argument. This is most likely "
                               "a bug.");
    raise("TypeError", "macro '" + macro.name + "' takes no keyword argument '" + keywords.front().first + "'");
  }
  if (macro.uses_varargs) {
    std::vector<Value> extra;
    for (size_t i = count; i < arguments.positional.size(); ++i) extra.push_back(arguments.positional[i]);
    frame->set("varargs", Value::list(std::move(extra), Value::Sequence::Tuple));
  } else if (arguments.positional.size() > count) {
    raise("TypeError", "macro '" + macro.name + "' takes not more than " + std::to_string(count) + " argument(s)");
  }
  const size_t first_default = count - macro.defaults.size();
  for (size_t i = 0; i < count; ++i) {
    if (values[i]) {
      frame->set(macro.parameters[i], std::move(*values[i]));
    } else if (i >= first_default) {
      frame->set(macro.parameters[i], evaluate(*macro.defaults[i - first_default], frame));
    } else {
      frame->set(macro.parameters[i], Value::undefined("parameter '" + macro.parameters[i] + "' was not provided"));
    }
  }
  return Value::string(render_body(macro.body, frame));
}

}  // namespace transformers::chat_templates::detail
