#pragma once
// The result of encoding one text (or one pair of texts), as Hugging Face tokenizers and
// transformers' fast tokenizers report it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace transformers::tokenizers {

// Offsets are [start, end) in CHARACTERS (Unicode code points) of the original text, as
// transformers reports them for a Python str; special and padding tokens have (0, 0).
using CharOffsets = std::pair<size_t, size_t>;

struct Encoding {
  std::vector<int64_t> ids;
  std::vector<int64_t> type_ids;
  std::vector<std::string> tokens;
  std::vector<CharOffsets> offsets;
  std::vector<int64_t> special_tokens_mask;          // 1 for special and padding tokens
  std::vector<int64_t> attention_mask;               // 0 for padding
  std::vector<std::optional<int64_t>> word_ids;      // nullopt for special and padding tokens
  std::vector<std::optional<int64_t>> sequence_ids;  // 0 or 1 (pair); nullopt for special/padding
  // Windows cut off by truncation (each post-processed and padded like this one).
  std::vector<Encoding> overflowing;

  size_t size() const { return ids.size(); }
};

}  // namespace transformers::tokenizers
