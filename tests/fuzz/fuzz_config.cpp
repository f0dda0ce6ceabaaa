// config.json: transformers' PretrainedConfig, then the typed config of every model class
// registered for its model_type.
#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  try {
    readers::read_config(file.path());
  } catch (const transformers::Error&) {
  }
  return 0;
}
