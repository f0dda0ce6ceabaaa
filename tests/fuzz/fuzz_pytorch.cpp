// PyTorch checkpoints: the zip reader, the restricted unpickler and the tensor views.
#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::read_as_file(data, size, readers::read_pytorch);
}
