#pragma once
// Models turn one pre-tokenized word into tokens (WordPiece, BPE, Unigram, WordLevel).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json_fields.hpp"
#include "pre_tokenized_string.hpp"
#include "vocabulary.hpp"

namespace transformers::tokenizers::detail {

class Model {
 public:
  virtual ~Model() = default;
  // Offsets of the tokens are bytes of `word`.
  virtual std::vector<Token> tokenize(std::string_view word) const = 0;
  virtual std::optional<int64_t> token_to_id(std::string_view token) const = 0;
  virtual std::optional<std::string> id_to_token(int64_t id) const = 0;
  virtual size_t vocab_size() const = 0;
};

// A model whose tokens are the entries of one Vocabulary (WordPiece, BPE, WordLevel): the
// token <-> id lookups come from it.
class VocabularyModel : public Model {
 public:
  std::optional<int64_t> token_to_id(std::string_view token) const override { return vocab_.id(token); }
  std::optional<std::string> id_to_token(int64_t id) const override {
    const auto token = vocab_.token(id);
    return token ? std::optional<std::string>(*token) : std::nullopt;
  }
  size_t vocab_size() const override { return vocab_.size(); }

 protected:
  explicit VocabularyModel(Vocabulary vocab) : vocab_(std::move(vocab)) {}
  Vocabulary vocab_;
};

std::unique_ptr<Model> make_model(const json& config, const std::string& where);

std::unique_ptr<Model> make_wordpiece_model(const json& config, const std::string& where);
std::unique_ptr<Model> make_bpe_model(const json& config, const std::string& where);
std::unique_ptr<Model> make_unigram_model(const json& config, const std::string& where);
std::unique_ptr<Model> make_wordlevel_model(const json& config, const std::string& where);
// MarianTokenizer's pieces of source.spm mapped through vocab.json (marian_tokenizer.cpp).
std::unique_ptr<Model> make_marian_model(const json& config, const std::string& where);

}  // namespace transformers::tokenizers::detail
