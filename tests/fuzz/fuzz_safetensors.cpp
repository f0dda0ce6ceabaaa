// safetensors files: the header's JSON, dtypes, shapes and data offsets.
#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::read_as_file(data, size, readers::read_safetensors);
}
