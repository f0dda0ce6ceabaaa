#pragma once
// Model cards: the YAML front matter of a repo's README.md (between the first two "---" lines), as
// huggingface_hub's ModelCard reads it.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/core/error.hpp"

namespace transformers::hub {

struct ModelCard {
  std::optional<std::string> license;       // an SPDX-like id as the Hub lists them: "apache-2.0", "llama3", "other"
  std::optional<std::string> license_name;  // for license "other": the license's own name
  std::optional<std::string> license_link;  // ... and where to read it
  std::optional<std::string> pipeline_tag;  // "text-classification", ...
  std::optional<std::string> library_name;  // "transformers", "sentence-transformers", ...
  std::vector<std::string> base_model;      // a string or a list in the card: always a list here
  std::vector<std::string> tags, datasets, language, metrics;
  std::optional<std::string> gated;  // "true", "auto", "manual", ... as written; nullopt when absent or false
  bool has_metadata = false;         // whether the README has a front matter block at all
  nlohmann::json metadata = nlohmann::json::object();  // the whole block (YAML types mapped to JSON)
  std::string text;                                    // the README after the block
};

// Parses README.md content; `source` names it in errors. Malformed YAML, or a block that is not a
// mapping, throws FileError naming `source` and the line.
ModelCard parse_model_card(const std::string& content, const std::string& source = "README.md");

// Reads `path`: a README.md file, or a folder holding one. A folder without README.md gives an empty
// card; a missing file throws FileError.
ModelCard read_model_card(const std::string& path);

// A visible warning when the card's license restricts use (Llama, Gemma, non-commercial Creative
// Commons, OpenRAIL variants, "other"...) or the repo is gated; nullopt for permissive licenses.
std::optional<std::string> license_note(const ModelCard& card);

}  // namespace transformers::hub
