// Arbitrary bytes (invalid UTF-8 included) through tokenizers of each model kind — WordPiece
// (all-MiniLM's), byte-level BPE, Unigram with and without byte fallback — and back through decode.
#include <filesystem>
#include <vector>

#include "fuzz_input.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

namespace {

const std::vector<transformers::tokenizers::Tokenizer>& tokenizers() {
  static const std::vector<transformers::tokenizers::Tokenizer> loaded = [] {
    const std::filesystem::path fixtures = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "tokenizers";
    std::vector<transformers::tokenizers::Tokenizer> all;
    for (const char* name : {"minilm", "bpe-gpt2-style", "bpe-bytelevel", "unigram-t5-style", "unigram-byte-fallback"})
      all.push_back(transformers::tokenizers::Tokenizer::from_file((fixtures / name / "tokenizer.json").string()));
    return all;
  }();
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = fuzz::text(data, size);
  for (const auto& tokenizer : tokenizers()) {
    try {
      tokenizer.decode(tokenizer.encode(text).ids, /*skip_special_tokens=*/false);
    } catch (const transformers::InvalidArgument&) {  // text that is not UTF-8
    }
  }
  return 0;
}
