// Which transformers tokenizer class a legacy folder is read as, and the steps every class shares:
// special tokens from the configuration, the added-token table and the post-processor templates.
#include "legacy_tokenizer.hpp"

#include <algorithm>
#include <sstream>

#include "transformers/core/error.hpp"

namespace transformers::tokenizers {

namespace fs = std::filesystem;
using nlohmann::json;

int64_t AddedTokenTable::add(const std::string& content, bool special) {
  if (auto id = id_of(content)) return *id;
  std::optional<int64_t> id = vocab_id_(content);
  if (!id) id = next_id_++;
  entries_.push_back({*id, content, special});
  return *id;
}

std::optional<int64_t> AddedTokenTable::id_of(const std::string& content) const {
  for (const Entry& entry : entries_)
    if (entry.content == content) return entry.id;
  return std::nullopt;
}

json AddedTokenTable::to_json() const {
  std::vector<Entry> sorted = entries_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry& a, const Entry& b) { return a.id < b.id; });
  json tokens = json::array();
  for (const Entry& entry : sorted)
    tokens.push_back({{"id", entry.id},
                      {"content", entry.content},
                      {"single_word", false},
                      {"lstrip", false},
                      {"rstrip", false},
                      {"normalized", false},
                      {"special", entry.special}});
  return tokens;
}

namespace {

// A special token is written as "text" or as {"content": "text", ...}.
std::optional<std::string> token_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_object() && value.contains("content") && value["content"].is_string())
    return value["content"].get<std::string>();
  return std::nullopt;
}

const char* const kSpecialTokenRoles[] = {"bos_token", "eos_token", "unk_token", "sep_token",
                                          "pad_token", "cls_token", "mask_token"};

}  // namespace

SpecialTokenRoles resolve_special_tokens(const SpecialTokenRoles& class_defaults, const json& tokenizer_config,
                                         const json& special_tokens_map) {
  SpecialTokenRoles roles;
  for (const char* role : kSpecialTokenRoles) {
    std::optional<std::string> text;
    bool explicitly_none = false;
    for (const json* source : {&tokenizer_config, &special_tokens_map}) {
      if (!source->is_object() || !source->contains(role)) continue;
      text = token_text((*source)[role]);
      explicitly_none = (*source)[role].is_null();
      break;
    }
    if (!text && !explicitly_none) {
      for (const auto& [name, value] : class_defaults)
        if (name == role) text = value;
    }
    if (text) roles.emplace_back(role, *text);
  }
  return roles;
}

std::optional<std::string> special_token(const SpecialTokenRoles& roles, const std::string& role) {
  for (const auto& [name, text] : roles)
    if (name == role) return text;
  return std::nullopt;
}

void add_special_tokens(AddedTokenTable& table, const SpecialTokenRoles& roles, const json& tokenizer_config) {
  for (const auto& [role, text] : roles) table.add(text, true);
  for (const char* key : {"additional_special_tokens", "extra_special_tokens"}) {
    if (!tokenizer_config.is_object() || !tokenizer_config.contains(key) || !tokenizer_config[key].is_array()) continue;
    for (const json& value : tokenizer_config[key])
      if (auto text = token_text(value)) table.add(*text, true);
  }
}

json template_processing(const std::string& single, const std::string& pair,
                         const std::vector<std::pair<std::string, int64_t>>& special_tokens) {
  auto pieces = [](const std::string& text) {
    json out = json::array();
    std::istringstream words(text);
    for (std::string word; words >> word;) {
      int64_t type_id = 0;
      if (size_t colon = word.rfind(':');
          colon != std::string::npos && colon + 1 < word.size() &&
          std::all_of(word.begin() + static_cast<long>(colon) + 1, word.end(), ::isdigit)) {
        type_id = std::stoll(word.substr(colon + 1));
        word.resize(colon);
      }
      if (word == "$A" || word == "$B")
        out.push_back({{"Sequence", {{"id", word.substr(1)}, {"type_id", type_id}}}});
      else
        out.push_back({{"SpecialToken", {{"id", word}, {"type_id", type_id}}}});
    }
    return out;
  };
  json specials = json::object();
  for (const auto& [token, id] : special_tokens) specials[token] = {{"id", token}, {"ids", {id}}, {"tokens", {token}}};
  return {
      {"type", "TemplateProcessing"}, {"single", pieces(single)}, {"pair", pieces(pair)}, {"special_tokens", specials}};
}

json bos_eos_template(const SpecialTokenRoles& roles, const AddedTokenTable& table, bool add_bos, bool add_eos) {
  const std::optional<std::string> bos = special_token(roles, "bos_token"), eos = special_token(roles, "eos_token");
  add_bos = add_bos && bos;
  add_eos = add_eos && eos;
  std::string single = (add_bos ? *bos + ":0 " : "") + "$A:0" + (add_eos ? " " + *eos + ":0" : "");
  std::string pair = single + (add_bos ? " " + *bos + ":1" : "") + " $B:1" + (add_eos ? " " + *eos + ":1" : "");
  std::vector<std::pair<std::string, int64_t>> specials;
  if (add_bos) specials.emplace_back(*bos, table.id_of(*bos).value_or(0));
  if (add_eos) specials.emplace_back(*eos, table.id_of(*eos).value_or(0));
  return template_processing(single, pair, specials);
}

json tokenizer_document(const AddedTokenTable& added, json normalizer, json pre_tokenizer, json post_processor,
                        json decoder, json model) {
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", added.to_json()},
          {"normalizer", std::move(normalizer)},
          {"pre_tokenizer", std::move(pre_tokenizer)},
          {"post_processor", std::move(post_processor)},
          {"decoder", std::move(decoder)},
          {"model", std::move(model)}};
}

bool config_flag(const json& config, const char* key, bool fallback) {
  if (!config.is_object() || !config.contains(key) || config[key].is_null()) return fallback;
  if (!config[key].is_boolean())
    throw FileError(std::string("tokenizer_config.json: field '") + key + "' must be true or false");
  return config[key].get<bool>();
}

namespace {

// tokenizer_config.json's tokenizer_class without "Fast"; else the class transformers' AutoTokenizer
// maps config.json's model_type to; else a guess from the files present.
std::string tokenizer_class_of(const fs::path& folder, const json& config, const std::string& model_type) {
  if (config.is_object() && config.contains("tokenizer_class") && config["tokenizer_class"].is_string()) {
    std::string name = config["tokenizer_class"].get<std::string>();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, "Fast") == 0) name.resize(name.size() - 4);
    return name;
  }
  static const std::pair<const char*, const char*> kByModelType[] = {
      {"bert", "BertTokenizer"},       {"distilbert", "BertTokenizer"}, {"electra", "BertTokenizer"},
      {"roberta", "RobertaTokenizer"}, {"gpt2", "GPT2Tokenizer"},       {"t5", "T5Tokenizer"},
      {"llama", "LlamaTokenizer"},     {"marian", "MarianTokenizer"}, {"bart", "RobertaTokenizer"},
      {"mt5", "T5Tokenizer"}};
  for (const auto& [type, name] : kByModelType)
    if (model_type == type) return name;
  if (fs::exists(folder / "source.spm")) return "MarianTokenizer";
  if (fs::exists(folder / "vocab.txt")) return "BertTokenizer";
  if (fs::exists(folder / "vocab.json")) return "GPT2Tokenizer";
  if (fs::exists(folder / "spiece.model")) return "T5Tokenizer";
  return "LlamaTokenizer";
}

bool has_legacy_files(const fs::path& folder) {
  for (const char* name :
       {"vocab.txt", "vocab.json", "spiece.model", "tokenizer.model", "sentencepiece.bpe.model", "spm.model", "source.spm"})
    if (fs::exists(folder / name)) return true;
  return false;
}

std::optional<fs::path> sentencepiece_file(const fs::path& folder) {
  for (const char* name : {"spiece.model", "tokenizer.model", "sentencepiece.bpe.model", "spm.model"})
    if (fs::exists(folder / name)) return folder / name;
  return std::nullopt;
}

}  // namespace

std::optional<LegacyTokenizer> legacy_tokenizer(const fs::path& folder, const json& tokenizer_config,
                                                const json& special_tokens_map, const std::string& model_type) {
  if (!has_legacy_files(folder)) return std::nullopt;
  std::string name = tokenizer_class_of(folder, tokenizer_config, model_type);
  if (name == "BartTokenizer") name = "RobertaTokenizer";  // transformers 5: an alias of RobertaTokenizer
  if (name == "BertTokenizer" || name == "DistilBertTokenizer" || name == "ElectraTokenizer")
    return bert_legacy_tokenizer(folder, tokenizer_config, special_tokens_map);
  if (name == "GPT2Tokenizer" || name == "RobertaTokenizer")
    return byte_level_bpe_legacy_tokenizer(folder, name, tokenizer_config, special_tokens_map);
  if (name == "MarianTokenizer") return marian_legacy_tokenizer(folder, tokenizer_config, special_tokens_map);
  if (name == "T5Tokenizer" || name == "LlamaTokenizer") {
    auto model_file = sentencepiece_file(folder);
    if (!model_file)
      throw FileError(folder.string() + ": " + name +
                      " needs a SentencePiece .model file (spiece.model or tokenizer.model)");
    return sentencepiece_legacy_tokenizer(*model_file, name, tokenizer_config, special_tokens_map);
  }
  throw FileError(
      folder.string() + ": no tokenizer.json, and tokenizer class '" + name +
      "' cannot be built from legacy files (supported: BertTokenizer, DistilBertTokenizer, ElectraTokenizer, "
      "GPT2Tokenizer, RobertaTokenizer, BartTokenizer, T5Tokenizer, LlamaTokenizer, MarianTokenizer)");
}

}  // namespace transformers::tokenizers
