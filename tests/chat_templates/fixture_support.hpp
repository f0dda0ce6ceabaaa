#pragma once
// Reading tests/fixtures/chat_templates (written by scripts/make_chat_template_fixtures.py): files,
// JSONL rows, the fixed date strftime_now() read, and the kind of error a render raised, named as
// Python names it.
#include <chrono>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/chat_templates/template.hpp"

namespace chat_template_fixtures {

inline std::string folder() { return std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/chat_templates"; }

inline std::string read_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

inline std::vector<nlohmann::ordered_json> read_jsonl(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::vector<nlohmann::ordered_json> rows;
  for (std::string line; std::getline(file, line);)
    if (!line.empty()) rows.push_back(nlohmann::ordered_json::parse(line));
  return rows;
}

// 2024-07-26 12:00 local time, as the fixtures script's datetime.now() returns it.
inline transformers::chat_templates::RenderOptions fixed_date() {
  std::tm local{};
  local.tm_year = 2024 - 1900;
  local.tm_mon = 6;
  local.tm_mday = 26;
  local.tm_hour = 12;
  local.tm_isdst = -1;
  transformers::chat_templates::RenderOptions options;
  options.now = std::chrono::system_clock::from_time_t(std::mktime(&local));
  return options;
}

// The Python exception class a failure corresponds to: a TemplateError's python_type(), or the
// "ValueError: ..." / "TypeError: ..." prefix render_conversation gives its InvalidArgument.
inline std::string error_kind(const std::exception& error) {
  if (const auto* template_error = dynamic_cast<const transformers::chat_templates::TemplateError*>(&error))
    return template_error->python_type();
  const std::string what = error.what();
  const size_t colon = what.find(':');
  return colon == std::string::npos ? what : what.substr(0, colon);
}

}  // namespace chat_template_fixtures
