// safetensors files: the header's JSON, dtypes, shapes and data offsets.
#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  try {
    readers::read_safetensors(file.path());
  } catch (const transformers::Error&) {
  }
  return 0;
}
