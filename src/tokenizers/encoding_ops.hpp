#pragma once
// Encoding operations of HF tokenizers: merging sequences, truncation into windows, padding.
#include <cstddef>
#include <optional>
#include <vector>

#include "transformers/tokenizers/encoding.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

namespace transformers::tokenizers::detail {

// Appends `other` to `target`, combining their overflowing windows as HF's merge_with does.
void merge_into(Encoding& target, const Encoding& other);
Encoding merge_all(const std::vector<Encoding>& pieces);
// The same, moving the pieces' token strings.
Encoding merge_all(std::vector<Encoding>&& pieces);

// Keeps the first (or last) `max_length` tokens; the rest becomes overflowing windows of that
// length that overlap by `stride`.
void truncate_encoding(Encoding& encoding, size_t max_length, size_t stride, Side direction);
void truncate_pair(Encoding& first, std::optional<Encoding>& second, const TruncationParams& params);

void pad_encodings(std::vector<Encoding>& encodings, const PaddingParams& params);

}  // namespace transformers::tokenizers::detail
