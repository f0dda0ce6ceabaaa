// tokenizer.json documents: loading every model, normalizer, pre-tokenizer, post-processor and
// decoder they describe, then encoding and decoding a fixed text with the result.
#include "fuzz_input.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto tokenizer =
        transformers::tokenizers::Tokenizer::from_json(fuzz::text(data, size), "fuzzed tokenizer.json");
    const auto encoding = tokenizer.encode("Hello world, 123! héllo  \t naïve 日本語");
    tokenizer.decode(encoding.ids);
  } catch (const transformers::Error&) {
  }
  return 0;
}
