#include "pre_tokenized_string.hpp"

#include <algorithm>
#include <unordered_map>

#include "transformers/core/error.hpp"
#include "flat_hash.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

PreTokenizedString::PreTokenizedString(std::string_view original) : original_(original) {
  splits_.push_back({NormalizedString(original), std::nullopt});
}

void PreTokenizedString::split(const std::function<std::vector<Split>(size_t, NormalizedString&&)>& split_one) {
  std::vector<Split> result;
  result.reserve(splits_.size() * 2);
  for (size_t index = 0; index < splits_.size(); ++index) {
    Split& current = splits_[index];
    if (current.tokens) {
      result.push_back(std::move(current));
      continue;
    }
    for (Split& piece : split_one(index, std::move(current.normalized)))
      if (!piece.normalized.empty()) result.push_back(std::move(piece));
  }
  splits_ = std::move(result);
}

void PreTokenizedString::split_normalized(
    const std::function<std::vector<NormalizedString>(size_t, NormalizedString&&)>& split_one) {
  split([&](size_t index, NormalizedString&& piece) {
    std::vector<NormalizedString> normalized_pieces = split_one(index, std::move(piece));
    std::vector<Split> pieces;
    pieces.reserve(normalized_pieces.size());
    for (NormalizedString& normalized : normalized_pieces) pieces.push_back({std::move(normalized), std::nullopt});
    return pieces;
  });
}

void PreTokenizedString::normalize(const std::function<void(NormalizedString&)>& normalize_one) {
  for (Split& split : splits_)
    if (!split.tokens) normalize_one(split.normalized);
}

void PreTokenizedString::drop_empty() {
  std::erase_if(splits_, [](const Split& split) { return !split.tokens && split.normalized.empty(); });
}

void PreTokenizedString::tokenize(const std::function<std::vector<Token>(const NormalizedString&)>& tokenize_one) {
  for (Split& split : splits_)
    if (!split.tokens) split.tokens = tokenize_one(split.normalized);
}

namespace {

// HF's BytesToCharOffsetConverter: byte offsets into the original text -> char offsets. An offset
// whose start lies outside the text is left as it is. For ASCII text it is the identity.
class ByteToCharOffsets {
 public:
  explicit ByteToCharOffsets(std::string_view text) {
    ascii_ = std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (ascii_) return;
    thread_local TRANSFORMERS_FAST_TLS std::vector<size_t>
        buffer;  // reused: one per call would be an allocation per encode
    char_of_byte_ = &buffer;
    buffer.resize(text.size());
    size_t chars = 0;
    for (size_t at = 0; at < text.size(); ++at) {
      if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80 && at > 0) ++chars;
      buffer[at] = chars;
    }
  }

  CharOffsets convert(ByteRange bytes) const {
    if (ascii_) return bytes;
    const std::vector<size_t>& char_of_byte = *char_of_byte_;
    if (bytes.first >= char_of_byte.size()) return bytes;
    const size_t start = char_of_byte[bytes.first];
    if (bytes.second < char_of_byte.size()) return {start, char_of_byte[bytes.second]};
    const size_t before_end = bytes.second - 1;
    const size_t last = before_end < char_of_byte.size() ? char_of_byte[before_end] : start + 1;
    return {start, last + 1};
  }

 private:
  bool ascii_ = false;
  const std::vector<size_t>* char_of_byte_ = nullptr;
};

template <bool kMoveTokens, typename Splits>
Encoding build_encoding(Splits& splits, std::string_view original, std::optional<int64_t> word_id, int64_t type_id,
                        int64_t sequence_id) {
  const ByteToCharOffsets converter(original);
  size_t count = 0;
  for (const Split& split : splits) {
    if (!split.tokens) throw Error("tokenizer: internal error: a split was not tokenized");
    count += split.tokens->size();
  }
  Encoding encoding;
  encoding.ids.reserve(count);
  encoding.type_ids.assign(count, type_id);
  encoding.tokens.reserve(count);
  encoding.offsets.reserve(count);
  encoding.special_tokens_mask.assign(count, 0);
  encoding.attention_mask.assign(count, 1);
  encoding.word_ids.reserve(count);
  encoding.sequence_ids.assign(count, sequence_id);
  for (size_t index = 0; index < splits.size(); ++index) {
    auto& split = splits[index];
    const std::optional<int64_t> word = word_id ? *word_id : static_cast<int64_t>(index);
    for (auto& token : *split.tokens) {
      encoding.ids.push_back(token.id);
      if constexpr (kMoveTokens)
        encoding.tokens.push_back(std::move(token.value));
      else
        encoding.tokens.push_back(token.value);
      encoding.offsets.push_back(
          converter.convert(split.normalized.original_range(token.offsets.first, token.offsets.second)));
      encoding.word_ids.push_back(word);
    }
  }
  return encoding;
}

}  // namespace

Encoding PreTokenizedString::into_encoding(std::optional<int64_t> word_id, int64_t type_id, int64_t sequence_id) const {
  return build_encoding<false>(splits_, original_, word_id, type_id, sequence_id);
}

Encoding PreTokenizedString::into_encoding(std::optional<int64_t> word_id, int64_t type_id, int64_t sequence_id) {
  return build_encoding<true>(splits_, original_, word_id, type_id, sequence_id);
}

}  // namespace transformers::tokenizers::detail
