#pragma once
// GPT-2's reversible byte <-> printable char table used by the ByteLevel components, and the
// offset trimming of the ByteLevel / RoBERTa post-processors.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "transformers/tokenizers/encoding.hpp"

namespace transformers::tokenizers::detail {

char32_t byte_to_char(uint8_t byte);
std::optional<uint8_t> char_to_byte(char32_t c);

// The GPT-2 pre-tokenization regex.
inline constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Moves each token's offsets past its leading/trailing spaces ('Ġ' or whitespace), as HF's
// process_offsets does (a single leading space of the first token stays with add_prefix_space).
void trim_byte_level_offsets(Encoding& encoding, bool add_prefix_space);

// Rust's String::from_utf8_lossy: each maximal invalid subsequence becomes one U+FFFD.
std::string utf8_lossy(std::string_view bytes);

}  // namespace transformers::tokenizers::detail
