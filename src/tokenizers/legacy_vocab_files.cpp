// BertTokenizer from vocab.txt, GPT2Tokenizer / RobertaTokenizer from vocab.json + merges.txt, built
// the way transformers 5's classes build them in their constructors.
#include <fstream>
#include <sstream>

#include "legacy_tokenizer.hpp"
#include "transformers/core/error.hpp"

namespace transformers::tokenizers {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_text_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path.string() + ": cannot be read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Lines as Python's text-mode readlines() + rstrip("\n") gives them: "\r\n" and "\r" end lines too.
std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string line;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || text[i] == '\r') {
      lines.push_back(std::move(line));
      line.clear();
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      line += text[i];
    }
  }
  if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

std::function<std::optional<int64_t>(const std::string&)> lookup_in(const json& vocab) {
  return [&vocab](const std::string& token) -> std::optional<int64_t> {
    auto it = vocab.find(token);
    if (it == vocab.end()) return std::nullopt;
    return it->get<int64_t>();
  };
}

}  // namespace

LegacyTokenizer bert_legacy_tokenizer(const fs::path& folder, const json& config, const json& special_tokens_map) {
  const fs::path vocab_file = folder / "vocab.txt";
  json vocab = json::object();
  int64_t index = 0;
  for (const std::string& token : text_lines(read_text_file(vocab_file))) vocab[token] = index++;
  if (vocab.empty()) throw FileError(vocab_file.string() + ": the vocabulary is empty");

  LegacyTokenizer result;
  result.tokenizer_class = "BertTokenizer";
  result.special_tokens = resolve_special_tokens({{"unk_token", "[UNK]"},
                                                  {"sep_token", "[SEP]"},
                                                  {"pad_token", "[PAD]"},
                                                  {"cls_token", "[CLS]"},
                                                  {"mask_token", "[MASK]"}},
                                                 config, special_tokens_map);
  AddedTokenTable added(lookup_in(vocab), static_cast<int64_t>(vocab.size()));
  add_special_tokens(added, result.special_tokens, config);

  const std::string unk = special_token(result.special_tokens, "unk_token").value_or("[UNK]");
  const std::string cls = special_token(result.special_tokens, "cls_token").value_or("[CLS]");
  const std::string sep = special_token(result.special_tokens, "sep_token").value_or("[SEP]");
  json strip_accents = config.is_object() && config.contains("strip_accents") ? config["strip_accents"] : json();
  result.document = tokenizer_document(
      added,
      {{"type", "BertNormalizer"},
       {"clean_text", true},
       {"handle_chinese_chars", config_flag(config, "tokenize_chinese_chars", true)},
       {"strip_accents", strip_accents},
       {"lowercase", config_flag(config, "do_lower_case", true)}},
      {{"type", "BertPreTokenizer"}},
      template_processing(cls + ":0 $A:0 " + sep + ":0", cls + ":0 $A:0 " + sep + ":0 $B:1 " + sep + ":1",
                          {{cls, added.id_of(cls).value_or(2)}, {sep, added.id_of(sep).value_or(3)}}),
      {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}},
      {{"type", "WordPiece"},
       {"unk_token", unk},
       {"continuing_subword_prefix", "##"},
       {"max_input_chars_per_word", 100},
       {"vocab", std::move(vocab)}});
  return result;
}

namespace {

json read_bpe_vocab(const fs::path& path) {
  json vocab = json::parse(read_text_file(path), nullptr, false);
  if (vocab.is_discarded() || !vocab.is_object())
    throw FileError(path.string() + ": expected a JSON object {token: id}");
  for (const auto& [token, id] : vocab.items())
    if (!id.is_number_integer() || id.get<int64_t>() < 0)
      throw FileError(path.string() + ": the id of token '" + token + "' is not a non-negative integer");
  return vocab;
}

// merges.txt: an optional "#version" first line, then one "left right" pair per line.
json read_merges(const fs::path& path) {
  json merges = json::array();
  size_t line_number = 0;
  for (const std::string& line : text_lines(read_text_file(path))) {
    ++line_number;
    if (line.empty() || (line_number == 1 && line.rfind("#version", 0) == 0)) continue;
    const size_t space = line.find(' ');
    if (space == std::string::npos || space == 0 || space + 1 == line.size() ||
        line.find(' ', space + 1) != std::string::npos)
      throw FileError(path.string() + ": line " + std::to_string(line_number) + " is not a merge 'left right'");
    merges.push_back(line);
  }
  return merges;
}

}  // namespace

LegacyTokenizer byte_level_bpe_legacy_tokenizer(const fs::path& folder, const std::string& tokenizer_class,
                                                const json& config, const json& special_tokens_map) {
  json vocab = read_bpe_vocab(folder / "vocab.json");
  json merges = read_merges(folder / "merges.txt");
  const bool roberta = tokenizer_class == "RobertaTokenizer";
  const bool add_prefix_space = config_flag(config, "add_prefix_space", false);

  LegacyTokenizer result;
  result.tokenizer_class = tokenizer_class;
  const SpecialTokenRoles defaults =
      roberta ? SpecialTokenRoles{{"bos_token", "<s>"},    {"eos_token", "</s>"},  {"unk_token", "<unk>"},
                                  {"sep_token", "</s>"},   {"pad_token", "<pad>"}, {"cls_token", "<s>"},
                                  {"mask_token", "<mask>"}}
              : SpecialTokenRoles{
                    {"bos_token", "<|endoftext|>"}, {"eos_token", "<|endoftext|>"}, {"unk_token", "<|endoftext|>"}};
  result.special_tokens = resolve_special_tokens(defaults, config, special_tokens_map);
  AddedTokenTable added(lookup_in(vocab), static_cast<int64_t>(vocab.size()));
  add_special_tokens(added, result.special_tokens, config);

  json post_processor;
  if (roberta) {
    const std::string sep = special_token(result.special_tokens, "sep_token").value_or("</s>");
    const std::string cls = special_token(result.special_tokens, "cls_token").value_or("<s>");
    post_processor = {{"type", "RobertaProcessing"},
                      {"sep", {sep, added.id_of(sep).value_or(0)}},
                      {"cls", {cls, added.id_of(cls).value_or(0)}},
                      {"trim_offsets", config_flag(config, "trim_offsets", true)},
                      {"add_prefix_space", add_prefix_space}};
  } else {
    post_processor = bos_eos_template(result.special_tokens, added, config_flag(config, "add_bos_token", false),
                                      config_flag(config, "add_eos_token", false));
  }
  result.document = tokenizer_document(
      added, nullptr,
      {{"type", "ByteLevel"}, {"add_prefix_space", add_prefix_space}, {"trim_offsets", true}, {"use_regex", true}},
      std::move(post_processor),
      {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}},
      {{"type", "BPE"},
       {"dropout", nullptr},
       {"unk_token", nullptr},
       {"continuing_subword_prefix", ""},
       {"end_of_word_suffix", ""},
       {"fuse_unk", false},
       {"byte_fallback", false},
       {"ignore_merges", false},
       {"vocab", std::move(vocab)},
       {"merges", std::move(merges)}});
  return result;
}

}  // namespace transformers::tokenizers
