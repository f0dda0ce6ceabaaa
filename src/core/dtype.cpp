#include <algorithm>
#include <cctype>
#include <string>

#include "transformers/core/device.hpp"
#include "transformers/core/dtype.hpp"

namespace transformers {

DType parse_dtype(std::string_view name) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s.rfind("torch.", 0) == 0) s = s.substr(6);
  if (s == "float32" || s == "float" || s == "f32" || s == "fp32") return DType::F32;
  if (s == "float16" || s == "half" || s == "f16" || s == "fp16") return DType::F16;
  if (s == "bfloat16" || s == "bf16") return DType::BF16;
  if (s == "float64" || s == "double" || s == "f64") return DType::F64;
  if (s == "int64" || s == "long" || s == "i64") return DType::I64;
  if (s == "int32" || s == "int" || s == "i32") return DType::I32;
  if (s == "int16" || s == "short" || s == "i16") return DType::I16;
  if (s == "int8" || s == "i8") return DType::I8;
  if (s == "uint8" || s == "u8") return DType::U8;
  if (s == "bool") return DType::Bool;
  throw InvalidArgument("unknown dtype '" + std::string(name) +
                        "' (expected float32, float16, bfloat16, float64, int64, int32, int16, int8, "
                        "uint8 or bool)");
}

std::optional<DType> parse_model_dtype(std::string_view name) {
  if (name == "auto") return std::nullopt;
  const DType dtype = parse_dtype(name);
  if (dtype != DType::F32 && dtype != DType::BF16 && dtype != DType::F16)
    throw InvalidArgument("a model's dtype must be \"auto\", float32, bfloat16 or float16, got '" + std::string(name) +
                          "'");
  return dtype;
}

Device::Device(const std::string& spec) {
  if (spec == "cpu") {
    *this = Device::cpu();
  } else if (spec == "cuda") {
    *this = Device::cuda(0);
  } else if (spec.rfind("cuda:", 0) == 0 && spec.size() > 5 &&
             std::all_of(spec.begin() + 5, spec.end(), [](unsigned char c) { return std::isdigit(c); })) {
    *this = Device::cuda(std::stoi(spec.substr(5)));
  } else {
    throw InvalidArgument("unknown device '" + spec + "' (expected cpu, cuda or cuda:N)");
  }
}

}  // namespace transformers
