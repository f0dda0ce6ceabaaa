#include "pipeline_support.hpp"

#include <algorithm>
#include <cmath>

#include "../tokenizers/unicode.hpp"
#include "transformers/core/error.hpp"

namespace transformers::pipelines {

std::vector<double> softmax(const std::vector<double>& logits) {
  std::vector<double> out(logits);
  if (out.empty()) return out;
  const double max = *std::max_element(out.begin(), out.end());
  double total = 0.0;
  for (double& v : out) total += (v = std::exp(v - max));
  for (double& v : out) v /= total;
  return out;
}

namespace {

// Byte position of code point `index` (the end of the text when past it).
size_t byte_of_char(std::string_view text, size_t index) {
  size_t at = 0;
  for (size_t chars = 0; at < text.size() && chars < index; ++chars) {
    size_t length = 1;
    tokenizers::detail::decode_utf8(text, at, length);
    at += length;
  }
  return at;
}

}  // namespace

std::string slice_chars(std::string_view text, size_t start, size_t end) {
  if (end <= start) return "";
  const size_t from = byte_of_char(text, start);
  const size_t to = from + byte_of_char(text.substr(from), end - start);
  return std::string(text.substr(from, to - from));
}

size_t char_count(std::string_view text) { return tokenizers::detail::count_chars(text); }

std::string lower(std::string_view text) {
  std::string out;
  for (char32_t c : tokenizers::detail::to_code_points(text))
    for (char32_t l : tokenizers::detail::to_lowercase(c)) tokenizers::detail::append_utf8(out, l);
  return out;
}

size_t size_kwarg(const nlohmann::json& kwargs, const char* name, size_t fallback) {
  if (!kwargs.contains(name) || kwargs[name].is_null()) return fallback;
  const int64_t value = kwargs[name].get<int64_t>();
  if (value < 0) throw InvalidArgument(std::string(name) + " must not be negative");
  return static_cast<size_t>(value);
}

bool bool_kwarg(const nlohmann::json& kwargs, const char* name, bool fallback) {
  return kwargs.contains(name) && !kwargs[name].is_null() ? kwargs[name].get<bool>() : fallback;
}

}  // namespace transformers::pipelines
