// PCRE2's JIT stands in for Oniguruma only where both engines read a pattern the same way
// (src/tokenizers/pcre2_pattern.hpp). These tests hold that claim: every class the rewrite accepts
// is compared code point by code point over all of Unicode, and every pre-tokenizer pattern we ship
// is run through both engines on random mixed-script text, whose splits must be identical.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "src/tokenizers/byte_level.hpp"
#include "src/tokenizers/pcre2_pattern.hpp"
#include "src/tokenizers/regex.hpp"
#include "src/tokenizers/unicode.hpp"
#include "src/tokenizers/gguf_pre_tokenizers.hpp"

using transformers::tokenizers::detail::append_utf8;
using transformers::tokenizers::detail::ByteRange;
using transformers::tokenizers::detail::pcre2_equivalent;
using transformers::tokenizers::detail::Regex;
using transformers::tokenizers::detail::RegexEngine;

namespace {

// Every scalar value once, in order: `(?:class)+` then matches the runs of members, which are the
// same runs for both engines exactly when the two classes hold the same code points.
const std::string& all_code_points() {
  static const std::string text = [] {
    std::string s;
    for (char32_t cp = 1; cp < 0x110000; ++cp) {
      if (cp >= 0xD800 && cp < 0xE000) continue;
      append_utf8(s, cp);
    }
    return s;
  }();
  return text;
}

void require_same_matches(const std::string& pattern, const std::string& text) {
  const Regex fast(pattern, "test");
  const Regex reference(pattern, "test", RegexEngine::oniguruma);
  INFO("pattern " << pattern);
  REQUIRE(fast.uses_pcre2());
  REQUIRE_FALSE(reference.uses_pcre2());
  REQUIRE(fast.find_all(text) == reference.find_all(text));
}

// Mixed text: ASCII words, contractions, digits of several scripts, every kind of space the two
// engines could disagree on (U+0085, U+00A0, U+180E, U+3000), case folds (ſ, K sign, ß, ligatures),
// combining marks, CJK, Thai, emoji, punctuation and line breaks.
std::string random_text(std::mt19937& random) {
  static const std::vector<std::string> pieces = {"hello",
                                                  "World",
                                                  "it",
                                                  "'s",
                                                  "'S",
                                                  "'ll",
                                                  "'LL",
                                                  "'re",
                                                  "'ve",
                                                  "'d",
                                                  "'m",
                                                  "'t",
                                                  "'",
                                                  " ",
                                                  "  ",
                                                  "   ",
                                                  "\t",
                                                  "\n",
                                                  "\r\n",
                                                  "\r",
                                                  "\v",
                                                  "\f",
                                                  "0",
                                                  "12",
                                                  "345",
                                                  "67890",
                                                  "\xD9\xA3\xD9\xA4",
                                                  "\xE0\xA5\xAC",
                                                  "\xC2\x85",
                                                  "\xC2\xA0",
                                                  "\xE1\xA0\x8E",
                                                  "\xE3\x80\x80",
                                                  "\xE2\x80\xA8",
                                                  "\xE2\x80\x8B",
                                                  "\xC5\xBF",
                                                  "\xE2\x84\xAA",
                                                  "\xC3\x9F",
                                                  "\xEF\xAC\x81",
                                                  "\xEF\xAC\x86",
                                                  "e\xCC\x81",
                                                  "\xCC\x81",
                                                  "\xE4\xBD\xA0\xE5\xA5\xBD",
                                                  "\xE3\x81\x82",
                                                  "\xE3\x82\xAB",
                                                  "\xE3\x80\x82",
                                                  "\xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1",
                                                  "\xF0\x9F\x98\x80",
                                                  "\xE2\x80\xA6",
                                                  ".",
                                                  ",",
                                                  "!",
                                                  "?",
                                                  "-",
                                                  "_",
                                                  "/",
                                                  "(",
                                                  ")",
                                                  "[",
                                                  "]",
                                                  "\"",
                                                  "#",
                                                  "$",
                                                  "%",
                                                  "+",
                                                  "=",
                                                  "<",
                                                  ">",
                                                  "~",
                                                  "`",
                                                  "|",
                                                  "\xD0\x9F\xD1\x80\xD0\xB8",
                                                  "\xCE\xA3\xCF\x82",
                                                  "\xE2\x85\xA0",
                                                  "\xC2\xBD",
                                                  "ABC",
                                                  "xyz",
                                                  "Hello",
                                                  "DOG"};
  std::uniform_int_distribution<size_t> length(0, 24);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::string text;
  for (size_t n = length(random); n > 0; --n) text += pieces[pick(random)];
  return text;
}

std::vector<std::string> shipped_patterns() {
  std::vector<std::string> patterns = {
      std::string(transformers::tokenizers::detail::kGpt2Pattern),
      // Llama 3's tokenizer.json
      R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)",
      Regex::escape(" #&-~.x"),
  };
  for (const std::string& name : transformers::tokenizers::known_gguf_pre_tokenizers()) {
    const std::optional<transformers::tokenizers::GgufPreTokenizer> pre =
        transformers::tokenizers::gguf_pre_tokenizer(name);
    patterns.insert(patterns.end(), pre->patterns.begin(), pre->patterns.end());
  }
  return patterns;
}

}  // namespace

TEST_CASE("Every class PCRE2 is given matches the code points Oniguruma's does", "[tokenizers][regex]") {
  // (A complement's runs are the gaps between its class's runs: \P{..} once is enough.)
  std::vector<std::string> atoms = {R"(\s)", R"(\S)", R"(\d)", ".", R"([^\s\p{L}\p{N}])", R"(\x{85})", R"(\P{L})"};
  for (const char* category :
       {"L",  "Lu", "Ll", "Lt", "Lm", "Lo", "M",  "Mn", "Mc", "Me", "N",  "Nd", "Nl", "No", "P",  "Pc", "Pd", "Ps",
        "Pe", "Pi", "Pf", "Po", "S",  "Sm", "Sc", "Sk", "So", "Z",  "Zs", "Zl", "Zp", "C",  "Cc", "Cf", "Co", "Cn"}) {
    atoms.push_back(std::string("\\p{") + category + "}");
  }
  for (char letter = 'a'; letter <= 'z'; ++letter) atoms.push_back(std::string("(?i:") + letter + ")");
  for (const std::string& atom : atoms) require_same_matches("(?:" + atom + ")+", all_code_points());
}

TEST_CASE("Patterns the two engines read differently stay with Oniguruma", "[tokenizers][regex]") {
  for (const char* pattern :
       {R"(\w+)",   R"(\bx)",      R"(\h)",      R"(\p{Han})", R"(\pL)", R"(\p{^L})", "^a",      "a$",
        "a{,3}",    "[[:alpha:]]", "[a[b]]",     "[a&&b]",     "[]a]",   R"([\S])",   "(?i:ss)", "(?i:FI)",
        "a(?i)b|c", "(?m:.)",      "(?<name>a)", R"(\u00e9)",  R"(\1)",  R"(\A[\A])"}) {
    INFO("pattern " << pattern);
    CHECK_FALSE(pcre2_equivalent(pattern).has_value());
  }
  CHECK_FALSE(Regex(R"(\w+)", "test").uses_pcre2());
  CHECK(Regex(R"(\w+)", "test").find_all("ab c\xCC\x81") == std::vector<ByteRange>{{0, 2}, {3, 6}});
}

TEST_CASE("Accepted patterns are rewritten where PCRE2's syntax differs", "[tokenizers][regex]") {
  CHECK(pcre2_equivalent(R"(\v\x41\x{263A})") == R"(\x{0B}\x{41}\x{263A})");
  CHECK(pcre2_equivalent(R"((?i)ab|cd)") == R"((?i)ab|cd)");
  CHECK(pcre2_equivalent(R"(\s+(?!\S))")->find("\\x{180E}") == std::string::npos);
  CHECK(pcre2_equivalent(R"([\p{L}\-\]])") == R"([\p{L}\-\]])");
}

TEST_CASE("Every shipped pre-tokenizer pattern splits random text as Oniguruma does", "[tokenizers][regex]") {
  std::mt19937 random(20261205);
  std::vector<std::string> texts;
  for (int i = 0; i < 400; ++i) texts.push_back(random_text(random));
  texts.push_back(std::string(20000, ' ') + "x");  // long runs: the JIT stack, or Oniguruma
  texts.push_back(std::string(20000, 'a') + std::string(20000, '\n'));
  texts.push_back("\xFF\xFE broken UTF-8 \xC3");  // PCRE2 refuses it; Oniguruma decides
  size_t on_pcre2 = 0;
  for (const std::string& pattern : shipped_patterns()) {
    const Regex fast(pattern, "test");
    const Regex reference(pattern, "test", RegexEngine::oniguruma);
    on_pcre2 += fast.uses_pcre2();
    INFO("pattern " << pattern);
    for (const std::string& text : texts) REQUIRE(fast.find_all(text) == reference.find_all(text));
  }
  // GPT-2's, Llama 3's and most of llama.cpp's; those with scripts or nested classes stay.
  CHECK(Regex(std::string(transformers::tokenizers::detail::kGpt2Pattern), "test").uses_pcre2());
  CHECK(on_pcre2 * 10 >= shipped_patterns().size() * 8);
}
