// jinja2's Parser (parser.py), method for method: statements by tag name, expressions by precedence
// (inline if < or < and < not < comparisons < + - < ~ < * / // % < ** < unary, then filters, tests,
// calls, attributes and subscripts), assignment targets and call arguments.
#include "parser.hpp"

#include <initializer_list>

#include "library.hpp"

namespace transformers::chat_templates::detail {

namespace {

// Deeper nesting than this is refused rather than risking the stack (jinja2 hits Python's
// recursion limit a little later).
constexpr size_t kMaxParseDepth = 200;

const char* describe(TokenType type) {
  switch (type) {
    case TokenType::Data: return "template data / text";
    case TokenType::VariableBegin: return "begin of print statement";
    case TokenType::VariableEnd: return "end of print statement";
    case TokenType::BlockBegin: return "begin of statement block";
    case TokenType::BlockEnd: return "end of statement block";
    case TokenType::Name: return "name";
    case TokenType::String: return "string";
    case TokenType::Integer: return "integer";
    case TokenType::Float: return "float";
    case TokenType::Operator: return "operator";
    case TokenType::End: return "end of template";
  }
  return "token";
}

std::string describe(const Token& token) {
  if (token.type == TokenType::Name || token.type == TokenType::Operator) return token.value;
  return describe(token.type);
}

class Parser {
 public:
  explicit Parser(const std::vector<Token>& tokens) : tokens_(tokens) {}

  Body parse_template() {
    Body body = subparse({});
    return body;
  }

 private:
  // ---- token stream ----
  const Token& current() const { return tokens_[position_]; }
  const Token& look() const { return tokens_[std::min(position_ + 1, tokens_.size() - 1)]; }
  const Token& next() {
    const Token& token = tokens_[position_];
    if (token.type != TokenType::End) ++position_;
    return token;
  }
  bool is_name(const Token& token, std::string_view name) const {
    return token.type == TokenType::Name && token.value == name;
  }
  bool is_op(const Token& token, std::string_view op) const {
    return token.type == TokenType::Operator && token.value == op;
  }
  bool skip_name(std::string_view name) {
    if (!is_name(current(), name)) return false;
    next();
    return true;
  }
  bool skip_op(std::string_view op) {
    if (!is_op(current(), op)) return false;
    next();
    return true;
  }

  [[noreturn]] void fail(std::string message, size_t offset) const { throw SyntaxErrorAt{std::move(message), offset}; }
  [[noreturn]] void fail(std::string message) const { fail(std::move(message), current().offset); }

  [[noreturn]] void fail_expected(const std::string& expected) const {
    if (current().type == TokenType::End) fail("unexpected end of template, expected '" + expected + "'.");
    fail("expected token '" + expected + "', got '" + describe(current()) + "'");
  }

  const Token& expect(TokenType type) {
    if (current().type != type) fail_expected(describe(type));
    return next();
  }
  const Token& expect_name() { return expect(TokenType::Name); }
  void expect_name(std::string_view name) {
    if (!is_name(current(), name)) fail_expected(std::string(name));
    next();
  }
  void expect_op(std::string_view op) {
    if (!is_op(current(), op)) fail_expected(std::string(op));
    next();
  }

  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > kMaxParseDepth) parser.fail("the template nests deeper than 200 levels");
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  // ---- statements ----
  bool at_end_token(const std::vector<std::string>& end_tokens) const {
    for (const std::string& name : end_tokens)
      if (is_name(current(), name)) return true;
    return false;
  }

  Body subparse(const std::vector<std::string>& end_tokens) {
    if (!end_tokens.empty()) end_token_stack_.push_back(end_tokens);
    Body body;
    while (current().type != TokenType::End) {
      const Token& token = current();
      if (token.type == TokenType::Data) {
        body.push_back(std::make_unique<TextStmt>(token.value, token.offset));
        next();
      } else if (token.type == TokenType::VariableBegin) {
        next();
        ExprPtr expr = parse_tuple(false, true, {}, false);
        body.push_back(std::make_unique<OutputStmt>(std::move(expr), token.offset));
        expect(TokenType::VariableEnd);
      } else if (token.type == TokenType::BlockBegin) {
        next();
        if (!end_tokens.empty() && at_end_token(end_tokens)) {
          end_token_stack_.pop_back();
          return body;
        }
        body.push_back(parse_statement());
        expect(TokenType::BlockEnd);
      } else {
        fail("internal parsing error");
      }
    }
    if (!end_tokens.empty()) end_token_stack_.pop_back();
    return body;
  }

  Body parse_statements(const std::vector<std::string>& end_tokens, bool drop_needle) {
    skip_op(":");
    expect(TokenType::BlockEnd);
    Body body = subparse(end_tokens);
    if (current().type == TokenType::End) fail_eof(end_tokens);
    if (drop_needle) next();
    return body;
  }

  [[noreturn]] void fail_unknown_tag(const std::string& name, size_t offset) {
    std::string message = "Encountered unknown tag '" + name + "'.";
    if (!end_token_stack_.empty()) {
      bool expected = false;
      for (const auto& tokens : end_token_stack_)
        for (const std::string& token : tokens) expected |= token == name;
      std::string looking;
      for (const std::string& token : end_token_stack_.back())
        looking += (looking.empty() ? "'" : " or '") + token + "'";
      message += expected ? " You probably made a nesting mistake. Jinja is expecting this tag, but currently "
                            "looking for " + looking + "."
                          : " Jinja was looking for the following tags: " + looking + ".";
    }
    if (!tag_stack_.empty()) message += " The innermost block that needs to be closed is '" + tag_stack_.back() + "'.";
    fail(message, offset);
  }

  [[noreturn]] void fail_eof(const std::vector<std::string>& end_tokens) {
    std::string message = "Unexpected end of template.";
    std::string looking;
    for (const std::string& token : end_tokens) looking += (looking.empty() ? "'" : " or '") + token + "'";
    if (!looking.empty()) message += " Jinja was looking for the following tags: " + looking + ".";
    if (!tag_stack_.empty()) message += " The innermost block that needs to be closed is '" + tag_stack_.back() + "'.";
    fail(message);
  }

  StmtPtr parse_statement() {
    DepthGuard guard(*this);
    const Token& token = current();
    if (token.type != TokenType::Name) fail("tag name expected");
    const std::string tag = token.value;
    tag_stack_.push_back(tag);
    StmtPtr result = parse_tag(tag, token.offset);
    tag_stack_.pop_back();
    return result;
  }

  StmtPtr parse_tag(const std::string& tag, size_t offset) {
    if (tag == "for") return parse_for();
    if (tag == "if") return parse_if();
    if (tag == "set") return parse_set();
    if (tag == "macro") return parse_macro();
    if (tag == "call") return parse_call_block();
    if (tag == "filter") return parse_filter_block();
    if (tag == "with") return parse_with();
    if (tag == "print") return parse_print();
    if (tag == "generation") return parse_body_tag(Stmt::Kind::Generation, "endgeneration");
    if (tag == "block") return parse_block();
    if (tag == "autoescape") return parse_autoescape();
    if (tag == "break" || tag == "continue") return parse_loop_control(tag);
    if (tag == "include" || tag == "import" || tag == "from" || tag == "extends") return parse_loader_tag(tag);
    tag_stack_.pop_back();
    fail_unknown_tag(tag, offset);
  }

  StmtPtr parse_for() {
    auto node = std::make_unique<ForStmt>(next().offset);
    node->target = parse_assign_target(true, false, {"in"}, false);
    expect_name("in");
    node->iterable = parse_tuple(false, false, {"recursive"}, false);
    if (skip_name("if")) node->condition = parse_expression(true);
    node->recursive = skip_name("recursive");
    ++loop_depth_;
    node->body = parse_statements({"endfor", "else"}, false);
    --loop_depth_;
    if (next().value != "endfor") node->otherwise = parse_statements({"endfor"}, true);
    return node;
  }

  StmtPtr parse_if() {
    auto node = std::make_unique<IfStmt>(next().offset);
    while (true) {
      ExprPtr test = parse_tuple(false, false, {}, false);
      Body body = parse_statements({"elif", "else", "endif"}, false);
      node->branches.emplace_back(std::move(test), std::move(body));
      const Token& token = next();
      if (token.value == "elif") continue;
      if (token.value == "else") node->otherwise = parse_statements({"endif"}, true);
      break;
    }
    return node;
  }

  StmtPtr parse_set() {
    const size_t offset = next().offset;
    Target target = parse_assign_target(true, false, {}, true);
    if (skip_op("=")) {
      auto node = std::make_unique<SetStmt>(offset);
      node->target = std::move(target);
      node->value = parse_tuple(false, true, {}, false);
      return node;
    }
    auto node = std::make_unique<SetBlockStmt>(offset);
    node->target = std::move(target);
    node->filter = parse_filter(nullptr, false);
    node->body = parse_body_of_function({"endset"});
    return node;
  }

  // A body that jinja2 compiles as a function of its own: `break` cannot reach a loop outside it.
  Body parse_body_of_function(const std::vector<std::string>& end_tokens) {
    const size_t saved = loop_depth_;
    loop_depth_ = 0;
    Body body = parse_statements(end_tokens, true);
    loop_depth_ = saved;
    return body;
  }

  void parse_signature(MacroDefinition& macro) {
    expect_op("(");
    while (!is_op(current(), ")")) {
      if (!macro.parameters.empty()) expect_op(",");
      const Token& name = expect_name();
      if (skip_op("=")) {
        macro.defaults.push_back(parse_expression(true));
      } else if (!macro.defaults.empty()) {
        fail("non-default argument follows default argument");
      }
      macro.parameters.push_back(name.value);
    }
    expect_op(")");
  }

  std::shared_ptr<MacroDefinition> parse_macro_body(std::shared_ptr<MacroDefinition> macro,
                                                    const std::string& end_token) {
    macro_stack_.push_back(macro.get());
    macro->body = parse_body_of_function({end_token});
    macro_stack_.pop_back();
    return macro;
  }

  StmtPtr parse_macro() {
    auto node = std::make_unique<MacroStmt>(next().offset);
    auto macro = std::make_shared<MacroDefinition>();
    macro->name = expect_name().value;
    parse_signature(*macro);
    node->macro = parse_macro_body(std::move(macro), "endmacro");
    return node;
  }

  StmtPtr parse_call_block() {
    auto node = std::make_unique<CallBlockStmt>(next().offset);
    auto caller = std::make_shared<MacroDefinition>();
    caller->name = "caller";
    if (is_op(current(), "(")) parse_signature(*caller);
    const size_t call_offset = current().offset;
    node->call = parse_expression(true);
    if (node->call->kind != Expr::Kind::Call) fail("expected call", call_offset);
    node->caller = parse_macro_body(std::move(caller), "endcall");
    return node;
  }

  StmtPtr parse_filter_block() {
    auto node = std::make_unique<FilterBlockStmt>(next().offset);
    node->filter = parse_filter(nullptr, true);
    node->body = parse_body_of_function({"endfilter"});
    return node;
  }

  StmtPtr parse_with() {
    auto node = std::make_unique<WithStmt>(next().offset);
    while (current().type != TokenType::BlockEnd) {
      if (!node->assignments.empty()) expect_op(",");
      Target target = parse_assign_target(true, false, {}, false);
      expect_op("=");
      node->assignments.emplace_back(std::move(target), parse_expression(true));
    }
    node->body = parse_statements({"endwith"}, true);
    return node;
  }

  StmtPtr parse_print() {
    const size_t offset = next().offset;
    auto node = std::make_unique<SequenceExpr>(Expr::Kind::Tuple, offset);
    while (current().type != TokenType::BlockEnd) {
      if (!node->items.empty()) expect_op(",");
      node->items.push_back(parse_expression(true));
    }
    // {% print a, b %} writes each expression in turn: a Concat of them prints the same.
    auto concat = std::make_unique<ConcatExpr>(offset);
    concat->parts = std::move(node->items);
    return std::make_unique<OutputStmt>(std::move(concat), offset);
  }

  StmtPtr parse_body_tag(Stmt::Kind kind, const std::string& end_token) {
    auto node = std::make_unique<BodyStmt>(kind, next().offset);
    node->body = parse_body_of_function({end_token});
    return node;
  }

  StmtPtr parse_block() {
    auto node = std::make_unique<BodyStmt>(Stmt::Kind::Scope, next().offset);
    const std::string name = expect_name().value;
    skip_name("scoped");
    skip_name("required");
    if (is_op(current(), "-"))
      fail("Block names in Jinja have to be valid Python identifiers and may not contain hyphens, use an "
           "underscore instead.");
    node->body = parse_body_of_function({"endblock"});
    skip_name(name);
    return node;
  }

  StmtPtr parse_autoescape() {
    auto node = std::make_unique<BodyStmt>(Stmt::Kind::Scope, next().offset);
    node->setting = parse_expression(true);
    node->body = parse_statements({"endautoescape"}, true);
    return node;
  }

  StmtPtr parse_loop_control(const std::string& tag) {
    const size_t offset = next().offset;
    // jinja2 compiles it to Python code that Python itself rejects: a SyntaxError, not a Jinja one.
    if (loop_depth_ == 0) throw SyntaxErrorAt("'" + tag + "' outside loop", offset, "SyntaxError");
    return std::make_unique<LoopControlStmt>(tag == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue, offset);
  }

  // include / import / from / extends: parsed for their syntax, refused when rendered (no loader).
  StmtPtr parse_loader_tag(const std::string& tag) {
    const size_t offset = next().offset;
    parse_expression(true);
    while (current().type != TokenType::BlockEnd && current().type != TokenType::End) next();
    return std::make_unique<UnsupportedStmt>("TypeError", "no loader for this environment specified ('" + tag + "')",
                                             offset);
  }

  // ---- assignment targets ----
  Target target_of(const Expr& expr) {
    Target target;
    target.offset = expr.offset;
    if (expr.kind == Expr::Kind::Name) {
      target.name = static_cast<const NameExpr&>(expr).name;
      return target;
    }
    if (expr.kind == Expr::Kind::Tuple) {
      target.kind = Target::Kind::Tuple;
      for (const ExprPtr& item : static_cast<const SequenceExpr&>(expr).items) target.items.push_back(target_of(*item));
      return target;
    }
    if (expr.kind == Expr::Kind::Attribute) {  // only built for namespace references
      const auto& attribute = static_cast<const AttributeExpr&>(expr);
      target.kind = Target::Kind::NamespaceAttribute;
      target.name = static_cast<const NameExpr&>(*attribute.object).name;
      target.attribute = attribute.name;
      return target;
    }
    fail(expr.kind == Expr::Kind::Constant ? "can't assign to 'const'" : "can't assign to expression", expr.offset);
  }

  Target parse_assign_target(bool with_tuple, bool name_only, const std::vector<std::string>& extra_end_rules,
                             bool with_namespace) {
    if (name_only) {
      const Token& token = expect_name();
      Target target;
      target.name = token.value;
      target.offset = token.offset;
      return target;
    }
    ExprPtr expr = with_tuple ? parse_tuple(true, true, extra_end_rules, false, with_namespace)
                              : parse_primary(with_namespace);
    return target_of(*expr);
  }

  // ---- expressions ----
  bool is_tuple_end(const std::vector<std::string>& extra_end_rules) const {
    const Token& token = current();
    if (token.type == TokenType::VariableEnd || token.type == TokenType::BlockEnd || is_op(token, ")")) return true;
    for (const std::string& name : extra_end_rules)
      if (is_name(token, name)) return true;
    return false;
  }

  ExprPtr parse_tuple(bool simplified, bool with_condexpr, const std::vector<std::string>& extra_end_rules,
                      bool explicit_parentheses, bool with_namespace = false) {
    const size_t offset = current().offset;
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    while (true) {
      if (!items.empty()) expect_op(",");
      if (is_tuple_end(extra_end_rules)) break;
      items.push_back(simplified ? parse_primary(with_namespace) : parse_expression(with_condexpr));
      if (is_op(current(), ",")) {
        is_tuple = true;
      } else {
        break;
      }
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parentheses) fail("Expected an expression, got '" + describe(current()) + "'");
    }
    auto tuple = std::make_unique<SequenceExpr>(Expr::Kind::Tuple, offset);
    tuple->items = std::move(items);
    return tuple;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    DepthGuard guard(*this);
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  ExprPtr parse_condexpr() {
    size_t offset = current().offset;
    ExprPtr expr = parse_or();
    while (skip_name("if")) {
      auto conditional = std::make_unique<ConditionalExpr>(offset);
      conditional->test = parse_or();
      if (skip_name("else")) conditional->otherwise = parse_condexpr();
      conditional->then = std::move(expr);
      expr = std::move(conditional);
      offset = current().offset;
    }
    return expr;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name(current(), "or")) {
      const size_t offset = next().offset;
      left = std::make_unique<LogicalExpr>(Expr::Kind::Or, std::move(left), parse_and(), offset);
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name(current(), "and")) {
      const size_t offset = next().offset;
      left = std::make_unique<LogicalExpr>(Expr::Kind::And, std::move(left), parse_not(), offset);
    }
    return left;
  }

  ExprPtr parse_not() {
    if (is_name(current(), "not")) {
      DepthGuard guard(*this);
      const size_t offset = next().offset;
      return std::make_unique<UnaryExpr>(Expr::Kind::Not, parse_not(), offset);
    }
    return parse_compare();
  }

  std::optional<CompareOp> compare_operator() {
    static const std::pair<const char*, CompareOp> kOperators[] = {
        {"==", CompareOp::Equal}, {"!=", CompareOp::NotEqual},    {"<", CompareOp::Less},
        {"<=", CompareOp::LessEqual}, {">", CompareOp::Greater}, {">=", CompareOp::GreaterEqual}};
    for (const auto& [text, op] : kOperators)
      if (is_op(current(), text)) {
        next();
        return op;
      }
    if (skip_name("in")) return CompareOp::In;
    if (is_name(current(), "not") && is_name(look(), "in")) {
      next();
      next();
      return CompareOp::NotIn;
    }
    return std::nullopt;
  }

  ExprPtr parse_compare() {
    const size_t offset = current().offset;
    ExprPtr expr = parse_math1();
    std::unique_ptr<CompareExpr> compare;
    while (auto op = compare_operator()) {
      if (!compare) compare = std::make_unique<CompareExpr>(std::move(expr), offset);
      compare->rest.emplace_back(*op, parse_math1());
    }
    if (compare) return compare;
    return expr;
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op(current(), "+") || is_op(current(), "-")) {
      const Token& op = next();
      left = std::make_unique<BinaryExpr>(op.value == "+" ? BinaryOp::Add : BinaryOp::Subtract, std::move(left),
                                          parse_concat(), op.offset);
    }
    return left;
  }

  ExprPtr parse_concat() {
    const size_t offset = current().offset;
    ExprPtr first = parse_math2();
    if (!is_op(current(), "~")) return first;
    auto concat = std::make_unique<ConcatExpr>(offset);
    concat->parts.push_back(std::move(first));
    while (skip_op("~")) concat->parts.push_back(parse_math2());
    return concat;
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (true) {
      BinaryOp op;
      if (is_op(current(), "*")) {
        op = BinaryOp::Multiply;
      } else if (is_op(current(), "/")) {
        op = BinaryOp::Divide;
      } else if (is_op(current(), "//")) {
        op = BinaryOp::FloorDivide;
      } else if (is_op(current(), "%")) {
        op = BinaryOp::Modulo;
      } else {
        return left;
      }
      const size_t offset = next().offset;
      left = std::make_unique<BinaryExpr>(op, std::move(left), parse_pow(), offset);
    }
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op(current(), "**")) {
      const size_t offset = next().offset;
      left = std::make_unique<BinaryExpr>(BinaryOp::Power, std::move(left), parse_unary(true), offset);
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    DepthGuard guard(*this);
    ExprPtr node;
    if (is_op(current(), "-") || is_op(current(), "+")) {
      const Token& op = next();
      node = std::make_unique<UnaryExpr>(op.value == "-" ? Expr::Kind::Negate : Expr::Kind::Plus, parse_unary(false),
                                         op.offset);
    } else {
      node = parse_primary(false);
    }
    node = parse_postfix(std::move(node));
    if (with_filter) node = parse_filter_expr(std::move(node));
    return node;
  }

  ExprPtr parse_primary(bool with_namespace) {
    DepthGuard guard(*this);
    const Token& token = current();
    switch (token.type) {
      case TokenType::Name: {
        next();
        if (token.value == "true" || token.value == "True")
          return std::make_unique<ConstantExpr>(Value::boolean(true), token.offset);
        if (token.value == "false" || token.value == "False")
          return std::make_unique<ConstantExpr>(Value::boolean(false), token.offset);
        if (token.value == "none" || token.value == "None")
          return std::make_unique<ConstantExpr>(Value::none(), token.offset);
        if (with_namespace && is_op(current(), ".")) {
          next();
          const Token& attribute = expect_name();
          return std::make_unique<AttributeExpr>(std::make_unique<NameExpr>(token.value, token.offset),
                                                 attribute.value, token.offset);
        }
        note_name(token.value);
        return std::make_unique<NameExpr>(token.value, token.offset);
      }
      case TokenType::String: {
        std::string text;
        while (current().type == TokenType::String) text += next().value;
        return std::make_unique<ConstantExpr>(Value::string(std::move(text)), token.offset);
      }
      case TokenType::Integer: next(); return std::make_unique<ConstantExpr>(Value::integer(token.integer), token.offset);
      case TokenType::Float: next(); return std::make_unique<ConstantExpr>(Value::floating(token.number), token.offset);
      default: break;
    }
    if (is_op(token, "(")) {
      next();
      ExprPtr expr = parse_tuple(false, true, {}, true);
      expect_op(")");
      return expr;
    }
    if (is_op(token, "[")) return parse_list();
    if (is_op(token, "{")) return parse_dict();
    fail("unexpected '" + describe(token) + "'");
  }

  // Macros that read `caller`, `varargs` or `kwargs` accept them (jinja2 decides the same way).
  void note_name(const std::string& name) {
    for (MacroDefinition* macro : macro_stack_) {
      if (name == "caller") macro->uses_caller = true;
      if (name == "varargs") macro->uses_varargs = true;
      if (name == "kwargs") macro->uses_kwargs = true;
    }
  }

  ExprPtr parse_list() {
    auto list = std::make_unique<SequenceExpr>(Expr::Kind::List, next().offset);
    while (!is_op(current(), "]")) {
      if (!list->items.empty()) expect_op(",");
      if (is_op(current(), "]")) break;
      list->items.push_back(parse_expression(true));
    }
    expect_op("]");
    return list;
  }

  ExprPtr parse_dict() {
    auto dict = std::make_unique<DictExpr>(next().offset);
    while (!is_op(current(), "}")) {
      if (!dict->items.empty()) expect_op(",");
      if (is_op(current(), "}")) break;
      ExprPtr key = parse_expression(true);
      expect_op(":");
      dict->items.emplace_back(std::move(key), parse_expression(true));
    }
    expect_op("}");
    return dict;
  }

  ExprPtr parse_postfix(ExprPtr node) {
    while (true) {
      if (is_op(current(), ".") || is_op(current(), "[")) {
        node = parse_subscript(std::move(node));
      } else if (is_op(current(), "(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_filter_expr(ExprPtr node) {
    while (true) {
      if (is_op(current(), "|")) {
        node = parse_filter(std::move(node), false);
      } else if (is_name(current(), "is")) {
        node = parse_test(std::move(node));
      } else if (is_op(current(), "(")) {
        node = parse_call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr node) {
    const Token& token = next();
    if (token.value == ".") {
      const Token& attribute = next();
      if (attribute.type == TokenType::Name)
        return std::make_unique<AttributeExpr>(std::move(node), attribute.value, token.offset);
      if (attribute.type != TokenType::Integer) fail("expected name or number", attribute.offset);
      return std::make_unique<ItemExpr>(
          std::move(node), std::make_unique<ConstantExpr>(Value::integer(attribute.integer), attribute.offset),
          token.offset);
    }
    std::vector<ExprPtr> keys;
    std::unique_ptr<SliceExpr> slice;
    while (!is_op(current(), "]")) {
      if (!keys.empty() || slice) expect_op(",");
      ExprPtr key = parse_subscribed(slice, token.offset);
      if (key) keys.push_back(std::move(key));
    }
    expect_op("]");
    if (slice) {
      if (!keys.empty()) fail("a subscript cannot mix a slice with other keys", token.offset);
      slice->object = std::move(node);
      return slice;
    }
    if (keys.empty()) fail("expected an expression, got ']'", token.offset);
    if (keys.size() == 1) return std::make_unique<ItemExpr>(std::move(node), std::move(keys[0]), token.offset);
    auto tuple = std::make_unique<SequenceExpr>(Expr::Kind::Tuple, token.offset);
    tuple->items = std::move(keys);
    return std::make_unique<ItemExpr>(std::move(node), std::move(tuple), token.offset);
  }

  // One subscript: an expression, or a slice (start:stop:step), which goes to `slice`.
  ExprPtr parse_subscribed(std::unique_ptr<SliceExpr>& slice, size_t offset) {
    ExprPtr start;
    if (!is_op(current(), ":")) {
      start = parse_expression(true);
      if (!is_op(current(), ":")) return start;
    }
    if (slice) fail("a subscript cannot hold two slices", offset);
    next();  // ':'
    slice = std::make_unique<SliceExpr>(offset);
    slice->start = std::move(start);
    auto ends_part = [&] { return is_op(current(), "]") || is_op(current(), ","); };
    if (!is_op(current(), ":") && !ends_part()) slice->stop = parse_expression(true);
    if (skip_op(":") && !ends_part()) slice->step = parse_expression(true);
    return nullptr;
  }

  ArgumentExprs parse_call_args() {
    const size_t offset = current().offset;
    expect_op("(");
    ArgumentExprs arguments;
    bool require_comma = false;
    auto ensure = [&](bool ok) {
      if (!ok) fail("invalid syntax for function call expression", offset);
    };
    while (!is_op(current(), ")")) {
      if (require_comma) {
        expect_op(",");
        if (is_op(current(), ")")) break;
      }
      if (is_op(current(), "*")) {
        ensure(!arguments.star && !arguments.star_star);
        next();
        arguments.star = parse_expression(true);
      } else if (is_op(current(), "**")) {
        ensure(!arguments.star_star);
        next();
        arguments.star_star = parse_expression(true);
      } else if (current().type == TokenType::Name && is_op(look(), "=")) {
        ensure(!arguments.star_star);
        std::string key = next().value;
        next();
        arguments.keywords.emplace_back(std::move(key), parse_expression(true));
      } else {
        ensure(!arguments.star && !arguments.star_star && arguments.keywords.empty());
        arguments.positional.push_back(parse_expression(true));
      }
      require_comma = true;
    }
    expect_op(")");
    return arguments;
  }

  ExprPtr parse_call(ExprPtr node) {
    auto call = std::make_unique<CallExpr>(std::move(node), current().offset);
    call->arguments = parse_call_args();
    return call;
  }

  std::string parse_dotted_name() {
    std::string name = expect_name().value;
    while (skip_op(".")) name += "." + expect_name().value;
    return name;
  }

  ExprPtr parse_filter(ExprPtr node, bool start_inline) {
    while (is_op(current(), "|") || start_inline) {
      if (!start_inline) next();
      const size_t offset = current().offset;
      auto filter = std::make_unique<FilterExpr>(std::move(node), parse_dotted_name(), offset);
      filter->definition = find_filter(filter->name);
      if (is_op(current(), "(")) filter->arguments = parse_call_args();
      node = std::move(filter);
      start_inline = false;
    }
    return node;
  }

  ExprPtr parse_test(ExprPtr node) {
    const size_t offset = next().offset;  // 'is'
    const bool negated = skip_name("not");
    auto test = std::make_unique<TestExpr>(std::move(node), parse_dotted_name(), offset);
    test->definition = find_test(test->name);
    const Token& token = current();
    const bool starts_argument = token.type == TokenType::Name || token.type == TokenType::String ||
                                 token.type == TokenType::Integer || token.type == TokenType::Float ||
                                 is_op(token, "[") || is_op(token, "{");
    if (is_op(token, "(")) {
      test->arguments = parse_call_args();
    } else if (starts_argument && !is_name(token, "else") && !is_name(token, "or") && !is_name(token, "and")) {
      if (is_name(token, "is")) fail("You cannot chain multiple tests with is");
      test->arguments.positional.push_back(parse_postfix(parse_primary(false)));
    }
    if (negated) return std::make_unique<UnaryExpr>(Expr::Kind::Not, std::move(test), offset);
    return test;
  }

  const std::vector<Token>& tokens_;
  size_t position_ = 0;
  size_t depth_ = 0;
  size_t loop_depth_ = 0;
  std::vector<std::string> tag_stack_;
  std::vector<std::vector<std::string>> end_token_stack_;
  std::vector<MacroDefinition*> macro_stack_;
};

// jinja2 resolves filters and tests when it compiles: an unknown name is an error then, unless it
// sits in an `if` or an inline if (a "soft" frame), where the error waits until it runs. Bodies
// compiled as frames of their own (loops, macros, blocks) are never soft.
class NameChecker {
 public:
  void check(const Body& body, bool soft) {
    for (const StmtPtr& statement : body) check(*statement, soft);
  }

 private:
  void check(const Stmt& statement, bool soft) {
    switch (statement.kind) {
      case Stmt::Kind::Output: return check(*static_cast<const OutputStmt&>(statement).expr, soft);
      case Stmt::Kind::If: {
        const auto& node = static_cast<const IfStmt&>(statement);
        for (const auto& [test, body] : node.branches) {
          check(*test, true);
          check(body, true);
        }
        return check(node.otherwise, true);
      }
      case Stmt::Kind::For: {
        const auto& node = static_cast<const ForStmt&>(statement);
        check(*node.iterable, soft);
        if (node.condition) check(*node.condition, false);
        check(node.body, false);
        return check(node.otherwise, false);
      }
      case Stmt::Kind::Set: return check(*static_cast<const SetStmt&>(statement).value, soft);
      case Stmt::Kind::SetBlock: {
        const auto& node = static_cast<const SetBlockStmt&>(statement);
        if (node.filter) check(*node.filter, false);
        return check(node.body, false);
      }
      case Stmt::Kind::Macro: return check_macro(*static_cast<const MacroStmt&>(statement).macro);
      case Stmt::Kind::CallBlock: {
        const auto& node = static_cast<const CallBlockStmt&>(statement);
        check(*node.call, soft);
        return check_macro(*node.caller);
      }
      case Stmt::Kind::FilterBlock: {
        const auto& node = static_cast<const FilterBlockStmt&>(statement);
        check(*node.filter, false);
        return check(node.body, false);
      }
      case Stmt::Kind::With: {
        const auto& node = static_cast<const WithStmt&>(statement);
        for (const auto& [target, value] : node.assignments) check(*value, soft);
        return check(node.body, false);
      }
      case Stmt::Kind::Generation:
      case Stmt::Kind::Scope: {
        const auto& node = static_cast<const BodyStmt&>(statement);
        if (node.setting) check(*node.setting, soft);
        return check(node.body, false);
      }
      default: return;
    }
  }

  void check_macro(const MacroDefinition& macro) {
    for (const ExprPtr& value : macro.defaults) check(*value, false);
    check(macro.body, false);
  }

  void check(const ArgumentExprs& arguments, bool soft) {
    for (const ExprPtr& value : arguments.positional) check(*value, soft);
    for (const auto& [name, value] : arguments.keywords) check(*value, soft);
    if (arguments.star) check(*arguments.star, soft);
    if (arguments.star_star) check(*arguments.star_star, soft);
  }

  void check_optional(const ExprPtr& expr, bool soft) {
    if (expr) check(*expr, soft);
  }

  void check(const Expr& expr, bool soft) {
    switch (expr.kind) {
      case Expr::Kind::Attribute: return check(*static_cast<const AttributeExpr&>(expr).object, soft);
      case Expr::Kind::Item: {
        const auto& node = static_cast<const ItemExpr&>(expr);
        check(*node.object, soft);
        return check(*node.key, soft);
      }
      case Expr::Kind::Slice: {
        const auto& node = static_cast<const SliceExpr&>(expr);
        check(*node.object, soft);
        check_optional(node.start, soft);
        check_optional(node.stop, soft);
        return check_optional(node.step, soft);
      }
      case Expr::Kind::Call: {
        const auto& node = static_cast<const CallExpr&>(expr);
        check(*node.callee, soft);
        return check(node.arguments, soft);
      }
      case Expr::Kind::Filter: {
        const auto& node = static_cast<const FilterExpr&>(expr);
        if (!node.definition && !soft) throw SyntaxErrorAt("No filter named '" + node.name + "'.", node.offset, "TemplateAssertionError");
        check_optional(node.operand, soft);
        return check(node.arguments, soft);
      }
      case Expr::Kind::Test: {
        const auto& node = static_cast<const TestExpr&>(expr);
        if (!node.definition && !soft) throw SyntaxErrorAt("No test named '" + node.name + "'.", node.offset, "TemplateAssertionError");
        check(*node.operand, soft);
        return check(node.arguments, soft);
      }
      case Expr::Kind::Negate:
      case Expr::Kind::Plus:
      case Expr::Kind::Not: return check(*static_cast<const UnaryExpr&>(expr).operand, soft);
      case Expr::Kind::Binary: {
        const auto& node = static_cast<const BinaryExpr&>(expr);
        check(*node.left, soft);
        return check(*node.right, soft);
      }
      case Expr::Kind::And:
      case Expr::Kind::Or: {
        const auto& node = static_cast<const LogicalExpr&>(expr);
        check(*node.left, soft);
        return check(*node.right, soft);
      }
      case Expr::Kind::Concat:
        for (const ExprPtr& part : static_cast<const ConcatExpr&>(expr).parts) check(*part, soft);
        return;
      case Expr::Kind::Compare: {
        const auto& node = static_cast<const CompareExpr&>(expr);
        check(*node.first, soft);
        for (const auto& [op, operand] : node.rest) check(*operand, soft);
        return;
      }
      case Expr::Kind::Conditional: {
        const auto& node = static_cast<const ConditionalExpr&>(expr);
        check(*node.test, true);
        check(*node.then, true);
        return check_optional(node.otherwise, true);
      }
      case Expr::Kind::List:
      case Expr::Kind::Tuple:
        for (const ExprPtr& item : static_cast<const SequenceExpr&>(expr).items) check(*item, soft);
        return;
      case Expr::Kind::Dict:
        for (const auto& [key, value] : static_cast<const DictExpr&>(expr).items) {
          check(*key, soft);
          check(*value, soft);
        }
        return;
      default: return;
    }
  }
};

}  // namespace

Body parse(const std::vector<Token>& tokens) {
  Body body = Parser(tokens).parse_template();
  NameChecker().check(body, false);
  return body;
}

}  // namespace transformers::chat_templates::detail
