// Model cards: README.md's YAML front matter read with yaml-cpp, and the license notes.
#include "transformers/hub/model_card.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "hub_internal.hpp"
#include "transformers/core/error.hpp"

namespace transformers::hub {

namespace {

namespace fs = std::filesystem;

// A plain (unquoted) YAML scalar typed as yaml.safe_load types it (YAML 1.1 core: null, booleans,
// integers, floats); quoted scalars stay strings.
nlohmann::json scalar_to_json(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted
  const std::string lower = detail::lowercase(text);
  if (lower.empty() || lower == "~" || lower == "null") return nullptr;
  if (lower == "true" || lower == "yes" || lower == "on") return true;
  if (lower == "false" || lower == "no" || lower == "off") return false;
  try {
    size_t used = 0;
    const long long integer = std::stoll(text, &used, 10);
    if (used == text.size()) return integer;
    const double number = std::stod(text, &used);
    if (used == text.size()) return number;
  } catch (const std::exception&) {
    // not a number
  }
  return text;
}

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: {
      nlohmann::json array = nlohmann::json::array();
      for (const auto& item : node) array.push_back(to_json(item));
      return array;
    }
    case YAML::NodeType::Map: {
      nlohmann::json object = nlohmann::json::object();
      for (const auto& item : node) object[item.first.as<std::string>()] = to_json(item.second);
      return object;
    }
    case YAML::NodeType::Scalar: return scalar_to_json(node);
    default: return nullptr;
  }
}

std::optional<std::string> text_field(const nlohmann::json& metadata, const char* key) {
  if (!metadata.contains(key) || metadata[key].is_null()) return std::nullopt;
  const auto& value = metadata[key];
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

// A field that cards write as one string or as a list of them.
std::vector<std::string> list_field(const nlohmann::json& metadata, const char* key) {
  std::vector<std::string> values;
  if (!metadata.contains(key)) return values;
  const auto& value = metadata[key];
  if (value.is_array()) {
    for (const auto& item : value) {
      if (item.is_string()) {
        values.push_back(item.get<std::string>());
      } else if (!item.is_null()) {
        values.push_back(item.dump());
      }
    }
  } else if (value.is_string()) {
    values.push_back(value.get<std::string>());
  } else if (!value.is_null()) {
    values.push_back(value.dump());
  }
  return values;
}

// huggingface_hub's REGEX_YAML_BLOCK: optional blank space, a "---" line, the YAML, a "---" line.
// Returns the YAML, the text after the block and the line the YAML starts on.
std::optional<std::tuple<std::string, std::string, int>> split_front_matter(const std::string& content) {
  size_t start = 0;
  while (start < content.size() && std::isspace(static_cast<unsigned char>(content[start]))) ++start;
  if (content.compare(start, 3, "---") != 0) return std::nullopt;
  size_t yaml_begin = start + 3;
  if (yaml_begin >= content.size() || (content[yaml_begin] != '\n' && content[yaml_begin] != '\r')) return std::nullopt;
  while (yaml_begin < content.size() && (content[yaml_begin] == '\n' || content[yaml_begin] == '\r')) ++yaml_begin;
  const int first_line = 1 + int(std::count(content.begin(), content.begin() + long(yaml_begin), '\n'));
  for (size_t line = yaml_begin; line < content.size();) {
    size_t end = content.find('\n', line);
    if (end == std::string::npos) end = content.size();
    std::string text = content.substr(line, end - line);
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text == "---") {
      std::string rest = end < content.size() ? content.substr(end + 1) : std::string();
      return std::make_tuple(content.substr(yaml_begin, line - yaml_begin), rest, first_line);
    }
    line = end + 1;
  }
  return std::nullopt;
}

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// Licenses the Hub lists whose terms restrict who may use the model or how.
std::optional<std::string> restriction(const std::string& license) {
  const std::string id = detail::lowercase(license);
  if (starts_with(id, "llama") || starts_with(id, "gemma") || id == "deepfloyd-if-license" || starts_with(id, "apple-"))
    return "a custom license with use restrictions and conditions (an acceptable-use policy)";
  if (starts_with(id, "cc-by-nc")) return "non-commercial use only";
  if (starts_with(id, "cc-by-nd")) return "no derivatives may be shared";
  if (id.find("openrail") != std::string::npos || id.find("-rail-") != std::string::npos)
    return "a Responsible AI License: use-based restrictions apply and must be passed on";
  if (id == "other") return "a license not on the Hub's list";
  if (id == "unknown") return "unknown terms";
  return std::nullopt;
}

}  // namespace

ModelCard parse_model_card(const std::string& content, const std::string& source) {
  ModelCard card;
  const auto block = split_front_matter(content);
  if (!block) {
    card.text = content;
    return card;
  }
  const auto& [yaml, rest, first_line] = *block;
  card.text = rest;
  card.has_metadata = true;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    throw FileError("the model card '" + source + "' has malformed YAML metadata at line " +
                    std::to_string(first_line + e.mark.line) + ", column " + std::to_string(e.mark.column + 1) + ": " +
                    e.msg + "; fix the block between the two '---' lines at the top");
  }
  if (root.IsNull()) return card;
  if (!root.IsMap()) {
    throw FileError("the model card '" + source + "' has YAML metadata that is not a mapping of keys to values " +
                    "(the block between the two '---' lines at the top should read like \"license: mit\")");
  }
  try {
    card.metadata = to_json(root);
  } catch (const YAML::Exception& e) {
    throw FileError("the model card '" + source + "' has YAML metadata that can't be read: " + e.msg);
  }
  const auto& m = card.metadata;
  card.license = text_field(m, "license");
  card.license_name = text_field(m, "license_name");
  card.license_link = text_field(m, "license_link");
  card.pipeline_tag = text_field(m, "pipeline_tag");
  card.library_name = text_field(m, "library_name");
  card.base_model = list_field(m, "base_model");
  card.tags = list_field(m, "tags");
  card.datasets = list_field(m, "datasets");
  card.language = list_field(m, "language");
  card.metrics = list_field(m, "metrics");
  card.gated = text_field(m, "gated");
  if (card.gated == "false") card.gated.reset();
  // Cards written as "extra_gated_prompt: ..." are gated too.
  if (!card.gated && (m.contains("extra_gated_prompt") || m.contains("extra_gated_fields"))) card.gated = "true";
  return card;
}

ModelCard read_model_card(const std::string& path) {
  std::error_code ec;
  fs::path file = path;
  if (fs::is_directory(file, ec)) {
    file /= "README.md";
    if (!fs::exists(file, ec)) return {};
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FileError("cannot read the model card '" + file.string() + "'");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_model_card(buffer.str(), file.string());
}

std::optional<std::string> license_note(const ModelCard& card) {
  std::string note;
  if (card.license) {
    if (auto why = restriction(*card.license)) {
      note = "license '" + *card.license + "'" + (card.license_name ? " (" + *card.license_name + ")" : "") + ": " +
             *why + ". Read it before using the model" + (card.license_link ? ": " + *card.license_link : "") + ".";
    }
  }
  if (card.gated) {
    note += std::string(note.empty() ? "" : " ") +
            "The repo is gated: its authors ask users to accept conditions on the Hub before downloading.";
  }
  if (note.empty()) return std::nullopt;
  return note;
}

}  // namespace transformers::hub
