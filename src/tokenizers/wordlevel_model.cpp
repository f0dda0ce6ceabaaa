// WordLevel: the whole word is one token, or the unk token.
#include "model.hpp"
#include "transformers/core/error.hpp"
#include "vocabulary.hpp"

namespace transformers::tokenizers::detail {

namespace {

class WordLevel final : public VocabularyModel {
 public:
  WordLevel(Vocabulary vocab, std::string unk_token)
      : VocabularyModel(std::move(vocab)), unk_token_(std::move(unk_token)) {}

  std::vector<Token> tokenize(std::string_view word) const override {
    if (const auto id = vocab_.id(word)) return {Token{*id, std::string(word), {0, word.size()}}};
    const auto unk = vocab_.id(unk_token_);
    if (!unk) throw Error("tokenizer WordLevel model: unk_token '" + unk_token_ + "' is not in the vocab");
    return {Token{*unk, unk_token_, {0, word.size()}}};
  }

 private:
  std::string unk_token_;
};

}  // namespace

std::unique_ptr<Model> make_wordlevel_model(const json& config, const std::string& where) {
  return std::make_unique<WordLevel>(Vocabulary::from_json(required_field(config, "vocab", where), where),
                                     string_field(config, "unk_token", "<unk>", where));
}

}  // namespace transformers::tokenizers::detail
