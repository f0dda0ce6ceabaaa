#pragma once
// The Python pipeline calls recorded by scripts/make_pipeline_fixtures.py (one JSON object per
// line: inputs, kwargs, output or error) and the comparison every replay uses.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace recorded {

inline const std::filesystem::path kFixtures = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "pipelines";

inline std::vector<nlohmann::json> read_lines(const std::filesystem::path& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// Same structure, same strings, numbers within tolerance.
inline void require_equal(const nlohmann::json& ours, const nlohmann::json& theirs, double tolerance,
                          const std::string& where = "$") {
  INFO("at " << where << ": ours " << ours.dump().substr(0, 200) << " vs python " << theirs.dump().substr(0, 200));
  if (theirs.is_number()) {
    REQUIRE(ours.is_number());
    REQUIRE(std::fabs(ours.get<double>() - theirs.get<double>()) <= tolerance);
  } else if (theirs.is_array()) {
    REQUIRE(ours.is_array());
    REQUIRE(ours.size() == theirs.size());
    for (size_t i = 0; i < theirs.size(); ++i)
      require_equal(ours[i], theirs[i], tolerance, where + "[" + std::to_string(i) + "]");
  } else if (theirs.is_object()) {
    REQUIRE(ours.is_object());
    REQUIRE(ours.size() == theirs.size());
    for (auto& [key, value] : theirs.items()) {
      REQUIRE(ours.contains(key));
      require_equal(ours[key], value, tolerance, where + "." + key);
    }
  } else {
    REQUIRE(ours == theirs);
  }
}

}  // namespace recorded
