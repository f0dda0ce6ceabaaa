// transformers-cli download / scan-cache / delete-cache / info: the Hub client and its cache from the
// command line, printing what huggingface_hub's `hf download` and `hf cache scan` print.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <transformers/core/shape.hpp>
#include <transformers/hub/hub.hpp>
#include <transformers/hub/model_card.hpp>
#include <transformers/io/safetensors.hpp>

#include "command_line.hpp"
#include "commands.hpp"

namespace transformers::cli {
namespace {

namespace fs = std::filesystem;

// huggingface_hub's _format_size: "1.2M", "523.0K", "12.0" (powers of 1000).
std::string format_size(uint64_t bytes) {
  double size = double(bytes);
  const char* units[] = {"", "K", "M", "G", "T", "P"};
  int unit = 0;
  while (size >= 1000 && unit < 5) {
    size /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%s", size, units[unit]);
  return text;
}

std::string format_count(uint64_t count) {
  char text[32];
  if (count >= 1000000000) {
    std::snprintf(text, sizeof text, "%.2fB", double(count) / 1e9);
  } else if (count >= 1000000) {
    std::snprintf(text, sizeof text, "%.1fM", double(count) / 1e6);
  } else if (count >= 1000) {
    std::snprintf(text, sizeof text, "%.1fK", double(count) / 1e3);
  } else {
    std::snprintf(text, sizeof text, "%llu", static_cast<unsigned long long>(count));
  }
  return text;
}

std::string join(const std::vector<std::string>& items, const std::string& separator = ", ") {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : separator) + item;
  return text;
}

// Options every hub command shares.
hub::HubOptions hub_options(const CommandLine& line) {
  hub::HubOptions options;
  options.cache_dir = line.value("cache-dir");
  options.revision = line.value("revision");
  options.token = line.value("token");
  options.quiet = line.has("quiet");
  return options;
}

std::string only_model(const CommandLine& line) {
  if (line.positionals().size() != 1) throw UsageError("expected one MODEL (a Hub repo id or a local folder)");
  return line.positionals().front();
}

// Prints rows with each column as wide as its widest cell.
void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 1, ' ');
    }
    std::cout << line << "\n";
  }
}

// --- info --------------------------------------------------------------------------------------------

void print_card(const hub::ModelCard& card) {
  auto field = [](const char* name, const std::string& value) {
    if (!value.empty()) std::cout << "  " << name << ": " << value << "\n";
  };
  std::cout << "model card:\n";
  if (!card.has_metadata) std::cout << "  (no metadata block in README.md)\n";
  field("license", card.license.value_or("") + (card.license_name ? " (" + *card.license_name + ")" : ""));
  field("pipeline_tag", card.pipeline_tag.value_or(""));
  field("library_name", card.library_name.value_or(""));
  field("base_model", join(card.base_model));
  field("language", join(card.language));
  field("datasets", join(card.datasets));
  field("tags", join(card.tags));
  field("gated", card.gated.value_or(""));
  if (auto note = hub::license_note(card)) std::cout << "\nNOTE: " << *note << "\n";
}

void print_config(const fs::path& folder) {
  const fs::path config_path = folder / "config.json";
  if (!fs::exists(config_path)) return;
  std::ifstream in(config_path);
  const nlohmann::json config = nlohmann::json::parse(in, nullptr, false);
  if (!config.is_object()) {
    std::cout << "\nconfig.json: not valid JSON\n";
    return;
  }
  std::cout << "\nconfig:\n";
  for (const char* key : {"architectures", "model_type", "torch_dtype", "dtype", "hidden_size", "num_hidden_layers",
                          "num_attention_heads", "vocab_size", "max_position_embeddings"}) {
    if (config.contains(key) && !config[key].is_null()) std::cout << "  " << key << ": " << config[key].dump() << "\n";
  }
}

void print_parameters(const fs::path& folder) {
  if (!fs::exists(folder / "model.safetensors") && !fs::exists(folder / "model.safetensors.index.json")) return;
  std::optional<safetensors::Checkpoint> opened;
  try {
    opened = safetensors::Checkpoint::open(folder.string());
  } catch (const Error& e) {  // still worth showing the files
    std::cout << "\nparameters: unknown, the weights can't be read: " << e.what() << "\n";
    return;
  }
  const auto& checkpoint = *opened;
  uint64_t total = 0;
  std::map<std::string, uint64_t> by_dtype;
  for (const auto& name : checkpoint.names()) {
    const auto& info = checkpoint.info(name);
    const auto count = uint64_t(shape_numel(info.shape));
    total += count;
    by_dtype[info.dtype] += count;
  }
  std::vector<std::string> dtypes;
  for (const auto& [dtype, count] : by_dtype) dtypes.push_back(dtype + " " + format_count(count));
  std::cout << "\nparameters: " << format_count(total) << " (" << total << ") in " << checkpoint.names().size()
            << " tensors; " << join(dtypes) << "\n";
}

void print_files(const fs::path& folder) {
  std::vector<std::vector<std::string>> rows;
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(folder, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!fs::is_regular_file(it->path(), ec)) continue;  // follows the snapshot's links
    const uint64_t size = fs::file_size(it->path(), ec);
    total += size;
    rows.push_back({"  " + it->path().lexically_relative(folder).string(), format_size(size)});
  }
  std::sort(rows.begin(), rows.end());
  std::cout << "\nfiles (" << rows.size() << ", " << format_size(total) << ") in " << folder.string() << ":\n";
  print_table(rows);
}

int run_download(const CommandLine& line) {
  hub::HubOptions options = hub_options(line);
  options.repo_type = line.value_or("repo-type", "model");
  std::cout << hub::snapshot_download(only_model(line), options, line.values("include")) << "\n";
  return 0;
}

int run_scan_cache(const CommandLine& line) {
  if (!line.positionals().empty()) throw UsageError("scan-cache takes no positional argument");
  const std::string cache = line.value_or("cache-dir", hub::default_cache_dir());
  std::vector<std::string> warnings;
  const auto repos = hub::scan_cache(cache, &warnings);
  std::vector<std::vector<std::string>> rows{
      {"REPO ID", "REPO TYPE", "REVISION", "SIZE ON DISK", "NB FILES", "REFS", "LOCAL PATH"}};
  uint64_t total = 0;
  for (const auto& repo : repos) {
    total += repo.size_on_disk;
    rows.push_back({repo.repo_id, repo.repo_type, "", format_size(repo.size_on_disk), std::to_string(repo.nb_files), "",
                    repo.path});
    for (const auto& revision : repo.revisions) {
      rows.push_back({"", "", revision.commit, format_size(revision.size_on_disk),
                      std::to_string(revision.files.size()), join(revision.refs), revision.snapshot_path});
    }
  }
  print_table(rows);
  std::cout << "\nScanned " << repos.size() << " repo(s) in " << cache << " for a total of " << format_size(total)
            << ".\n";
  for (const auto& warning : warnings) std::cerr << "warning: " << warning << "\n";
  return 0;
}

int run_delete_cache(const CommandLine& line) {
  const std::string repo_id = only_model(line);
  const std::string cache = line.value_or("cache-dir", hub::default_cache_dir());
  const std::string repo_type = line.value_or("repo-type", "model");
  std::vector<std::string> revisions;
  uint64_t before = 0;
  for (const auto& repo : hub::scan_cache(cache)) {
    if (repo.repo_id != repo_id || repo.repo_type != repo_type) continue;
    before = repo.size_on_disk;
    for (const auto& revision : repo.revisions) revisions.push_back(revision.commit);
  }
  if (auto revision = line.value("revision")) revisions = {*revision};
  if (revisions.empty()) {
    std::cerr << "transformers-cli delete-cache: '" << repo_id << "' (" << repo_type << ") is not in the cache "
              << cache << "\n";
    return 1;
  }
  for (const auto& revision : revisions) {
    hub::delete_cached_revision(repo_id, revision, cache, repo_type);
    std::cout << "deleted " << repo_id << " revision " << revision << "\n";
  }
  uint64_t after = 0;
  for (const auto& repo : hub::scan_cache(cache)) {
    if (repo.repo_id == repo_id && repo.repo_type == repo_type) after = repo.size_on_disk;
  }
  std::cout << "freed " << format_size(before > after ? before - after : 0) << "\n";
  return 0;
}

int run_info(const CommandLine& line) {
  const std::string model = only_model(line);
  const hub::HubOptions options = hub_options(line);
  const fs::path folder = hub::resolve_model_path(model, options);
  std::cout << model << "\n\n";
  std::error_code ec;
  if (fs::is_directory(model, ec)) {
    if (fs::exists(fs::path(model) / "README.md", ec)) {
      print_card(hub::read_model_card(model));
    } else {
      std::cout << "model card: none (no README.md)\n";
    }
  } else if (auto readme = hub::try_hub_file(model, "README.md", options)) {
    print_card(hub::read_model_card(*readme));
  } else {
    std::cout << "model card: none (no README.md)\n";
  }
  print_config(folder);
  print_parameters(folder);
  print_files(folder);
  return 0;
}

// Options the Hub commands share.
OptionSpec revision_option() { return {"revision", "R", "branch, tag or commit", "main"}; }
OptionSpec cache_dir_option() {
  return {"cache-dir", "DIR", "the Hugging Face cache", "$HF_HUB_CACHE, else $HF_HOME/hub"};
}
OptionSpec token_option() {
  return {"token", "TOKEN", "Hub access token", "$HF_TOKEN, else the `hf auth login` token file"};
}
OptionSpec quiet_option() { return {"quiet", "", "no progress bar"}; }
OptionSpec repo_type_option() { return {"repo-type", "TYPE", "model, dataset or space", "model"}; }

}  // namespace

Command download_command() {
  return {"download",
          "MODEL",
          "download a Hub repo's files (all, or those matching --include) into the cache and print the snapshot folder",
          {revision_option(),
           {"include", "GLOB", "download only files matching GLOB (fnmatch, as huggingface_hub)", "every file", true},
           cache_dir_option(),
           token_option(),
           quiet_option(),
           repo_type_option()},
          run_download};
}

Command scan_cache_command() {
  return {"scan-cache",
          "",
          "list the repos and revisions in the Hugging Face cache with their sizes",
          {cache_dir_option()},
          run_scan_cache};
}

Command delete_cache_command() {
  return {
      "delete-cache",
      "MODEL",
      "delete a cached repo (every revision, or only R) and the blobs no other revision uses",
      {{"revision", "R", "delete only this revision", "every cached revision"}, cache_dir_option(), repo_type_option()},
      run_delete_cache};
}

Command info_command() {
  return {"info",
          "MODEL",
          "show a model's card (license, tags, ...), config summary, parameter count and files",
          {revision_option(), cache_dir_option(), token_option(), quiet_option()},
          run_info};
}

}  // namespace transformers::cli
