#pragma once
// A tokenizer read from a Hugging Face tokenizer.json: normalizer -> pre-tokenizer -> model ->
// post-processor, plus added tokens and a decoder. Outputs are bit-exact with the Python
// `tokenizers` library (offsets are converted to characters as transformers does).
//
// Truncation and padding follow the `tokenizers` library: the file's "truncation" and "padding"
// sections are the initial settings, and set_truncation / set_padding change them (transformers
// re-sets both from its call arguments on every call; AutoTokenizer does the same).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "transformers/tokenizers/encoding.hpp"

namespace transformers::tokenizers {

namespace detail {
class TokenizerPipeline;
}

enum class TruncationStrategy { LongestFirst, OnlyFirst, OnlySecond };
enum class Side { Left, Right };

struct TruncationParams {
  size_t max_length = 512;
  size_t stride = 0;  // overlap between consecutive overflowing windows
  TruncationStrategy strategy = TruncationStrategy::LongestFirst;
  Side direction = Side::Right;  // which end tokens are removed from
};

struct PaddingParams {
  std::optional<size_t> fixed_length;  // nullopt: pad to the longest in the batch
  Side direction = Side::Right;
  std::optional<size_t> pad_to_multiple_of;
  int64_t pad_id = 0;
  int64_t pad_type_id = 0;
  std::string pad_token = "[PAD]";
};

// A token added at run time, with tokenizers' AddedToken options.
struct AddedToken {
  std::string content;
  bool special = false;
  bool single_word = false;
  bool lstrip = false;
  bool rstrip = false;
  bool normalized = true;  // matched after normalization (transformers uses !special)
};

class Tokenizer {
 public:
  static Tokenizer from_file(const std::string& path);
  // `source` names the JSON in error messages.
  static Tokenizer from_json(std::string_view json_text, const std::string& source = "tokenizer.json");
  // A tokenizer.json document already in memory (built by a program, or read from another format).
  static Tokenizer from_document(const nlohmann::json& document, const std::string& source);

  Encoding encode(std::string_view text, bool add_special_tokens = true) const;
  Encoding encode(std::string_view text, std::string_view pair, bool add_special_tokens = true) const;
  // Without this, encode("a", "b") would pick encode(text, bool) through const char* -> bool.
  Encoding encode(std::string_view text, const char* pair, bool add_special_tokens = true) const {
    return encode(text, std::string_view(pair), add_special_tokens);
  }
  // Pre-tokenized input (transformers' is_split_into_words): each word is normalized, pre-tokenized
  // and tokenized on its own; word ids are the words' indices and offsets are within each word.
  Encoding encode_words(const std::vector<std::string>& words, bool add_special_tokens = true) const;
  Encoding encode_words(const std::vector<std::string>& words, const std::vector<std::string>& pair_words,
                        bool add_special_tokens = true) const;
  std::vector<Encoding> encode_batch_words(const std::vector<std::vector<std::string>>& word_lists,
                                           bool add_special_tokens = true) const;
  std::vector<Encoding> encode_batch(const std::vector<std::string>& texts, bool add_special_tokens = true) const;
  std::vector<Encoding> encode_batch(const std::vector<std::pair<std::string, std::string>>& pairs,
                                     bool add_special_tokens = true) const;
  // Mixed inputs, as tokenizers' encode_batch takes a str or a (str, str) in one list: a text alone
  // where the pair is nullopt.
  std::vector<Encoding> encode_batch(const std::vector<std::pair<std::string, std::optional<std::string>>>& inputs,
                                     bool add_special_tokens = true) const;

  std::string decode(const std::vector<int64_t>& ids, bool skip_special_tokens = true) const;
  std::vector<std::string> decode_batch(const std::vector<std::vector<int64_t>>& batch,
                                        bool skip_special_tokens = true) const;

  // The decoder over token strings (transformers' convert_tokens_to_string); tokens joined by
  // spaces when the tokenizer has no decoder.
  std::string decode_tokens(std::vector<std::string> tokens) const;
  // The model's continuing_subword_prefix ("##" for WordPiece), when it has a non-empty one: the
  // token-classification pipeline tells subwords from words with it.
  std::optional<std::string> continuing_subword_prefix() const;

  // Adds tokens to this tokenizer (copies made before are unchanged); a token already added is left
  // as it is. Returns how many were new, as tokenizers' add_tokens.
  size_t add_tokens(const std::vector<AddedToken>& tokens);
  // transformers' split_special_tokens: special tokens in the text are not matched but tokenized
  // by the model like the text around them.
  void set_encode_special_tokens(bool value) { encode_special_tokens_ = value; }
  bool encode_special_tokens() const { return encode_special_tokens_; }
  // The model's type in tokenizer.json: "BPE", "WordPiece", "Unigram" or "WordLevel".
  const std::string& model_type() const;
  // The decoder's "type" and those nested in it, outermost first (e.g. {"Sequence", "Replace",
  // "ByteFallback", "Fuse", "Strip"}); empty without a decoder. Stop strings match bytes when the
  // decoder is a ByteLevel or has a ByteFallback, as transformers' StopStringCriteria does.
  const std::vector<std::string>& decoder_types() const;

  std::optional<int64_t> token_to_id(std::string_view token) const;
  std::optional<std::string> id_to_token(int64_t id) const;
  size_t vocab_size(bool with_added_tokens = true) const;

  const std::optional<TruncationParams>& truncation() const { return truncation_; }
  const std::optional<PaddingParams>& padding() const { return padding_; }
  void set_truncation(std::optional<TruncationParams> params);
  void set_padding(std::optional<PaddingParams> params) { padding_ = std::move(params); }

 private:
  explicit Tokenizer(std::shared_ptr<const detail::TokenizerPipeline> pipeline);
  Encoding encode_one(std::string_view text, std::optional<std::string_view> pair, bool add_special_tokens) const;
  // Truncation, post-processing and padding of encoded sequences.
  Encoding finish(Encoding first, std::optional<Encoding> second, bool add_special_tokens) const;
  Encoding encode_word_list(const std::vector<std::string>& words, int64_t type_id) const;

  std::shared_ptr<const detail::TokenizerPipeline> pipeline_;  // immutable, shared by copies
  std::optional<TruncationParams> truncation_;
  std::optional<PaddingParams> padding_;
  bool encode_special_tokens_ = false;
};

}  // namespace transformers::tokenizers
