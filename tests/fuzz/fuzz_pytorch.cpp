// PyTorch checkpoints: the zip reader, the restricted unpickler and the tensor views. Any input
// gives tensors that can all be read, or a FileError.
#include "fuzz_input.hpp"
#include "transformers/io/pytorch_checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  try {
    auto source = transformers::pytorch::open_checkpoint(file.path());
    for (const std::string& name : source->names()) source->get(name, transformers::DType::F32).contiguous();
  } catch (const transformers::FileError&) {
  }
  return 0;
}
