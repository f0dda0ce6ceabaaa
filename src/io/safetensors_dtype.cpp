#include "safetensors_dtype.hpp"

#include <array>

namespace transformers::safetensors::detail {

namespace {

// In the order the reference `enum Dtype` declares them: that order is the writer's sort key, so
// keeping it here lets save() lay out files byte for byte as the reference writer does.
constexpr std::array<FileDType, 22> kFileDTypes{{
    {"BOOL", 8, 0, DType::Bool},
    {"F4", 4, 1, std::nullopt},
    {"F6_E2M3", 6, 2, std::nullopt},
    {"F6_E3M2", 6, 3, std::nullopt},
    {"U8", 8, 4, DType::U8},
    {"I8", 8, 5, DType::I8},
    {"F8_E5M2", 8, 6, std::nullopt},
    {"F8_E4M3", 8, 7, std::nullopt},
    {"F8_E8M0", 8, 8, std::nullopt},
    {"F8_E4M3FNUZ", 8, 9, std::nullopt},
    {"F8_E5M2FNUZ", 8, 10, std::nullopt},
    {"I16", 16, 11, DType::I16},
    {"U16", 16, 12, std::nullopt},
    {"F16", 16, 13, DType::F16},
    {"BF16", 16, 14, DType::BF16},
    {"I32", 32, 15, DType::I32},
    {"U32", 32, 16, std::nullopt},
    {"F32", 32, 17, DType::F32},
    {"C64", 64, 18, std::nullopt},
    {"F64", 64, 19, DType::F64},
    {"I64", 64, 20, DType::I64},
    {"U64", 64, 21, std::nullopt},
}};

}  // namespace

const FileDType* find_file_dtype(std::string_view name) {
  for (const FileDType& entry : kFileDTypes)
    if (entry.name == name) return &entry;
  return nullptr;
}

const FileDType& file_dtype_of(DType dtype) {
  for (const FileDType& entry : kFileDTypes)
    if (entry.native == dtype) return entry;
  throw InvalidArgument(std::string("safetensors: no file dtype for ") + dtype_name(dtype));
}

}  // namespace transformers::safetensors::detail
