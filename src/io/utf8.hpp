#pragma once
#include <cstddef>
#include <string_view>

namespace transformers::detail {

// The offset of the first byte that does not start a well-formed UTF-8 sequence (overlong forms,
// surrogates and code points past U+10FFFF are ill-formed, as in Rust's str::from_utf8), or
// std::string_view::npos when every byte is well-formed.
size_t find_invalid_utf8(std::string_view bytes);

}  // namespace transformers::detail
