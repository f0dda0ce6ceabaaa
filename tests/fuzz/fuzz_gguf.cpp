// GGUF files: the header, metadata and tensor infos, the mapping to transformers' config and names,
// and the tokenizer built from the vocabulary.
#include <filesystem>

#include "fuzz_input.hpp"
#include "readers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  // The tokenizer loader knows a GGUF file by its name: a link named .gguf to the memory file.
  const std::string link = "/tmp/fuzz-gguf-" + std::to_string(getpid()) + ".gguf";
  std::filesystem::remove(link);
  std::filesystem::create_symlink(file.path(), link);
  try {
    readers::read_gguf(link);
  } catch (const transformers::Error&) {
  }
  return 0;
}
