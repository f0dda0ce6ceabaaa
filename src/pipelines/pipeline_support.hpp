#pragma once
// What the token, span, mask and NLI pipelines share: numpy's softmax, Python's str slicing and
// lower() on UTF-8 text (offsets count code points), and reading kwargs.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace transformers::pipelines {

// Softmax with max subtraction (numpy's form in the Python pipelines), in double.
std::vector<double> softmax(const std::vector<double>& logits);

// Python's text[start:end] and len(text) where text is UTF-8 and positions count code points.
std::string slice_chars(std::string_view text, size_t start, size_t end);
size_t char_count(std::string_view text);
// Python's str.lower().
std::string lower(std::string_view text);

// Reads an optional integer / boolean kwarg with a default.
size_t size_kwarg(const nlohmann::json& kwargs, const char* name, size_t fallback);
bool bool_kwarg(const nlohmann::json& kwargs, const char* name, bool fallback);

}  // namespace transformers::pipelines
