// Parity with transformers on the real tokenizer.json of sentence-transformers/all-MiniLM-L6-v2
// (BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing, WordPiece decoder).
#include "parity_fixture.hpp"

TEST_CASE("all-MiniLM-L6-v2 tokenizer matches transformers bit for bit", "[tokenizers][parity]") {
  const size_t rows = parity::check_fixture("minilm");
  CHECK(rows > 200);
}
