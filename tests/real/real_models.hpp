#pragma once
// Where the real models for test_real are found: TRANSFORMERS_TEST_MINILM, else the Hugging Face
// cache (offline lookup only).
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

}  // namespace real_models
