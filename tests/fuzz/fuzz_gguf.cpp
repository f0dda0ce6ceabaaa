// GGUF files: the header, metadata, tensor infos, the mapping to transformers' config and the
// tokenizer built from the vocabulary. Any input is read or refused with the library's errors.
#include <filesystem>

#include "fuzz_input.hpp"
#include "transformers/io/gguf.hpp"
#include "transformers/io/gguf_checkpoint.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fuzz::MemoryFile file(data, size);
  try {
    auto gguf = transformers::gguf::File::open(file.path());
    try {
      transformers::gguf::hf_config(*gguf);
    } catch (const transformers::Error&) {
    }
    // The tokenizer loader knows a GGUF file by its name: a link named .gguf to the memory file.
    const std::string link = "/tmp/fuzz-gguf-" + std::to_string(getpid()) + ".gguf";
    std::filesystem::remove(link);
    std::filesystem::create_symlink(file.path(), link);
    transformers::PreTrainedTokenizerFast::from_pretrained(link)({"Hello world, 123!"});
  } catch (const transformers::Error&) {
  }
  return 0;
}
