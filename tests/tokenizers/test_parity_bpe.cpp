// Parity with transformers on byte-level BPE tokenizers trained by scripts/make_tokenizer_fixtures.py:
// ByteLevel pre-tokenizer (GPT-2 regex through Oniguruma), BPE merges in both JSON forms,
// RobertaProcessing / ByteLevel / TemplateProcessing post-processors and the ByteLevel decoder.
#include "parity_fixture.hpp"

TEST_CASE("byte-level BPE with RobertaProcessing matches transformers", "[tokenizers][parity]") {
  CHECK(parity::check_fixture("bpe-bytelevel") > 300);
}

TEST_CASE("GPT-2 style BPE (prefix space, ByteLevel post-processor, legacy merges) matches transformers",
          "[tokenizers][parity]") {
  CHECK(parity::check_fixture("bpe-gpt2-style") > 300);
}

TEST_CASE("Llama-3 style BPE (Split regex + ByteLevel, template, ignore_merges) matches transformers",
          "[tokenizers][parity]") {
  CHECK(parity::check_fixture("bpe-split-sequence") > 300);
}
