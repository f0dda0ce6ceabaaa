#pragma once
// Values written as Python's repr() writes them, so that error messages carry transformers' text
// exactly: floats (0.5, 1e-05, 2.0), lists of ints ([[1, 2], [3]]) and strings ('never').
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace transformers::generation_detail {

// repr(float): the shortest digits that round-trip, in fixed notation for exponents -4 .. 15 and
// scientific otherwise, always with a decimal point or an exponent.
inline std::string python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string text(buffer, result.ptr);
  const size_t e = text.find('e');
  const bool negative = text[0] == '-';
  std::string digits;
  for (size_t i = negative ? 1 : 0; i < e; ++i)
    if (text[i] != '.') digits += text[i];
  const int exponent = std::stoi(text.substr(e + 1));
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const std::string magnitude = std::to_string(std::abs(exponent));
    return out + (exponent < 0 ? "e-" : "e+") + (magnitude.size() < 2 ? "0" : "") + magnitude;
  }
  if (exponent < 0) return out + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
  const size_t integer_digits = static_cast<size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) return out + digits + std::string(integer_digits - digits.size(), '0') + ".0";
  return out + digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
}

inline std::string python_list(const std::vector<int64_t>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + std::to_string(values[i]);
  return out + "]";
}

inline std::string python_list(const std::vector<std::vector<int64_t>>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + python_list(values[i]);
  return out + "]";
}

// repr(torch.tensor(values)) of a short 1-D int64 tensor: tensor([ 2, -1]), values right-aligned.
inline std::string torch_tensor(const std::vector<int64_t>& values) {
  size_t width = 0;
  for (int64_t v : values) width = std::max(width, std::to_string(v).size());
  std::string out = "tensor([";
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string text = std::to_string(values[i]);
    out += (i ? ", " : "") + std::string(width - text.size(), ' ') + text;
  }
  return out + "])";
}

}  // namespace transformers::generation_detail
