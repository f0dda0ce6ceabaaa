// WordPiece: greedy longest-match-first subwords; a word with any unmatched part is one unk.
#include "model.hpp"
#include "unicode.hpp"
#include "vocabulary.hpp"
#include "transformers/core/error.hpp"

namespace transformers::tokenizers::detail {

namespace {

class WordPiece final : public VocabularyModel {
 public:
  WordPiece(Vocabulary vocab, std::string unk_token, std::string prefix, size_t max_input_chars_per_word)
      : VocabularyModel(std::move(vocab)),
        unk_token_(std::move(unk_token)),
        prefix_(std::move(prefix)),
        max_input_chars_per_word_(max_input_chars_per_word) {}

  std::vector<Token> tokenize(std::string_view word) const override {
    if (count_chars(word) > max_input_chars_per_word_) return {unknown(word)};
    std::vector<Token> pieces;
    // Candidates are prefixes of `rest` (the prefix, then the word from `start` on); none longer
    // than the vocab's longest token can match, so those are not looked up.
    std::string rest;
    const size_t longest_token = vocab_.max_token_bytes();
    for (size_t start = 0; start < word.size();) {
      const size_t prefix_length = start > 0 ? prefix_.size() : 0;
      rest.assign(start > 0 ? std::string_view(prefix_) : std::string_view());
      rest.append(word.substr(start));
      std::optional<Token> longest;
      for (size_t end = word.size(); end > start; end = previous_char_boundary(word, end)) {
        const size_t candidate_length = prefix_length + (end - start);
        if (candidate_length > longest_token) continue;
        const std::string_view candidate(rest.data(), candidate_length);
        if (const auto id = vocab_.id(candidate)) {
          longest = Token{*id, std::string(candidate), {start, end}};
          break;
        }
      }
      if (!longest) return {unknown(word)};
      start = longest->offsets.second;
      pieces.push_back(std::move(*longest));
    }
    return pieces;
  }

 private:
  static size_t previous_char_boundary(std::string_view text, size_t end) {
    do --end;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80);
    return end;
  }

  Token unknown(std::string_view word) const {
    const auto id = vocab_.id(unk_token_);
    if (!id) throw Error("tokenizer WordPiece model: unk_token '" + unk_token_ + "' is not in the vocab");
    return Token{*id, unk_token_, {0, word.size()}};
  }

  std::string unk_token_;
  std::string prefix_;
  size_t max_input_chars_per_word_;
};

}  // namespace

std::unique_ptr<Model> make_wordpiece_model(const json& config, const std::string& where) {
  const int64_t max_chars = int_field(config, "max_input_chars_per_word", 100, where);
  if (max_chars < 0) throw_config_error(where, "field 'max_input_chars_per_word' must not be negative");
  return std::make_unique<WordPiece>(Vocabulary::from_json(required_field(config, "vocab", where), where),
                                     string_field(config, "unk_token", "[UNK]", where),
                                     string_field(config, "continuing_subword_prefix", "##", where),
                                     static_cast<size_t>(max_chars));
}

}  // namespace transformers::tokenizers::detail
