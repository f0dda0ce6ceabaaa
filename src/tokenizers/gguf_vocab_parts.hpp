#pragma once
// The pieces gguf_vocab.cpp reads from a GGUF file and the tokenizer.json builders of
// gguf_documents.cpp turn into a document (shared between the two files only).
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "gguf_pre_tokenizers.hpp"

namespace transformers::tokenizers::gguf_parts {

// llama.cpp's token types (tokenizer.ggml.token_type).
enum class TokenType : int32_t { Undefined = 0, Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct Vocab {
  std::vector<std::string> tokens;  // by id
  std::vector<float> scores;        // by id; 0 where the file has none
  std::vector<TokenType> types;     // by id; Normal where the file has none
  std::unordered_map<std::string, int64_t> ids;

  std::optional<int64_t> id_of(const std::string& token) const {
    const auto found = ids.find(token);
    return found == ids.end() ? std::nullopt : std::optional<int64_t>(found->second);
  }
};

using TokenAndId = std::pair<std::string, int64_t>;

// What goes around every model: which special tokens the post-processor adds.
struct SpecialTokens {
  std::optional<TokenAndId> bos, eos;  // set only when they are added to each sequence
};

// tokenizer.json's "added_tokens": control and unknown tokens special, user-defined ones not; none is
// normalized, so all are found in the raw text (llama.cpp's tokenizer_st_partition).
nlohmann::json added_tokens(const Vocab& vocab);
// A TemplateProcessing that puts BOS / EOS around each sequence.
nlohmann::json bos_eos_processor(const SpecialTokens& special);

// "gpt2": byte-level BPE with the file's merges, split by `pre`'s regexes.
nlohmann::json byte_level_bpe_document(const Vocab& vocab, const nlohmann::json& merges, const GgufPreTokenizer& pre,
                                       const SpecialTokens& special, const std::string& source);
// "llama": SentencePiece BPE, merges ranked by the merged token's score, byte fallback.
nlohmann::json sentencepiece_bpe_document(const Vocab& vocab, std::optional<int64_t> unknown_id,
                                          bool add_space_prefix, const SpecialTokens& special);

}  // namespace transformers::tokenizers::gguf_parts
