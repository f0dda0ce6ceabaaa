#include "pre_tokenized_string.hpp"

#include <unordered_map>

#include "transformers/core/error.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

PreTokenizedString::PreTokenizedString(std::string_view original) : original_(original) {
  splits_.push_back({NormalizedString(original), std::nullopt});
}

void PreTokenizedString::split(const std::function<std::vector<Split>(size_t, NormalizedString&&)>& split_one) {
  std::vector<Split> result;
  result.reserve(splits_.size());
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
    std::vector<Split> pieces;
    for (NormalizedString& normalized : split_one(index, std::move(piece)))
      pieces.push_back({std::move(normalized), std::nullopt});
    return pieces;
  });
}

void PreTokenizedString::normalize(const std::function<void(NormalizedString&)>& normalize_one) {
  for (Split& split : splits_)
    if (!split.tokens) normalize_one(split.normalized);
}

void PreTokenizedString::tokenize(const std::function<std::vector<Token>(const NormalizedString&)>& tokenize_one) {
  for (Split& split : splits_)
    if (!split.tokens) split.tokens = tokenize_one(split.normalized);
}

namespace {

// HF's BytesToCharOffsetConverter: byte offsets into the original text -> char offsets. An offset
// whose start lies outside the text is left as it is.
class ByteToCharOffsets {
 public:
  explicit ByteToCharOffsets(std::string_view text) : char_of_byte_(text.size()) {
    size_t chars = 0;
    for (size_t at = 0; at < text.size(); ++at) {
      if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80 && at > 0) ++chars;
      char_of_byte_[at] = chars;
    }
  }

  CharOffsets convert(ByteRange bytes) const {
    if (bytes.first >= char_of_byte_.size()) return bytes;
    const size_t start = char_of_byte_[bytes.first];
    if (bytes.second < char_of_byte_.size()) return {start, char_of_byte_[bytes.second]};
    const size_t before_end = bytes.second - 1;
    const size_t last = before_end < char_of_byte_.size() ? char_of_byte_[before_end] : start + 1;
    return {start, last + 1};
  }

 private:
  std::vector<size_t> char_of_byte_;
};

}  // namespace

Encoding PreTokenizedString::into_encoding(std::optional<int64_t> word_id, int64_t type_id, int64_t sequence_id) const {
  const ByteToCharOffsets converter(original_);
  Encoding encoding;
  for (size_t index = 0; index < splits_.size(); ++index) {
    const Split& split = splits_[index];
    if (!split.tokens) throw Error("tokenizer: internal error: a split was not tokenized");
    for (const Token& token : *split.tokens) {
      encoding.ids.push_back(token.id);
      encoding.type_ids.push_back(type_id);
      encoding.tokens.push_back(token.value);
      encoding.offsets.push_back(
          converter.convert(split.normalized.original_range(token.offsets.first, token.offsets.second)));
      encoding.special_tokens_mask.push_back(0);
      encoding.attention_mask.push_back(1);
      encoding.word_ids.push_back(word_id ? *word_id : static_cast<int64_t>(index));
      encoding.sequence_ids.push_back(sequence_id);
    }
  }
  return encoding;
}

}  // namespace transformers::tokenizers::detail
