#pragma once
// The parser: tokens to the tree, with jinja2's grammar and operator precedence (parser.py). It
// also resolves filter and test names: an unknown one is a syntax error, except inside an `if` or
// an inline if-expression, where jinja2 defers the error to the moment it runs.
#include <string_view>
#include <vector>

#include "lexer.hpp"
#include "nodes.hpp"

namespace transformers::chat_templates::detail {

// The parsed template; throws SyntaxErrorAt on invalid Jinja.
Body parse(const std::vector<Token>& tokens);

}  // namespace transformers::chat_templates::detail
