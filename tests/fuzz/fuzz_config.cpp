// config.json: transformers' PretrainedConfig, then the typed config of every model class
// registered for its model_type.
#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::read_as_file(data, size, readers::read_config);
}
