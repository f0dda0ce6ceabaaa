#pragma once
// Chat templates: a Jinja engine of our own that renders a model's chat template exactly as
// transformers does (jinja2's ImmutableSandboxedEnvironment with trim_blocks, lstrip_blocks, the
// loop controls, transformers' tojson, raise_exception and strftime_now, and the {% generation %}
// block). This folder is its public face: a Template is parsed once and rendered many times, from
// many threads at once, with a JSON context; every error is a TemplateError naming the template,
// line and column. The engine itself (lexer -> parser -> tree -> evaluator, Python values, filters,
// tests and methods) lives in src/chat_templates/.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/core/error.hpp"

namespace transformers::chat_templates {

namespace detail {
struct Program;
}

// Any failure of a template. what() reads "NAME:LINE:COLUMN: REASON".
class TemplateError : public Error {
 public:
  TemplateError(std::string python_type, std::string reason, std::string template_name, size_t line, size_t column);
  // The exception Python's jinja2 raises in this case ("TemplateSyntaxError", "UndefinedError",
  // "TypeError", "TemplateError" for raise_exception, ...).
  const std::string& python_type() const { return python_type_; }
  const std::string& reason() const { return reason_; }  // the message without the position
  const std::string& template_name() const { return template_name_; }
  size_t line() const { return line_; }  // 1-based
  size_t column() const { return column_; }  // 1-based, in characters

 private:
  std::string python_type_, reason_, template_name_;
  size_t line_, column_;
};

// The template's text is not valid Jinja (jinja2's TemplateSyntaxError / TemplateAssertionError).
class TemplateSyntaxError : public TemplateError {
 public:
  using TemplateError::TemplateError;
};

// Rendering failed: an undefined value used, a type error, a sandbox refusal, a runaway template...
class TemplateRuntimeError : public TemplateError {
 public:
  using TemplateError::TemplateError;
};

// The template called raise_exception(message); reason() is its message.
class RaisedException : public TemplateRuntimeError {
 public:
  using TemplateRuntimeError::TemplateRuntimeError;
};

// The template went past a RenderLimits bound (Python would hang or exhaust memory instead).
class LimitExceeded : public TemplateRuntimeError {
 public:
  using TemplateRuntimeError::TemplateRuntimeError;
};

// Bounds that stop a runaway template with LimitExceeded instead of a hang or an exhausted memory.
struct RenderLimits {
  size_t max_steps = 20'000'000;         // statements run, loop iterations and calls, all together
  size_t max_call_depth = 200;           // nested macro calls and recursive loops
  size_t max_string_bytes = 64u << 20;   // any one string, the output included
  size_t max_collection_items = 1u << 20;  // any one list or dict the template builds
};

struct RenderOptions {
  // What strftime_now() reads; the system clock (local time) when unset.
  std::optional<std::chrono::system_clock::time_point> now;
  RenderLimits limits;
};

struct RenderOutput {
  std::string text;
  // Byte ranges [begin, end) of `text` written by {% generation %} blocks, in order (transformers'
  // AssistantTracker; apply_chat_template turns them into assistant token masks).
  std::vector<std::pair<size_t, size_t>> generation_spans;
};

class Template {
 public:
  // Parses `source` (TemplateSyntaxError on invalid Jinja); `name` appears in error messages.
  explicit Template(std::string_view source, std::string name = "chat_template");

  // Renders with `context`'s keys as the template's variables (messages, tools, bos_token, ...).
  // Objects keep their key order, as Python dicts do: pass an ordered_json (a plain nlohmann::json
  // converts, with its keys sorted).
  std::string render(const nlohmann::ordered_json& context, const RenderOptions& options = {}) const;
  RenderOutput render_with_generation_spans(const nlohmann::ordered_json& context,
                                            const RenderOptions& options = {}) const;

  const std::string& source() const;
  const std::string& name() const;

 private:
  std::shared_ptr<const detail::Program> program_;
};

}  // namespace transformers::chat_templates
