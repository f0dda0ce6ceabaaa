#include "fast_json.hpp"

#include <charconv>
#include <new>
#include <optional>
#include <vector>

#include "../io/utf8.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

struct Fail {};  // thrown inside the fast path; the caller falls back to a plain parse

class Scanner {
 public:
  Scanner(const char* begin, const char* end) : p_(begin), end_(end) {}

  const char* position() const { return p_; }
  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  char peek() {
    ws();
    if (p_ >= end_) throw Fail{};
    return *p_;
  }
  void expect(char c) {
    if (peek() != c) throw Fail{};
    ++p_;
  }
  // Consumes `c` if it is next.
  bool accept(char c) {
    if (peek() != c) return false;
    ++p_;
    return true;
  }

  // Advances over the bytes a JSON string can hold as they are (not '"', '\\' or a control char),
  // 8 at a time while it can (SWAR "has byte" tests).
  void skip_plain_bytes() {
    constexpr uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
    while (end_ - p_ >= 8) {
      uint64_t word;
      std::memcpy(&word, p_, 8);
      const uint64_t quote = word ^ (kOnes * '"'), backslash = word ^ (kOnes * '\\');
      const uint64_t special =
          ((quote - kOnes) & ~quote) | ((backslash - kOnes) & ~backslash) | ((word - kOnes * 0x20) & ~word);
      if (special & kHighs) break;
      p_ += 8;
    }
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"' || c == '\\' || c < 0x20) break;
      ++p_;
    }
  }

  // A JSON string, decoded into `out` (replacing its contents).
  void string(std::string& out) {
    expect('"');
    out.clear();
    for (;;) {
      const char* start = p_;
      skip_plain_bytes();
      out.append(start, p_);
      if (p_ >= end_ || static_cast<unsigned char>(*p_) < 0x20) throw Fail{};
      if (*p_ == '"') {
        ++p_;
        return;
      }
      ++p_;  // backslash
      if (p_ >= end_) throw Fail{};
      switch (*p_++) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) throw Fail{};
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') throw Fail{};
            p_ += 2;
            const uint32_t low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) throw Fail{};
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, static_cast<char32_t>(cp));
          break;
        }
        default: throw Fail{};
      }
    }
  }

  // A JSON string: a view of the text itself when it has no escapes, else decoded into `scratch`.
  std::string_view string_view(std::string& scratch) {
    const char* before = p_;
    expect('"');
    const char* start = p_;
    skip_plain_bytes();
    if (p_ < end_ && *p_ == '"') {
      const std::string_view text(start, static_cast<size_t>(p_ - start));
      ++p_;
      return text;
    }
    p_ = before;  // an escape (or an error): the decoding path
    string(scratch);
    return scratch;
  }

  // Skips a JSON string without decoding it.
  void skip_string() {
    expect('"');
    for (;;) {
      const void* quote = std::memchr(p_, '"', static_cast<size_t>(end_ - p_));
      if (!quote) throw Fail{};
      const char* q = static_cast<const char*>(quote);
      size_t backslashes = 0;
      while (q - backslashes > p_ && q[-1 - static_cast<std::ptrdiff_t>(backslashes)] == '\\') ++backslashes;
      p_ = q + 1;
      if (backslashes % 2 == 0) return;
    }
  }

  // Skips any value (structure only; what is skipped is parsed by nlohmann afterwards).
  void skip_value() {
    const char c = peek();
    if (c == '"') return skip_string();
    if (c == '{' || c == '[') {
      size_t depth = 0;
      for (;;) {
        if (p_ >= end_) throw Fail{};
        const char d = *p_;
        if (d == '"') {
          skip_string();
          continue;
        }
        ++p_;
        if (d == '{' || d == '[')
          ++depth;
        else if ((d == '}' || d == ']') && --depth == 0)
          return;
      }
    }
    const char* start = p_;
    while (p_ < end_ && *p_ != ',' && *p_ != '}' && *p_ != ']' && *p_ != ' ' && *p_ != '\n' && *p_ != '\r' &&
           *p_ != '\t')
      ++p_;
    if (p_ == start) throw Fail{};
  }

  // A JSON number token: [-]int[.frac][(e|E)[+-]digits]; `is_integer` when it has neither.
  std::string_view number(bool& is_integer) {
    ws();
    const char* start = p_;
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ >= end_) throw Fail{};
    if (*p_ == '0') {
      ++p_;
    } else if (*p_ >= '1' && *p_ <= '9') {
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    } else {
      throw Fail{};
    }
    is_integer = true;
    if (p_ < end_ && *p_ == '.') {
      is_integer = false;
      ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') throw Fail{};
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      is_integer = false;
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ >= end_ || *p_ < '0' || *p_ > '9') throw Fail{};
      while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
    }
    return {start, static_cast<size_t>(p_ - start)};
  }

  int64_t int64() {
    bool is_integer = false;
    const std::string_view text = number(is_integer);
    int64_t value = 0;
    if (!is_integer) throw Fail{};  // the DOM path reports a non-integer id
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) throw Fail{};
    return value;
  }

  double float64() {
    bool is_integer = false;
    const std::string_view text = number(is_integer);
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size()) throw Fail{};
    return value;
  }

 private:
  uint32_t hex4() {
    if (end_ - p_ < 4) throw Fail{};
    uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<uint32_t>(c - 'A' + 10);
      else
        throw Fail{};
    }
    return value;
  }

  const char* p_;
  const char* end_;
};

// model.vocab: {"token": id} or [["piece", score]].
json compact_vocab(Scanner& in, size_t text_bytes) {
  CompactWriter out(text_bytes);
  std::string token;
  if (in.accept('{')) {
    if (in.accept('}')) return out.finish(kCompactVocabObject);
    do {
      const std::string_view text = in.string_view(token);
      in.expect(':');
      const int64_t id = in.int64();
      out.string(text);
      out.put(id);
      out.next();
    } while (in.accept(','));
    in.expect('}');
    return out.finish(kCompactVocabObject);
  }
  in.expect('[');
  if (in.accept(']')) return out.finish(kCompactUnigramVocab);
  do {
    in.expect('[');
    const std::string_view text = in.string_view(token);
    in.expect(',');
    const double score = in.float64();
    in.expect(']');
    out.string(text);
    out.put(score);
    out.next();
  } while (in.accept(','));
  in.expect(']');
  return out.finish(kCompactUnigramVocab);
}

// model.merges: ["a b"] or [["a", "b"]].
json compact_merges(Scanner& in, size_t text_bytes) {
  CompactWriter out(text_bytes);
  std::string left, right;
  in.expect('[');
  if (in.accept(']')) return out.finish(kCompactMerges);
  do {
    if (in.accept('[')) {
      const std::string_view left_text = in.string_view(left);
      in.expect(',');
      const std::string_view right_text = in.string_view(right);
      in.expect(']');
      out.string(left_text);
      out.string(right_text);
    } else {
      const std::string_view text = in.string_view(left);
      const size_t space = text.find(' ');
      // Malformed entries go through the DOM path, which reports them.
      if (space == std::string_view::npos || text.find(' ', space + 1) != std::string_view::npos) throw Fail{};
      out.string(text.substr(0, space));
      out.string(text.substr(space + 1));
    }
    out.next();
  } while (in.accept(','));
  in.expect(']');
  return out.finish(kCompactMerges);
}

// Where a big value sat in the text, and its compact form.
struct BigValue {
  size_t start = 0, end = 0;
  bool found = false;
  json blob;  // binary when compacted
};

// The members of "model": vocab and merges are compacted as they are met (one pass over the
// text), the rest skipped.
void scan_model(Scanner& in, std::string_view text, BigValue& vocab, BigValue& merges) {
  std::string key;
  in.expect('{');
  if (in.accept('}')) return;
  do {
    in.string(key);
    in.expect(':');
    BigValue* value = key == "vocab" ? &vocab : key == "merges" ? &merges : nullptr;
    const char first = in.peek();
    const auto start = static_cast<size_t>(in.position() - text.data());
    if (!value) {
      in.skip_value();
      continue;
    }
    if (value->found) throw Fail{};  // a duplicate key: left to nlohmann
    if (first == '{' || first == '[')
      value->blob = value == &vocab ? compact_vocab(in, text.size() - start) : compact_merges(in, text.size() - start);
    else
      in.skip_value();
    value->start = start;
    value->end = static_cast<size_t>(in.position() - text.data());
    value->found = true;
  } while (in.accept(','));
  in.expect('}');
}

std::optional<json> parse_fast(std::string_view text) {
  // Strings are taken as they are, so the whole text is checked once here (strict UTF-8, as
  // nlohmann checks it; escaped code points are encoded well-formed by construction).
  if (transformers::detail::find_invalid_utf8(text) != std::string_view::npos) return std::nullopt;
  Scanner top(text.data(), text.data() + text.size());
  BigValue vocab, merges;
  bool seen_model = false;
  std::string key;
  top.expect('{');
  if (top.accept('}')) return std::nullopt;
  do {
    top.string(key);
    top.expect(':');
    if (key != "model" || top.peek() != '{') {
      top.skip_value();
      continue;
    }
    if (seen_model) return std::nullopt;  // a duplicate key: leave it to nlohmann
    seen_model = true;
    scan_model(top, text, vocab, merges);
  } while (top.accept(','));
  top.expect('}');

  // Only worth it for big arrays; small ones go through nlohmann with the rest.
  const size_t big = 64 * 1024;
  std::vector<BigValue*> cut;
  for (BigValue* value : {&vocab, &merges})
    if (value->blob.is_binary() && value->end - value->start >= big) cut.push_back(value);
  if (cut.empty()) return std::nullopt;
  if (cut.size() == 2 && cut[1]->start < cut[0]->start) std::swap(cut[0], cut[1]);

  // The rest, with the big values replaced by null, through nlohmann.
  std::string rest;
  size_t previous = 0;
  for (const BigValue* value : cut) {
    rest.append(text.substr(previous, value->start - previous));
    rest.append("null");
    previous = value->end;
  }
  rest.append(text.substr(previous));
  json document = json::parse(rest);  // throws on invalid JSON; the caller then parses the original
  json& model = document.at("model");
  for (BigValue* value : cut) model[value == &vocab ? "vocab" : "merges"] = std::move(value->blob);
  return document;
}

}  // namespace

json parse_tokenizer_document(std::string_view text) {
  try {
    if (auto document = parse_fast(text)) return std::move(*document);
  } catch (const Fail&) {
  } catch (const json::exception&) {
  } catch (const std::bad_alloc&) {  // the blobs reserve generously; the plain parse needs less
  }
  return json::parse(text);  // the plain path, with nlohmann's own errors
}

}  // namespace transformers::tokenizers::detail
