#pragma once
// Folders without tokenizer.json: transformers 5's tokenizer classes rebuild the same pipeline a
// tokenizer.json would describe from the legacy files (vocab.txt, vocab.json + merges.txt, a
// SentencePiece .model). We do the same: build the tokenizer.json document the class would build and
// load it like any other, so every later step is shared.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/tokenizers/tokenizer.hpp"

namespace transformers::tokenizers {

using SpecialTokenRoles = std::vector<std::pair<std::string, std::string>>;  // "pad_token" -> "[PAD]"

struct LegacyTokenizer {
  nlohmann::json document;           // a tokenizer.json
  SpecialTokenRoles special_tokens;  // the class's defaults, overridden by the configuration
  Side padding_side = Side::Right;   // the class's default (LlamaTokenizer pads on the left)
  std::string tokenizer_class;       // the class whose construction was followed
};

// nullopt when the folder has none of the legacy files. `tokenizer_config` and `special_tokens_map`
// are the folder's JSON files (empty objects when absent); `model_type` comes from config.json.
std::optional<LegacyTokenizer> legacy_tokenizer(const std::filesystem::path& folder,
                                                const nlohmann::json& tokenizer_config,
                                                const nlohmann::json& special_tokens_map,
                                                const std::string& model_type);

// ---------------------------------------------------------------------------------------------------
// Shared by the per-class builders (legacy_vocab_files.cpp, legacy_sentencepiece.cpp).

// The added-token table transformers ends up with: a token already in the model's vocabulary keeps
// its id, a new one takes the next id after the vocabulary and the tokens added before it.
class AddedTokenTable {
 public:
  AddedTokenTable(std::function<std::optional<int64_t>(const std::string&)> vocab_id, int64_t vocab_size)
      : vocab_id_(std::move(vocab_id)), next_id_(vocab_size) {}
  int64_t add(const std::string& content, bool special);  // no-op (returns the id) when present
  std::optional<int64_t> id_of(const std::string& content) const;
  nlohmann::json to_json() const;  // tokenizer.json's "added_tokens", by id

 private:
  struct Entry {
    int64_t id;
    std::string content;
    bool special;
  };
  std::function<std::optional<int64_t>(const std::string&)> vocab_id_;
  int64_t next_id_;
  std::vector<Entry> entries_;
};

// The class's default special tokens with the configuration's values (tokenizer_config.json first,
// then special_tokens_map.json) put over them; a role set to null in the configuration is dropped.
SpecialTokenRoles resolve_special_tokens(const SpecialTokenRoles& class_defaults,
                                         const nlohmann::json& tokenizer_config,
                                         const nlohmann::json& special_tokens_map);
std::optional<std::string> special_token(const SpecialTokenRoles& roles, const std::string& role);
// Adds every role's token as a special added token, in transformers' role order, then the
// configuration's additional_special_tokens.
void add_special_tokens(AddedTokenTable& table, const SpecialTokenRoles& roles, const nlohmann::json& tokenizer_config);

// TemplateProcessing JSON from transformers' template strings ("[CLS]:0 $A:0 [SEP]:0").
nlohmann::json template_processing(const std::string& single, const std::string& pair,
                                   const std::vector<std::pair<std::string, int64_t>>& special_tokens);
// TokenizersBackend.update_post_processor: optional bos before and eos after each sequence.
nlohmann::json bos_eos_template(const SpecialTokenRoles& roles, const AddedTokenTable& table, bool add_bos,
                                bool add_eos);

bool config_flag(const nlohmann::json& config, const char* key, bool fallback);

// A tokenizer.json document from its parts; no truncation or padding, as the classes build it.
nlohmann::json tokenizer_document(const AddedTokenTable& added, nlohmann::json normalizer, nlohmann::json pre_tokenizer,
                                  nlohmann::json post_processor, nlohmann::json decoder, nlohmann::json model);

// The per-class builders. Each reads its files from `folder` and throws FileError naming the file
// when one is missing or malformed.
LegacyTokenizer bert_legacy_tokenizer(const std::filesystem::path& folder, const nlohmann::json& config,
                                      const nlohmann::json& special_tokens_map);
LegacyTokenizer byte_level_bpe_legacy_tokenizer(const std::filesystem::path& folder, const std::string& tokenizer_class,
                                                const nlohmann::json& config, const nlohmann::json& special_tokens_map);
// MarianTokenizer: source.spm, target.spm and vocab.json (marian_tokenizer.cpp).
LegacyTokenizer marian_legacy_tokenizer(const std::filesystem::path& folder, const nlohmann::json& config,
                                        const nlohmann::json& special_tokens_map);
LegacyTokenizer sentencepiece_legacy_tokenizer(const std::filesystem::path& model_file,
                                               const std::string& tokenizer_class, const nlohmann::json& config,
                                               const nlohmann::json& special_tokens_map);

}  // namespace transformers::tokenizers
