#include "encoding_ops.hpp"

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "transformers/core/error.hpp"

namespace transformers::tokenizers::detail {

namespace {

template <typename T>
void append(std::vector<T>& target, const std::vector<T>& more) {
  target.insert(target.end(), more.begin(), more.end());
}

void concatenate(Encoding& target, const Encoding& other) {
  append(target.ids, other.ids);
  append(target.type_ids, other.type_ids);
  append(target.tokens, other.tokens);
  append(target.offsets, other.offsets);
  append(target.special_tokens_mask, other.special_tokens_mask);
  append(target.attention_mask, other.attention_mask);
  append(target.word_ids, other.word_ids);
  append(target.sequence_ids, other.sequence_ids);
}

template <typename T>
std::vector<T> slice(const std::vector<T>& values, size_t start, size_t stop) {
  return std::vector<T>(values.begin() + static_cast<std::ptrdiff_t>(start),
                        values.begin() + static_cast<std::ptrdiff_t>(stop));
}

Encoding window(const Encoding& encoding, size_t start, size_t stop) {
  Encoding part;
  part.ids = slice(encoding.ids, start, stop);
  part.type_ids = slice(encoding.type_ids, start, stop);
  part.tokens = slice(encoding.tokens, start, stop);
  part.offsets = slice(encoding.offsets, start, stop);
  part.special_tokens_mask = slice(encoding.special_tokens_mask, start, stop);
  part.attention_mask = slice(encoding.attention_mask, start, stop);
  part.word_ids = slice(encoding.word_ids, start, stop);
  part.sequence_ids = slice(encoding.sequence_ids, start, stop);
  return part;
}

// The [start, stop) windows truncation cuts, the kept one first.
std::vector<std::pair<size_t, size_t>> window_ranges(size_t length, size_t max_length, size_t stride, Side direction) {
  const size_t step = max_length - stride;
  std::vector<std::pair<size_t, size_t>> ranges;
  if (direction == Side::Right) {
    for (size_t start = 0; start < length; start += step) {
      const size_t stop = std::min(start + max_length, length);
      ranges.emplace_back(start, stop);
      if (stop == length) break;
    }
  } else {
    for (size_t last = length; last > 0;) {
      const size_t stop = last;
      const size_t start = stop > max_length ? stop - max_length : 0;
      ranges.emplace_back(start, stop);
      if (start == 0 || stop <= step) break;
      last = stop - step;
    }
  }
  return ranges;
}

template <typename T>
void pad_values(std::vector<T>& values, size_t count, const T& value, Side direction) {
  values.insert(direction == Side::Left ? values.begin() : values.end(), count, value);
}

void pad_encoding(Encoding& encoding, size_t length, const PaddingParams& params) {
  for (Encoding& overflow : encoding.overflowing) pad_encoding(overflow, length, params);
  if (encoding.ids.size() >= length) return;
  const size_t count = length - encoding.ids.size();
  const Side side = params.direction;
  pad_values(encoding.ids, count, params.pad_id, side);
  pad_values(encoding.type_ids, count, params.pad_type_id, side);
  pad_values(encoding.tokens, count, params.pad_token, side);
  pad_values(encoding.offsets, count, CharOffsets{0, 0}, side);
  pad_values(encoding.special_tokens_mask, count, int64_t{1}, side);
  pad_values(encoding.attention_mask, count, int64_t{0}, side);
  pad_values(encoding.word_ids, count, std::optional<int64_t>{}, side);
  pad_values(encoding.sequence_ids, count, std::optional<int64_t>{}, side);
}

}  // namespace

void merge_into(Encoding& target, const Encoding& other) {
  // Every overflowing window of either side is combined with the other side, as HF does.
  std::vector<Encoding> overflowing;
  for (const Encoding& own : target.overflowing) {
    Encoding combined = own;
    merge_into(combined, other);
    overflowing.push_back(std::move(combined));
    for (const Encoding& theirs : other.overflowing) {
      Encoding also = own;
      merge_into(also, theirs);
      overflowing.push_back(std::move(also));
    }
  }
  for (const Encoding& theirs : other.overflowing) {
    Encoding combined = target;
    merge_into(combined, theirs);
    overflowing.push_back(std::move(combined));
  }
  concatenate(target, other);
  target.overflowing = std::move(overflowing);
}

namespace {

// An empty encoding with room in every column for all of `pieces`' tokens.
Encoding reserved_for(const std::vector<Encoding>& pieces) {
  size_t total = 0;
  for (const Encoding& piece : pieces) total += piece.ids.size();
  Encoding merged;
  merged.ids.reserve(total);
  merged.type_ids.reserve(total);
  merged.tokens.reserve(total);
  merged.offsets.reserve(total);
  merged.special_tokens_mask.reserve(total);
  merged.attention_mask.reserve(total);
  merged.word_ids.reserve(total);
  merged.sequence_ids.reserve(total);
  return merged;
}

}  // namespace

Encoding merge_all(const std::vector<Encoding>& pieces) {
  Encoding merged = reserved_for(pieces);
  for (const Encoding& piece : pieces) merge_into(merged, piece);
  return merged;
}

Encoding merge_all(std::vector<Encoding>&& pieces) {
  for (const Encoding& piece : pieces)
    if (!piece.overflowing.empty()) return merge_all(static_cast<const std::vector<Encoding>&>(pieces));
  if (pieces.size() == 1) return std::move(pieces[0]);
  Encoding merged = reserved_for(pieces);
  for (Encoding& piece : pieces) {
    append(merged.ids, piece.ids);
    append(merged.type_ids, piece.type_ids);
    merged.tokens.insert(merged.tokens.end(), std::make_move_iterator(piece.tokens.begin()),
                         std::make_move_iterator(piece.tokens.end()));
    append(merged.offsets, piece.offsets);
    append(merged.special_tokens_mask, piece.special_tokens_mask);
    append(merged.attention_mask, piece.attention_mask);
    append(merged.word_ids, piece.word_ids);
    append(merged.sequence_ids, piece.sequence_ids);
  }
  return merged;
}

void truncate_encoding(Encoding& encoding, size_t max_length, size_t stride, Side direction) {
  const size_t length = encoding.ids.size();
  if (max_length >= length) return;
  if (max_length == 0) {
    Encoding everything = std::move(encoding);
    encoding = Encoding{};
    encoding.overflowing.push_back(std::move(everything));
    return;
  }
  if (stride >= max_length)
    throw InvalidArgument("tokenizer truncation: stride (" + std::to_string(stride) +
                          ") must be strictly less than the length left for the sequence (" +
                          std::to_string(max_length) + ", after subtracting special tokens)");
  const auto ranges = window_ranges(length, max_length, stride, direction);
  Encoding kept = window(encoding, ranges[0].first, ranges[0].second);
  for (size_t i = 1; i < ranges.size(); ++i)
    kept.overflowing.push_back(window(encoding, ranges[i].first, ranges[i].second));
  encoding = std::move(kept);
}

void truncate_pair(Encoding& first, std::optional<Encoding>& second, const TruncationParams& params) {
  if (params.max_length == 0) {
    truncate_encoding(first, 0, params.stride, params.direction);
    if (second) truncate_encoding(*second, 0, params.stride, params.direction);
    return;
  }
  const size_t total = first.ids.size() + (second ? second->ids.size() : 0);
  if (total <= params.max_length) return;
  const size_t to_remove = total - params.max_length;
  if (params.strategy == TruncationStrategy::LongestFirst) {
    if (!second) {
      truncate_encoding(first, total - to_remove, params.stride, params.direction);
      return;
    }
    // The shorter sequence keeps what it can (at most half); the longer gets the rest.
    size_t shorter = first.ids.size(), longer = second->ids.size();
    const bool swapped = shorter > longer;
    if (swapped) std::swap(shorter, longer);
    longer = shorter > params.max_length ? shorter : std::max(shorter, params.max_length - shorter);
    if (shorter + longer > params.max_length) {
      shorter = params.max_length / 2;
      longer = shorter + params.max_length % 2;
    }
    if (swapped) std::swap(shorter, longer);
    truncate_encoding(first, shorter, params.stride, params.direction);
    truncate_encoding(*second, longer, params.stride, params.direction);
    return;
  }
  const bool only_first = params.strategy == TruncationStrategy::OnlyFirst;
  if (!only_first && !second) throw InvalidArgument("tokenizer truncation: only_second needs a pair of sequences");
  Encoding& target = only_first ? first : *second;
  if (target.ids.size() <= to_remove)
    throw InvalidArgument("tokenizer truncation: the " + std::string(only_first ? "first" : "second") +
                          " sequence is too short to remove " + std::to_string(to_remove) + " tokens");
  truncate_encoding(target, target.ids.size() - to_remove, params.stride, params.direction);
}

void pad_encodings(std::vector<Encoding>& encodings, const PaddingParams& params) {
  if (encodings.empty()) return;
  size_t length = 0;
  if (params.fixed_length) {
    length = *params.fixed_length;
  } else {
    for (const Encoding& encoding : encodings) length = std::max(length, encoding.ids.size());
  }
  if (params.pad_to_multiple_of && *params.pad_to_multiple_of > 0 && length % *params.pad_to_multiple_of != 0)
    length += *params.pad_to_multiple_of - length % *params.pad_to_multiple_of;
  for (Encoding& encoding : encodings) pad_encoding(encoding, length, params);
}

}  // namespace transformers::tokenizers::detail
