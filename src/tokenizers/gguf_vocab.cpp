// Reading a GGUF file's tokenizer.ggml.* keys (checked: types, lengths, ids in range) and choosing the
// document for its tokenizer model; the documents themselves are built in gguf_documents.cpp.
#include "gguf_vocab.hpp"

#include "gguf_vocab_parts.hpp"
#include "transformers/core/error.hpp"

namespace transformers::tokenizers {

using nlohmann::json;
using namespace gguf_parts;

namespace {

[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& problem) {
  throw FileError(source + ": " + key + " " + problem);
}

const json* find_key(const json& metadata, const std::string& key) {
  const auto found = metadata.find(key);
  return found == metadata.end() || found->is_null() ? nullptr : &*found;
}

std::string string_key(const json& metadata, const std::string& key, const std::string& source) {
  const json* value = find_key(metadata, key);
  if (!value) return "";
  if (!value->is_string()) fail(source, key, "must be a string");
  return value->get<std::string>();
}

std::optional<bool> bool_key(const json& metadata, const std::string& key, const std::string& source) {
  const json* value = find_key(metadata, key);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) fail(source, key, "must be true or false");
  return value->get<bool>();
}

// A list the same length as the tokens (llama.cpp accepts a longer one and reads the first n).
const json* parallel_list(const json& metadata, const std::string& key, size_t count, const std::string& source) {
  const json* list = find_key(metadata, key);
  if (!list) return nullptr;
  if (!list->is_array()) fail(source, key, "must be a list");
  if (list->size() < count)
    fail(source, key, "has " + std::to_string(list->size()) + " entries for " + std::to_string(count) + " tokens");
  return list;
}

std::vector<std::string> read_tokens(const json& metadata, const std::string& source) {
  const std::string key = "tokenizer.ggml.tokens";
  const json* list = find_key(metadata, key);
  if (!list) fail(source, key, "is missing: the file has no vocabulary");
  if (!list->is_array() || list->empty()) fail(source, key, "must be a non-empty list of strings");
  std::vector<std::string> tokens;
  tokens.reserve(list->size());
  for (const json& token : *list) {
    if (!token.is_string()) fail(source, key, "must be a list of strings");
    tokens.push_back(token.get<std::string>());
    // llama.cpp names an empty token so that it stays distinct and can never match text.
    if (tokens.back().empty()) tokens.back() = "[EMPTY_" + std::to_string(tokens.size() - 1) + "]";
  }
  return tokens;
}

Vocab read_vocab(const json& metadata, const std::string& source) {
  Vocab vocab;
  vocab.tokens = read_tokens(metadata, source);
  const size_t count = vocab.tokens.size();
  vocab.scores.assign(count, 0.0f);
  vocab.types.assign(count, TokenType::Normal);
  if (const json* scores = parallel_list(metadata, "tokenizer.ggml.scores", count, source))
    for (size_t i = 0; i < count; ++i) {
      if (!(*scores)[i].is_number()) fail(source, "tokenizer.ggml.scores", "must be a list of numbers");
      vocab.scores[i] = (*scores)[i].get<float>();
    }
  if (const json* types = parallel_list(metadata, "tokenizer.ggml.token_type", count, source))
    for (size_t i = 0; i < count; ++i) {
      if (!(*types)[i].is_number_integer()) fail(source, "tokenizer.ggml.token_type", "must be a list of integers");
      const int64_t type = (*types)[i].get<int64_t>();
      vocab.types[i] = type >= 0 && type <= 6 ? static_cast<TokenType>(type) : TokenType::Undefined;
    }
  vocab.ids.reserve(count);
  for (size_t i = 0; i < count; ++i)
    if (!vocab.ids.emplace(vocab.tokens[i], static_cast<int64_t>(i)).second)
      fail(source, "tokenizer.ggml.tokens",
           "holds '" + vocab.tokens[i] + "' twice (ids " + std::to_string(vocab.ids[vocab.tokens[i]]) + " and " +
               std::to_string(i) + ")");
  return vocab;
}

std::optional<int64_t> token_id_key(const json& metadata, const std::string& key, const Vocab& vocab,
                                    const std::string& source) {
  const json* value = find_key(metadata, key);
  if (!value) return std::nullopt;
  if (!value->is_number_integer()) fail(source, key, "must be an integer");
  const int64_t id = value->get<int64_t>();
  if (id < 0 || id >= static_cast<int64_t>(vocab.tokens.size()))
    fail(source, key, "is " + std::to_string(id) + ", outside the " + std::to_string(vocab.tokens.size()) + " tokens");
  return id;
}

// Special token roles as tokenizer_config.json names them, from the ids the file gives.
json special_token_roles(const json& metadata, const Vocab& vocab, bool bos_is_none, const std::string& source) {
  static const std::pair<const char*, const char*> kRoles[] = {
      {"bos_token", "tokenizer.ggml.bos_token_id"},     {"eos_token", "tokenizer.ggml.eos_token_id"},
      {"unk_token", "tokenizer.ggml.unknown_token_id"}, {"pad_token", "tokenizer.ggml.padding_token_id"},
      {"sep_token", "tokenizer.ggml.seperator_token_id"},  // llama.cpp's spelling
      {"cls_token", "tokenizer.ggml.cls_token_id"},     {"mask_token", "tokenizer.ggml.mask_token_id"}};
  json roles = json::object();
  for (const auto& [role, key] : kRoles) {
    if (bos_is_none && std::string(role) == "bos_token") continue;
    if (auto id = token_id_key(metadata, key, vocab, source)) roles[role] = vocab.tokens[static_cast<size_t>(*id)];
  }
  return roles;
}

std::optional<TokenAndId> role_token(const json& roles, const char* role, const Vocab& vocab) {
  if (!roles.contains(role)) return std::nullopt;
  const std::string text = roles[role].get<std::string>();
  return TokenAndId{text, vocab.ids.at(text)};
}

// llama.cpp's add_bos / add_eos: the model kind's default, the pre-tokenizer's, then the file's keys.
std::pair<bool, bool> bos_eos_flags(const json& metadata, bool add_bos_default, const std::string& source) {
  const bool add_bos = bool_key(metadata, "tokenizer.ggml.add_bos_token", source).value_or(add_bos_default);
  const bool add_eos = bool_key(metadata, "tokenizer.ggml.add_eos_token", source).value_or(false);
  return {add_bos, add_eos};
}

json tokenizer_config(json roles, bool add_bos, bool add_eos, const json& metadata, const std::string& source) {
  json config = std::move(roles);
  config["add_bos_token"] = add_bos;
  config["add_eos_token"] = add_eos;
  config["clean_up_tokenization_spaces"] = false;
  if (const std::string chat_template = string_key(metadata, "tokenizer.chat_template", source); !chat_template.empty())
    config["chat_template"] = chat_template;
  return config;
}

GgufPreTokenizer pre_tokenizer_named(const std::string& name, const std::string& source) {
  if (auto pre = gguf_pre_tokenizer(name)) return *pre;
  std::string known;
  for (const std::string& each : known_gguf_pre_tokenizers()) known += (known.empty() ? "" : ", ") + each;
  fail(source, "tokenizer.ggml.pre", "is '" + name + "', which transformers.cpp does not know (known: " + known + ")");
}

}  // namespace

GgufTokenizerFiles gguf_tokenizer_files(const json& metadata, const std::string& source) {
  if (!metadata.is_object()) throw FileError(source + ": GGUF metadata must be an object");
  const std::string model = string_key(metadata, "tokenizer.ggml.model", source);
  if (model != "gpt2" && model != "llama")
    fail(source, "tokenizer.ggml.model",
         model.empty() ? "is missing"
                       : "is '" + model + "'; transformers.cpp reads \"gpt2\" (BPE) and \"llama\" (SentencePiece)");
  const Vocab vocab = read_vocab(metadata, source);
  const bool byte_level = model == "gpt2";
  const GgufPreTokenizer pre =
      byte_level ? pre_tokenizer_named(string_key(metadata, "tokenizer.ggml.pre", source), source) : GgufPreTokenizer{};
  const json roles = special_token_roles(metadata, vocab, pre.bos_token_is_none, source);
  // llama.cpp adds BOS by default for SentencePiece vocabularies and the pre-tokenizers that ask for it.
  const auto [add_bos, add_eos] = bos_eos_flags(metadata, byte_level ? pre.add_bos.value_or(false) : true, source);
  SpecialTokens special;
  if (add_bos) special.bos = role_token(roles, "bos_token", vocab);
  if (add_eos) special.eos = role_token(roles, "eos_token", vocab);
  json config = tokenizer_config(roles, add_bos, add_eos, metadata, source);
  if (byte_level) {
    const json* merges = find_key(metadata, "tokenizer.ggml.merges");
    if (!merges) fail(source, "tokenizer.ggml.merges", "is missing (a \"gpt2\" vocabulary needs its merges)");
    return {byte_level_bpe_document(vocab, *merges, pre, special, source), std::move(config)};
  }
  config["padding_side"] = "left";  // transformers reads these as LlamaTokenizer, which pads on the left
  const bool add_space_prefix = bool_key(metadata, "tokenizer.ggml.add_space_prefix", source).value_or(true);
  const std::optional<int64_t> unknown = token_id_key(metadata, "tokenizer.ggml.unknown_token_id", vocab, source);
  return {sentencepiece_bpe_document(vocab, unknown, add_space_prefix, special), std::move(config)};
}

}  // namespace transformers::tokenizers
