#pragma once
// Reading tests/fixtures/generation (scripts/make_generation_fixtures.py): JSON files whose floats
// are float32 values, with "inf", "-inf" and "nan" for the non-finite ones.
#include <cmath>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "transformers/core/tensor.hpp"

namespace generation_test {

using nlohmann::json;

inline std::string fixture_path(const std::string& name) {
  return std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/generation/" + name;
}

inline std::string tokenizer_path(const std::string& name) {
  return std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/tokenizers/" + name;
}

inline json load_fixture(const std::string& name) {
  std::ifstream in(fixture_path(name));
  REQUIRE(in.good());
  return json::parse(in);
}

inline float fixture_float(const json& value) {
  if (value.is_number()) return value.get<float>();
  const std::string text = value.get<std::string>();
  if (text == "inf") return std::numeric_limits<float>::infinity();
  if (text == "-inf") return -std::numeric_limits<float>::infinity();
  return std::numeric_limits<float>::quiet_NaN();
}

// A [rows, columns] float matrix.
inline transformers::Tensor float_matrix(const json& rows) {
  std::vector<float> values;
  for (const json& row : rows)
    for (const json& x : row) values.push_back(fixture_float(x));
  const int64_t n = static_cast<int64_t>(rows.size());
  return transformers::Tensor::from_vector(values, {n, n == 0 ? 0 : static_cast<int64_t>(rows[0].size())});
}

inline transformers::Tensor int_matrix(const json& rows) {
  std::vector<int64_t> values;
  for (const json& row : rows)
    for (const json& x : row) values.push_back(x.get<int64_t>());
  const int64_t n = static_cast<int64_t>(rows.size());
  return transformers::Tensor::from_vector(values, {n, n == 0 ? 0 : static_cast<int64_t>(rows[0].size())});
}

inline std::vector<std::vector<int64_t>> int_rows(const transformers::Tensor& t) {
  const std::vector<int64_t> flat = t.to_vector<int64_t>();
  std::vector<std::vector<int64_t>> rows;
  const int64_t columns = t.dim() == 2 ? t.size(1) : 1;
  for (int64_t r = 0; r < t.size(0); ++r)
    rows.emplace_back(flat.begin() + r * columns, flat.begin() + (r + 1) * columns);
  return rows;
}

// Largest difference, with equal infinities and NaNs counting as equal and unequal ones as infinite.
inline double float_difference(const transformers::Tensor& actual, const json& expected_rows) {
  const std::vector<float> a = actual.to_vector<float>();
  std::vector<float> e;
  for (const json& row : expected_rows) {
    if (row.is_array()) {
      for (const json& x : row) e.push_back(fixture_float(x));
    } else {
      e.push_back(fixture_float(row));
    }
  }
  if (a.size() != e.size()) return INFINITY;
  double worst = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(a[i]) || std::isnan(e[i])) {
      if (std::isnan(a[i]) != std::isnan(e[i])) return INFINITY;
    } else if (std::isinf(a[i]) || std::isinf(e[i])) {
      if (a[i] != e[i]) return INFINITY;
    } else {
      worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - e[i]));
    }
  }
  return worst;
}

}  // namespace generation_test
