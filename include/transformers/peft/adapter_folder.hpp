#pragma once
// Recognising a PEFT adapter folder and finding the base model it was trained on (peft/ is described
// in peft/lora_config.hpp).
#include <string>
#include <vector>

namespace transformers::hub {
struct HubOptions;
}

namespace transformers::peft {

// An adapter to load by name: the CLI's --adapter [NAME=]PATH, LoadOptions::adapters.
struct NamedAdapter {
  std::string name;
  std::string path;  // a folder or a Hub id
};

// "NAME=PATH", or "PATH" named after its last path component ("out/my-lora/" -> "my-lora"). Throws
// InvalidArgument for an empty name or path.
NamedAdapter parse_named_adapter(const std::string& argument);

// Whether `folder` holds adapter_config.json: from_pretrained(folder) then loads the base model and the
// adapter on it, as transformers does when PEFT is installed.
bool is_adapter_folder(const std::string& folder);

// The base model the adapter in `adapter_folder` names (base_model_name_or_path): a local path as
// given (relative to the working directory, as transformers reads it), else relative to the adapter
// folder (so that an adapter and its base can travel together), else the Hub id it is. Throws
// FileError naming the file when the field is missing or names the adapter itself.
std::string base_model_of(const std::string& adapter_folder);

// Where a model, its tokenizer and its generation config come from when `source` (a resolved folder
// or file) may be an adapter folder without a model of its own: then the base's source (resolved
// with `hub`, less its revision, which named the adapter's repository), the adapter put first in
// `adapters` as "default"; any other source as it is.
std::string model_source_of(const std::string& source, std::vector<NamedAdapter>& adapters, const hub::HubOptions& hub);

}  // namespace transformers::peft
