// Parity with transformers 5 on folders without tokenizer.json: the pipeline each tokenizer class
// builds from vocab.txt (BertTokenizer: cased, lowercased keeping accents, cased stripping accents),
// vocab.json + merges.txt (GPT2Tokenizer, RobertaTokenizer) and SentencePiece .model files trained
// with byte fallback (a unigram model read by T5Tokenizer, a BPE model read by LlamaTokenizer).
#include "parity_fixture.hpp"

TEST_CASE("BertTokenizer from vocab.txt matches transformers", "[tokenizers][parity][legacy]") {
  for (const char* name : {"legacy-bert-cased", "legacy-bert-lower-keep-accents", "legacy-bert-cased-strip-accents"}) {
    INFO(name);
    CHECK(parity::check_fixture(name) > 200);
  }
}

TEST_CASE("GPT2Tokenizer and RobertaTokenizer from vocab.json + merges.txt match transformers",
          "[tokenizers][parity][legacy]") {
  CHECK(parity::check_fixture("legacy-gpt2") > 200);
  CHECK(parity::check_fixture("legacy-roberta") > 200);
}

TEST_CASE("T5Tokenizer from a unigram spiece.model matches transformers", "[tokenizers][parity][legacy]") {
  CHECK(parity::check_fixture("spm-unigram-t5") > 200);
}

TEST_CASE("LlamaTokenizer from a BPE tokenizer.model (byte fallback) matches transformers",
          "[tokenizers][parity][legacy]") {
  CHECK(parity::check_fixture("spm-bpe-llama") > 200);
}
