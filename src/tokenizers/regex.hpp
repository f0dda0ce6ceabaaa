#pragma once
// Regular expressions with Oniguruma's meaning (Ruby syntax, UTF-8), the engine HF tokenizers uses,
// so that look-arounds, \p{L}, Unicode \s and leftmost-first alternation behave identically. Where a
// pattern means the same to PCRE2 (pcre2_pattern.hpp), PCRE2's JIT matches instead, several times
// faster; Oniguruma still checks every pattern and matches the rest.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "normalized_string.hpp"

namespace transformers::tokenizers::detail {

enum class RegexEngine { fastest, oniguruma };

class Regex {
 public:
  // `where` names the component in the error thrown for a bad pattern. RegexEngine::oniguruma
  // keeps Oniguruma even where PCRE2 could match (the tests compare the two).
  Regex(std::string_view pattern, const std::string& where, RegexEngine engine = RegexEngine::fastest);
  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Non-overlapping matches left to right; an empty match right after the previous match is
  // skipped (as the Rust onig crate's find_iter does).
  std::vector<ByteRange> find_all(std::string_view text) const;

  // Whether find_all runs on PCRE2's JIT.
  bool uses_pcre2() const;

  // A pattern that matches `literal` exactly.
  static std::string escape(std::string_view literal);

 private:
  struct Compiled;
  struct Pcre2Code;
  std::optional<std::vector<ByteRange>> find_all_pcre2(std::string_view text) const;
  std::unique_ptr<Compiled> compiled_;
  std::unique_ptr<Pcre2Code> pcre2_;
};

// Match / non-match spans of `regex` over `text` (what NormalizedString::split takes), optionally
// with match and non-match swapped.
std::vector<MatchSpan> find_regex_matches(const Regex& regex, std::string_view text, bool invert = false);

}  // namespace transformers::tokenizers::detail
