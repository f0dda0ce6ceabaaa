#pragma once
// Added tokens ("added_tokens" in tokenizer.json): matched in the text before the model runs,
// leftmost-longest; non-normalized ones on the raw text, normalized ones after normalization.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "json_fields.hpp"
#include "pre_tokenized_string.hpp"

namespace transformers::tokenizers::detail {

class Model;
class Normalizer;

struct AddedToken {
  std::string content;
  int64_t id = 0;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;
  bool special = false;
};

AddedToken parse_added_token(const json& entry, const std::string& where);

// A byte trie over token strings for leftmost-longest matching.
class TokenMatcher {
 public:
  void add(std::string_view text, size_t token_index);
  struct Match {
    size_t start, end, token_index;
  };
  std::vector<Match> find_all(std::string_view text) const;

 private:
  struct Node {
    std::unordered_map<unsigned char, size_t> children;
    std::optional<size_t> token_index;
  };
  std::vector<Node> nodes_{Node{}};
  std::array<bool, 256> starts_token_{};  // the first bytes of the tokens: other positions are skipped
};

class AddedVocabulary {
 public:
  AddedVocabulary(std::vector<AddedToken> tokens, const Model& model, const Normalizer* normalizer);

  // Splits `text` around added tokens and normalizes the other pieces. With `encode_special_tokens`
  // (transformers' split_special_tokens) special tokens are not matched: the model tokenizes them
  // like any other text.
  PreTokenizedString extract_and_normalize(std::string_view text, const Normalizer* normalizer,
                                           bool encode_special_tokens = false) const;

  std::optional<int64_t> token_to_id(std::string_view content) const;
  std::optional<std::string> id_to_token(int64_t id) const;
  bool is_special_token(std::string_view content) const;
  const std::vector<AddedToken>& tokens() const { return tokens_; }

 private:
  int64_t assign_id(const std::string& content, const Model& model) const;
  std::vector<Split> split_on_matches(NormalizedString&& text, const TokenMatcher& matcher,
                                      bool encode_special_tokens) const;

  std::vector<AddedToken> tokens_;
  std::unordered_map<std::string, int64_t> id_of_content_;
  std::unordered_map<int64_t, size_t> token_of_id_;
  std::unordered_set<std::string> special_contents_;
  std::unordered_map<size_t, std::string> normalized_content_;  // token index -> normalized content
  TokenMatcher raw_matcher_;                                    // tokens with normalized = false
  TokenMatcher normalized_matcher_;  // tokens with normalized = true, by their normalized content
};

}  // namespace transformers::tokenizers::detail
