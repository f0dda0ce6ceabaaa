// Parity with transformers on SentencePiece unigram models converted to tokenizer.json:
// T5/ALBERT style (Precompiled charsmap, Metaspace, unk) and Llama style (Prepend + Replace
// normalizers, byte fallback, Replace/ByteFallback/Fuse/Strip decoders).
#include "parity_fixture.hpp"

TEST_CASE("T5-style unigram (Precompiled + Metaspace) matches transformers", "[tokenizers][parity]") {
  CHECK(parity::check_fixture("unigram-t5-style") > 300);
}

TEST_CASE("unigram with byte fallback (Llama-style normalizers and decoders) matches transformers",
          "[tokenizers][parity]") {
  CHECK(parity::check_fixture("unigram-byte-fallback") > 300);
}
