#pragma once
// The dtype strings a safetensors header may hold, with what each means to us.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "transformers/core/dtype.hpp"

namespace transformers::safetensors::detail {

struct FileDType {
  std::string_view name;        // as written in headers: "F32", "BF16", "F8_E4M3", ...
  uint32_t bits;                // per element; sub-byte types are packed
  int rank;                     // position in the reference enum; the writer orders by it, descending
  std::optional<DType> native;  // the tensor dtype that can borrow these bytes as they are
};

// The entry for a header dtype string, or nullptr when the string is not a safetensors dtype.
const FileDType* find_file_dtype(std::string_view name);

// The entry a tensor of this dtype is written as.
const FileDType& file_dtype_of(DType dtype);

}  // namespace transformers::safetensors::detail
