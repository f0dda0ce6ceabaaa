// PyTorch checkpoints: the zip reader, the restricted unpickler and the tensor views.
#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  try {
    readers::read_pytorch(file.path());
  } catch (const transformers::Error&) {
  }
  return 0;
}
