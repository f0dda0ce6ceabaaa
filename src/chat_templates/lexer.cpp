// jinja2's lexer (lexer.py) rule for rule: the root state finds the next tag and applies "-", "+",
// lstrip_blocks and trim_blocks to the data before and after it; tag states read names, numbers,
// strings and operators until the closing delimiter, with brackets balanced first.
#include "lexer.hpp"

#include <cerrno>
#include <cstdlib>
#include <optional>

#include "text.hpp"

namespace transformers::chat_templates::detail {

namespace {

bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The length of the Python whitespace (regex \s) run at `at`.
size_t whitespace_run(std::string_view text, size_t at) {
  size_t end = at;
  for (size_t length = 0; end < text.size(); end += length)
    if (!is_python_space(decode_utf8(text, end, length))) break;
  return end - at;
}

bool all_whitespace(std::string_view text) { return whitespace_run(text, 0) == text.size(); }

std::string_view rstrip_whitespace(std::string_view text) { return strip(text, nullptr, false, true); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Python's unicode-escape decoding of a string literal's body.
std::string unescape(std::string_view body, size_t offset) {
  std::string out;
  out.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      out += body[i];
      continue;
    }
    const char c = body[++i];
    switch (c) {
      case '\n': break;  // line continuation
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x':
      case 'u':
      case 'U': {
        const size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        char32_t code = 0;
        for (size_t k = 1; k <= digits; ++k) {
          const int v = i + k < body.size() ? hex_value(body[i + k]) : -1;
          if (v < 0)
            throw SyntaxErrorAt{std::string("truncated \\") + c + std::string(digits, 'X') + " escape", offset};
          code = code * 16 + static_cast<char32_t>(v);
        }
        if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF))
          throw SyntaxErrorAt{"illegal Unicode character", offset};
        append_utf8(out, code);
        i += digits;
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          char32_t code = static_cast<char32_t>(c - '0');
          for (size_t k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k)
            code = code * 8 + static_cast<char32_t>(body[++i] - '0');
          append_utf8(out, code);
        } else {
          out += '\\';  // an unknown escape stays as written
          out += c;
        }
    }
  }
  return out;
}

class Lexer {
 public:
  explicit Lexer(std::string_view source) : source_(source) {}

  std::vector<Token> run() {
    while (position_ < source_.size()) lex_root();
    push(TokenType::End, {}, source_.size());
    return std::move(tokens_);
  }

 private:
  enum class Tag { Variable, Block, Comment, Raw };

  struct TagStart {
    Tag tag;
    size_t at;      // where "{{" / "{%" / "{#" starts
    size_t length;  // of the opening, with its sign ("{%-" is 3); for raw, the whole "{% raw %}"
    char sign;      // '-', '+' or 0
  };

  void push(TokenType type, std::string value, size_t offset) {
    Token token;
    token.type = type;
    token.value = std::move(value);
    token.offset = offset;
    tokens_.push_back(std::move(token));
  }

  // "{% raw %}" (with optional signs) at `at`: the length of the whole opening tag, else 0.
  size_t raw_opening(size_t at) const {
    size_t i = at + 2;
    if (i < source_.size() && (source_[i] == '-' || source_[i] == '+')) ++i;
    i += whitespace_run(source_, i);
    if (source_.compare(i, 3, "raw") != 0) return 0;
    i += 3;
    i += whitespace_run(source_, i);
    if (source_.compare(i, 3, "-%}") == 0) return i + 3 + whitespace_run(source_, i + 3) - at;
    if (source_.compare(i, 2, "%}") == 0) return i + 2 - at;
    return 0;
  }

  std::optional<TagStart> next_tag(size_t from) const {
    for (size_t at = source_.find('{', from); at != std::string_view::npos; at = source_.find('{', at + 1)) {
      if (at + 1 >= source_.size()) return std::nullopt;
      const char kind = source_[at + 1];
      if (kind != '{' && kind != '%' && kind != '#') continue;
      const char sign = at + 2 < source_.size() && (source_[at + 2] == '-' || source_[at + 2] == '+') ? source_[at + 2] : 0;
      if (kind == '%') {
        if (const size_t raw = raw_opening(at)) return TagStart{Tag::Raw, at, raw, sign};
      }
      const Tag tag = kind == '{' ? Tag::Variable : kind == '%' ? Tag::Block : Tag::Comment;
      return TagStart{tag, at, sign ? size_t{3} : size_t{2}, sign};
    }
    return std::nullopt;
  }

  // The data before a tag, with "-" (strip all whitespace) or lstrip_blocks (strip the spaces that
  // start the tag's line) applied, as jinja2's OptionalLStrip rule does.
  void emit_data_before(std::string_view text, size_t offset, char sign, bool is_variable) {
    if (sign == '-') {
      text = rstrip_whitespace(text);
    } else if (sign != '+' && !is_variable) {
      const size_t newline = text.rfind('\n');
      const size_t line_start = newline == std::string_view::npos ? 0 : newline + 1;
      if ((line_start > 0 || line_starting_) && line_start < text.size() && all_whitespace(text.substr(line_start)))
        text = text.substr(0, line_start);
    }
    if (!text.empty()) push(TokenType::Data, std::string(text), offset);
  }

  void lex_root() {
    const auto tag = next_tag(position_);
    if (!tag) {
      push(TokenType::Data, std::string(source_.substr(position_)), position_);
      position_ = source_.size();
      return;
    }
    emit_data_before(source_.substr(position_, tag->at - position_), position_, tag->sign, tag->tag == Tag::Variable);
    position_ = tag->at + tag->length;
    line_starting_ = tag->tag == Tag::Raw && source_[position_ - 1] == '\n';
    switch (tag->tag) {
      case Tag::Comment: return lex_comment(tag->at);
      case Tag::Raw: return lex_raw(tag->at);
      case Tag::Variable:
        push(TokenType::VariableBegin, "{{", tag->at);
        return lex_tag(false);
      case Tag::Block:
        push(TokenType::BlockBegin, "{%", tag->at);
        return lex_tag(true);
    }
  }

  // A closing "%}" / "#}": "+" keeps what follows, "-" strips all whitespace after it, and plain
  // drops one newline (trim_blocks). Returns the length consumed at `at`, or 0 when none is there.
  size_t block_close(size_t at, char closer) const {
    const char first = source_[at];
    if ((first == '+' || first == '-') && at + 2 < source_.size() && source_[at + 1] == closer &&
        source_[at + 2] == '}')
      return first == '+' ? 3 : 3 + whitespace_run(source_, at + 3);
    if (first == closer && at + 1 < source_.size() && source_[at + 1] == '}')
      return at + 2 < source_.size() && source_[at + 2] == '\n' ? 3 : 2;
    return 0;
  }

  void lex_comment(size_t opening) {
    for (size_t at = position_; at < source_.size(); ++at) {
      if (const size_t length = block_close(at, '#')) {
        position_ = at + length;
        line_starting_ = source_[position_ - 1] == '\n';
        return;
      }
    }
    throw SyntaxErrorAt{"Missing end of comment tag", opening};
  }

  void lex_raw(size_t opening) {
    for (size_t at = source_.find("{%", position_); at != std::string_view::npos; at = source_.find("{%", at + 1)) {
      size_t i = at + 2;
      const char sign = i < source_.size() && (source_[i] == '-' || source_[i] == '+') ? source_[i] : 0;
      if (sign) ++i;
      i += whitespace_run(source_, i);
      if (source_.compare(i, 6, "endraw") != 0) continue;
      i += 6;
      i += whitespace_run(source_, i);
      const size_t close = i < source_.size() ? block_close(i, '%') : 0;
      if (!close) continue;
      emit_data_before(source_.substr(position_, at - position_), position_, sign, false);
      position_ = i + close;
      line_starting_ = source_[position_ - 1] == '\n';
      return;
    }
    throw SyntaxErrorAt{"Missing end of raw directive", opening};
  }

  void lex_tag(bool block) {
    std::vector<char> brackets;
    while (true) {
      if (position_ >= source_.size())
        throw SyntaxErrorAt{block ? "unexpected end of template, expected 'end of statement block'."
                                  : "unexpected end of template, expected 'end of print statement'.",
                            source_.size()};
      if (brackets.empty() && close_tag(block)) return;
      const char c = source_[position_];
      if (const size_t spaces = whitespace_run(source_, position_)) {
        line_starting_ = source_[position_ + spaces - 1] == '\n';
        position_ += spaces;
        continue;
      }
      line_starting_ = false;
      if (is_digit(c) && lex_number()) continue;
      if (is_name_start(c)) {
        size_t end = position_;
        while (end < source_.size() && is_name_char(source_[end])) ++end;
        push(TokenType::Name, std::string(source_.substr(position_, end - position_)), position_);
        position_ = end;
        continue;
      }
      if (c == '\'' || c == '"') {
        lex_string(c);
        continue;
      }
      lex_operator(brackets);
    }
  }

  bool close_tag(bool block) {
    if (block) {
      const size_t length = block_close(position_, '%');
      if (!length) return false;
      push(TokenType::BlockEnd, "%}", position_);
      position_ += length;
    } else if (source_.compare(position_, 3, "-}}") == 0) {
      push(TokenType::VariableEnd, "}}", position_);
      position_ += 3 + whitespace_run(source_, position_ + 3);
    } else if (source_.compare(position_, 2, "}}") == 0) {
      push(TokenType::VariableEnd, "}}", position_);
      position_ += 2;
    } else {
      return false;
    }
    line_starting_ = source_[position_ - 1] == '\n';
    return true;
  }

  // Digits with "_" separators, as jinja2's integer_re / float_re (a float after a "." is not one:
  // "x.0.1" is x[0][1]).
  size_t digit_run(size_t at) const {
    size_t end = at;
    while (end < source_.size() && (is_digit(source_[end]) || (source_[end] == '_' && end + 1 < source_.size() &&
                                                                 is_digit(source_[end + 1]) && end > at)))
      ++end;
    return end;
  }

  bool lex_number() {
    const size_t start = position_;
    size_t end = digit_run(start);
    bool is_float = false;
    const bool after_dot = start > 0 && source_[start - 1] == '.';
    if (!after_dot) {
      size_t fraction_end = end;
      if (fraction_end + 1 < source_.size() && source_[fraction_end] == '.' && is_digit(source_[fraction_end + 1]))
        fraction_end = digit_run(fraction_end + 1);
      size_t exponent_end = fraction_end;
      if (exponent_end < source_.size() && (source_[exponent_end] == 'e' || source_[exponent_end] == 'E')) {
        size_t digits = exponent_end + 1;
        if (digits < source_.size() && (source_[digits] == '+' || source_[digits] == '-')) ++digits;
        if (digits < source_.size() && is_digit(source_[digits])) exponent_end = digit_run(digits);
      }
      if (exponent_end != end) {
        is_float = true;
        end = exponent_end;
      }
    }
    std::string text;
    for (size_t i = start; i < end; ++i)
      if (source_[i] != '_') text += source_[i];
    Token token;
    token.offset = start;
    if (is_float) {
      token.type = TokenType::Float;
      token.number = std::strtod(text.c_str(), nullptr);
    } else {
      if (source_[start] == '0' && text.size() > 1 && !all_zeros(text)) {
        // "0" then more digits: jinja2 reads "0" alone (and the parser rejects what follows)
        end = start + 1;
        text = "0";
      }
      token.type = TokenType::Integer;
      errno = 0;
      token.integer = std::strtoll(text.c_str(), nullptr, 10);
      if (errno == ERANGE) throw SyntaxErrorAt{"integer literal too large", start};
    }
    token.value = std::string(source_.substr(start, end - start));
    tokens_.push_back(std::move(token));
    position_ = end;
    return true;
  }

  static bool all_zeros(const std::string& text) { return text.find_first_not_of('0') == std::string::npos; }

  void lex_string(char quote) {
    const size_t start = position_;
    size_t i = start + 1;
    while (i < source_.size() && source_[i] != quote) i += source_[i] == '\\' ? 2 : 1;
    if (i >= source_.size()) throw SyntaxErrorAt{std::string("unexpected char '") + quote + "'", start};
    push(TokenType::String, unescape(source_.substr(start + 1, i - start - 1), start), start);
    position_ = i + 1;
  }

  void lex_operator(std::vector<char>& brackets) {
    static const char* const kOperators[] = {"//", "**", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[",
                                             "]",  "(",  ")",  "{",  "}",  ">",  "<", "=", ".", ":", "|", ",", ";"};
    for (const char* op : kOperators) {
      const std::string_view text(op);
      if (source_.compare(position_, text.size(), text) != 0) continue;
      track_bracket(text[0], brackets);
      push(TokenType::Operator, std::string(text), position_);
      position_ += text.size();
      return;
    }
    size_t length = 0;
    const char32_t c = decode_utf8(source_, position_, length);
    std::string shown;
    append_utf8(shown, c);
    throw SyntaxErrorAt{"unexpected char '" + shown + "'", position_};
  }

  void track_bracket(char c, std::vector<char>& brackets) const {
    if (c == '(' || c == '[' || c == '{') {
      brackets.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    } else if (c == ')' || c == ']' || c == '}') {
      if (brackets.empty()) throw SyntaxErrorAt{std::string("unexpected '") + c + "'", position_};
      if (brackets.back() != c)
        throw SyntaxErrorAt{std::string("unexpected '") + c + "', expected '" + brackets.back() + "'", position_};
      brackets.pop_back();
    }
  }

  std::string_view source_;
  size_t position_ = 0;
  bool line_starting_ = true;
  std::vector<Token> tokens_;
};

}  // namespace

std::string normalize_source(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

SourcePosition position_of(std::string_view source, size_t offset) {
  SourcePosition position;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < source.size(); ++i) {
    if (source[i] == '\n') {
      ++position.line;
      line_start = i + 1;
    }
  }
  position.column = count_code_points(source.substr(line_start, std::min(offset, source.size()) - line_start)) + 1;
  return position;
}

std::vector<Token> tokenize(std::string_view source) { return Lexer(source).run(); }

}  // namespace transformers::chat_templates::detail
