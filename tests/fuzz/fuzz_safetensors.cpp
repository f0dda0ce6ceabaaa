// safetensors files: the header's JSON, dtypes, shapes and data offsets. Any input gives tensors
// that can all be read, or a FileError.
#include "fuzz_input.hpp"
#include "transformers/io/safetensors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  try {
    auto opened = transformers::safetensors::File::open(file.path());
    for (const std::string& name : opened->names()) opened->get(name).contiguous();
  } catch (const transformers::FileError&) {
  }
  return 0;
}
