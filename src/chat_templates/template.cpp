// The public Template: parse once (lexer, parser), render many times (a fresh Interpreter per
// render, so one Template serves many threads), and every failure turned into a TemplateError that
// names the template, line and column.
#include "transformers/chat_templates/template.hpp"

#include "evaluator.hpp"
#include "json.hpp"
#include "lexer.hpp"
#include "parser.hpp"
#include "text.hpp"

namespace transformers::chat_templates {

namespace {

std::string located_message(const std::string& python_type, const std::string& reason, const std::string& name,
                            size_t line, size_t column) {
  return name + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + python_type + ": " + reason;
}

// The C++ class for a Python exception raised while rendering.
[[noreturn]] void throw_runtime_error(const detail::Program& program, const std::string& type,
                                      const std::string& message, size_t offset) {
  const detail::SourcePosition at = detail::position_of(program.normalized, offset);
  if (type == "LimitExceeded") throw LimitExceeded(type, message, program.name, at.line, at.column);
  if (type == "TemplateError") throw RaisedException(type, message, program.name, at.line, at.column);
  throw TemplateRuntimeError(type, message, program.name, at.line, at.column);
}

}  // namespace

TemplateError::TemplateError(std::string python_type, std::string reason, std::string template_name, size_t line,
                             size_t column)
    : Error(located_message(python_type, reason, template_name, line, column)),
      python_type_(std::move(python_type)),
      reason_(std::move(reason)),
      template_name_(std::move(template_name)),
      line_(line),
      column_(column) {}

Template::Template(std::string_view source, std::string name) {
  auto program = std::make_shared<detail::Program>();
  program->name = std::move(name);
  program->source = std::string(source);
  // Python reads a template as text: bytes that are not UTF-8 never reach jinja2.
  if (const size_t bad = detail::find_invalid_utf8(source); bad != std::string_view::npos)
    throw TemplateSyntaxError("UnicodeDecodeError",
                              "the template is not valid UTF-8 (byte " + std::to_string(bad) + ")", program->name, 1,
                              1);
  program->normalized = detail::normalize_source(source);
  try {
    program->body = detail::parse(detail::tokenize(program->normalized));
  } catch (const detail::SyntaxErrorAt& error) {
    const detail::SourcePosition at = detail::position_of(program->normalized, error.offset);
    throw TemplateSyntaxError(error.type, error.message, program->name, at.line, at.column);
  } catch (const detail::PythonError& error) {  // a constant the parser folded (e.g. an over-deep literal)
    throw TemplateSyntaxError(error.type, error.message, program->name, 1, 1);
  }
  program_ = std::move(program);
}

const std::string& Template::source() const { return program_->source; }
const std::string& Template::name() const { return program_->name; }

std::string Template::render(const nlohmann::ordered_json& context, const RenderOptions& options) const {
  return render_with_generation_spans(context, options).text;
}

RenderOutput Template::render_with_generation_spans(const nlohmann::ordered_json& context,
                                                    const RenderOptions& options) const {
  const detail::Program& program = *program_;
  detail::Value variables;
  try {
    variables = context.is_null() ? detail::from_json(nlohmann::ordered_json::object()) : detail::from_json(context);
  } catch (const detail::PythonError& error) {
    throw_runtime_error(program, error.type, error.message, 0);
  }
  if (!variables.is_dict()) throw_runtime_error(program, "TypeError", "the render context must be a JSON object", 0);
  try {
    detail::Interpreter interpreter(program, options, std::move(variables));
    return interpreter.render();
  } catch (const detail::LocatedError& error) {
    throw_runtime_error(program, error.type, error.message, error.offset);
  } catch (const detail::PythonError& error) {
    throw_runtime_error(program, error.type, error.message, 0);
  }
}

}  // namespace transformers::chat_templates
