#pragma once
// Regular expressions through Oniguruma (Ruby syntax, UTF-8), the engine HF tokenizers uses, so
// that look-arounds, \p{L}, Unicode \s and leftmost-first alternation behave identically.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "normalized_string.hpp"

namespace transformers::tokenizers::detail {

class Regex {
 public:
  // `where` names the component in the error thrown for a bad pattern.
  Regex(std::string_view pattern, const std::string& where);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Non-overlapping matches left to right; an empty match right after the previous match is
  // skipped (as the Rust onig crate's find_iter does).
  std::vector<ByteRange> find_all(std::string_view text) const;

  // A pattern that matches `literal` exactly.
  static std::string escape(std::string_view literal);

 private:
  struct Compiled;
  std::unique_ptr<Compiled> compiled_;
};

// Match / non-match spans of `regex` over `text` (what NormalizedString::split takes), optionally
// with match and non-match swapped.
std::vector<MatchSpan> find_regex_matches(const Regex& regex, std::string_view text, bool invert = false);

}  // namespace transformers::tokenizers::detail
