#include "transformers/peft/adapter_folder.hpp"

#include <filesystem>

#include "transformers/core/error.hpp"
#include "transformers/hub/hub.hpp"
#include "transformers/peft/lora_config.hpp"

namespace fs = std::filesystem;

namespace transformers::peft {

NamedAdapter parse_named_adapter(const std::string& argument) {
  const size_t equals = argument.find('=');
  NamedAdapter adapter;
  if (equals != std::string::npos) {
    adapter.name = argument.substr(0, equals);
    adapter.path = argument.substr(equals + 1);
  } else {
    adapter.path = argument;
    fs::path path(argument);
    if (!path.has_filename()) path = path.parent_path();  // a trailing slash
    adapter.name = path.filename().string();
  }
  if (adapter.name.empty() || adapter.path.empty())
    throw InvalidArgument("adapter '" + argument + "': expected [NAME=]PATH with a non-empty name and path");
  return adapter;
}

bool is_adapter_folder(const std::string& folder) {
  std::error_code error;
  return fs::is_regular_file(fs::path(folder) / "adapter_config.json", error);
}

std::string base_model_of(const std::string& adapter_folder) {
  const fs::path config_path = fs::path(adapter_folder) / "adapter_config.json";
  const LoraConfig config = LoraConfig::from_file(config_path.string());
  if (!config.base_model_name_or_path || config.base_model_name_or_path->empty())
    throw FileError(config_path.string() + ": base_model_name_or_path is missing, so the base model is unknown; " +
                    "load the base model and call load_adapter() on it");
  const std::string& base = *config.base_model_name_or_path;
  std::error_code error;
  std::string resolved = base;
  if (!fs::exists(base, error) && fs::path(base).is_relative() && fs::exists(fs::path(adapter_folder) / base, error))
    resolved = (fs::path(adapter_folder) / base).lexically_normal().string();
  if (fs::exists(resolved, error) && fs::equivalent(resolved, adapter_folder, error))
    throw FileError(config_path.string() + ": base_model_name_or_path names the adapter folder itself");
  return resolved;
}

std::string model_source_of(const std::string& source, std::vector<NamedAdapter>& adapters, const hub::HubOptions& hub) {
  if (!is_adapter_folder(source) || fs::exists(fs::path(source) / "config.json")) return source;
  adapters.insert(adapters.begin(), NamedAdapter{"default", source});
  hub::HubOptions base_hub = hub;
  base_hub.revision = std::nullopt;
  return hub::resolve_model_source(base_model_of(source), base_hub);
}

}  // namespace transformers::peft
