// tokenizer.json documents: every model, normalizer, pre-tokenizer, post-processor and decoder they
// describe, then a fixed text encoded and decoded with the result.
#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::read_as_file(data, size, readers::read_tokenizer_json);
}
