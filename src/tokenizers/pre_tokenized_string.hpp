#pragma once
// The input cut into pieces ("splits"): first around added tokens, then by the pre-tokenizer.
// Each split is normalized text that may already carry its tokens (an added token).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "normalized_string.hpp"
#include "transformers/tokenizers/encoding.hpp"

namespace transformers::tokenizers::detail {

struct Token {
  int64_t id = 0;
  std::string value;
  ByteRange offsets;  // bytes of the split's normalized text
};

struct Split {
  NormalizedString normalized;
  std::optional<std::vector<Token>> tokens;
};

class PreTokenizedString {
 public:
  explicit PreTokenizedString(std::string_view original);

  // Replaces every split that has no tokens yet by what `split_one(index, piece)` returns;
  // empty pieces are dropped.
  void split(const std::function<std::vector<Split>(size_t, NormalizedString&&)>& split_one);
  // Convenience for pre-tokenizers: pieces without tokens.
  void split_normalized(const std::function<std::vector<NormalizedString>(size_t, NormalizedString&&)>& split_one);
  void normalize(const std::function<void(NormalizedString&)>& normalize_one);
  // Removes the splits without tokens whose text is empty (what split() does after splitting).
  void drop_empty();
  void tokenize(const std::function<std::vector<Token>(const NormalizedString&)>& tokenize_one);

  const std::vector<Split>& splits() const { return splits_; }
  // Tokens with char offsets into the original text; word ids are split indices (or `word_id`).
  Encoding into_encoding(std::optional<int64_t> word_id, int64_t type_id, int64_t sequence_id) const;
  // The same, moving the token strings out of the splits (which are left without them).
  Encoding into_encoding(std::optional<int64_t> word_id, int64_t type_id, int64_t sequence_id);

 private:
  std::string original_;
  std::vector<Split> splits_;
};

}  // namespace transformers::tokenizers::detail
