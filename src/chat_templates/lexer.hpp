#pragma once
// The lexer: template text to tokens, as jinja2's Lexer does it with the settings transformers uses
// (trim_blocks, lstrip_blocks, no trailing newline kept): data between tags, with the whitespace
// control of "-" / "+" markers applied, then the tokens inside {{ }} and {% %}; comments and raw
// blocks are resolved here and never reach the parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace transformers::chat_templates::detail {

enum class TokenType : uint8_t {
  Data,            // text outside tags
  VariableBegin,   // {{
  VariableEnd,     // }}
  BlockBegin,      // {%
  BlockEnd,        // %}
  Name,
  String,          // value: the unescaped text
  Integer,
  Float,
  Operator,        // value: the operator's text ("+", "//", "(", ...)
  End,             // end of the template
};

struct Token {
  TokenType type = TokenType::End;
  std::string value;
  int64_t integer = 0;
  double number = 0.0;
  size_t offset = 0;  // byte offset in the (newline-normalized) source
};

// A position in the source, for error messages.
struct SourcePosition {
  size_t line = 1, column = 1;
};

// jinja2's preprocessing: \r\n and \r become \n, and one trailing newline is dropped.
std::string normalize_source(std::string_view source);
SourcePosition position_of(std::string_view source, size_t offset);


// A syntax error found at a byte offset of the source; `type` is jinja2's exception class.
struct SyntaxErrorAt {
  SyntaxErrorAt(std::string text, size_t at, std::string kind = "TemplateSyntaxError")
      : message(std::move(text)), offset(at), type(std::move(kind)) {}
  std::string message;
  size_t offset;
  std::string type;
};

// Tokens of a normalized source, ending with an End token; SyntaxErrorAt for an unterminated tag,
// comment, raw block or string, or a character jinja2 does not read.
std::vector<Token> tokenize(std::string_view source);

}  // namespace transformers::chat_templates::detail
