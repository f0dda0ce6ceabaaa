// transformers-cli tokenize: a model's tokenizer over texts from stdin, one JSON line out per input,
// shaped like transformers' BatchEncoding (plus tokens, offsets and word ids). With --decode the
// inputs are id lists and the output is the decoded text.
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <transformers/core/json_nesting.hpp>
#include <transformers/tokenizers/auto_tokenizer.hpp>

#include "command_line.hpp"
#include "commands.hpp"

namespace transformers::cli {
namespace {

// The encoding as transformers returns it: token_type_ids only when the tokenizer's model_input_names
// include them, then the extras (special tokens mask, tokens, offsets, word ids).
nlohmann::json encoding_json(const tokenizers::Encoding& encoding, bool with_token_type_ids) {
  nlohmann::json offsets = nlohmann::json::array(), word_ids = nlohmann::json::array();
  for (const auto& [start, end] : encoding.offsets) offsets.push_back({start, end});
  for (const auto& word : encoding.word_ids) word_ids.push_back(word ? nlohmann::json(*word) : nlohmann::json());
  nlohmann::json out = {{"input_ids", encoding.ids},
                        {"attention_mask", encoding.attention_mask},
                        {"special_tokens_mask", encoding.special_tokens_mask},
                        {"tokens", encoding.tokens},
                        {"offset_mapping", offsets},
                        {"word_ids", word_ids}};
  if (with_token_type_ids) out["token_type_ids"] = encoding.type_ids;
  return out;
}

// One input line: plain text ("text" or, with --pair, "text<TAB>pair"), or with --json a JSON string,
// a [text, pair] array or {"text": ..., "text_pair": ...}. An empty pair is no pair, as in transformers.

TextInput parse_text_line(const std::string& line, bool json, bool pair, size_t line_number) {
  auto fail = [&](const std::string& what) {
    return UsageError("stdin line " + std::to_string(line_number) + ": " + what);
  };
  if (!json) {
    if (!pair) return {line, std::nullopt};
    size_t tab = line.find('\t');
    if (tab == std::string::npos) throw fail("--pair needs 'text<TAB>pair' (no tab found)");
    return {line.substr(0, tab), line.substr(tab + 1)};
  }
  if (json_nesting_depth(line) > kMaxJsonNesting) throw fail("JSON nests too deeply");
  nlohmann::json value = nlohmann::json::parse(line, nullptr, false);
  if (value.is_discarded()) throw fail("not valid JSON");
  if (value.is_string() && !pair) return {value.get<std::string>(), std::nullopt};
  if (pair && value.is_array() && value.size() == 2 && value[0].is_string() && value[1].is_string())
    return {value[0].get<std::string>(), value[1].get<std::string>()};
  if (pair && value.is_object() && value.contains("text") && value.contains("text_pair") && value["text"].is_string() &&
      value["text_pair"].is_string())
    return {value["text"].get<std::string>(), value["text_pair"].get<std::string>()};
  throw fail(pair ? "expected [text, pair] or {\"text\": ..., \"text_pair\": ...}" : "expected a JSON string");
}

// Ids to decode: a JSON array of integers, or integers separated by spaces.
std::vector<int64_t> parse_ids_line(const std::string& line, size_t line_number) {
  nlohmann::json value = json_nesting_depth(line) > kMaxJsonNesting ? nlohmann::json(nlohmann::json::value_t::discarded)
                                                                    : nlohmann::json::parse(line, nullptr, false);
  if (value.is_discarded()) value = nlohmann::json::parse("[" + line + "]", nullptr, false);
  if (value.is_discarded()) {
    value = nlohmann::json::array();
    size_t position = 0;
    while (position < line.size()) {
      size_t used = 0;
      try {
        value.push_back(std::stoll(line.substr(position), &used));
      } catch (const std::exception&) {
        throw UsageError("stdin line " + std::to_string(line_number) + ": expected token ids");
      }
      position += used;
      while (position < line.size() && line[position] == ' ') ++position;
    }
  }
  if (!value.is_array()) throw UsageError("stdin line " + std::to_string(line_number) + ": expected an id array");
  std::vector<int64_t> ids;
  for (const auto& id : value) {
    if (!id.is_number_integer())
      throw UsageError("stdin line " + std::to_string(line_number) + ": token ids must be integers");
    ids.push_back(id.get<int64_t>());
  }
  return ids;
}

int run_tokenize(const CommandLine& command_line) {
  auto model = command_line.value("model");
  if (!model) throw UsageError("--model is required");
  if (!command_line.positionals().empty())
    throw UsageError("unexpected argument '" + command_line.positionals()[0] + "'");
  hub::HubOptions hub_options;
  hub_options.revision = command_line.value("revision");
  PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained(*model, hub_options);

  TokenizeOptions options;
  options.add_special_tokens = !command_line.has("no-special-tokens");
  if (auto max_length = command_line.integer("max-length")) {
    if (*max_length <= 0) throw UsageError("--max-length must be positive");
    options.truncation = true;
    options.max_length = static_cast<size_t>(*max_length);
  }
  if (auto stride = command_line.integer("stride")) options.stride = static_cast<size_t>(*stride);

  const bool decode = command_line.has("decode"), json = command_line.has("json"), pair = command_line.has("pair");
  std::string line;
  for (size_t line_number = 1; std::getline(std::cin, line); ++line_number) {
    if (decode) {
      std::vector<int64_t> ids = parse_ids_line(line, line_number);
      std::cout << nlohmann::json(tokenizer.decode(ids, command_line.has("skip-special-tokens"))).dump() << "\n";
      continue;
    }
    TextInput input = parse_text_line(line, json, pair, line_number);
    BatchEncoding batch = tokenizer.encode_each({input}, options);
    const bool types = tokenizer.returns_token_type_ids();
    nlohmann::json out = encoding_json(batch.encodings.at(0), types);
    if (!batch.encodings[0].overflowing.empty()) {
      out["overflowing"] = nlohmann::json::array();
      for (const auto& window : batch.encodings[0].overflowing)
        out["overflowing"].push_back(encoding_json(window, types));
    }
    std::cout << out.dump() << "\n";
  }
  return 0;
}

}  // namespace

Command tokenize_command() {
  return {"tokenize",
          "--model PATH_OR_ID",
          "encode texts read from stdin (one per line, or JSON lines) and print encodings as JSON lines",
          {{"model", "PATH_OR_ID", "model folder or Hub id whose tokenizer is used (required)"},
           {"revision", "R", "branch, tag or commit of a Hub model", "main"},
           {"pair", "", "each line is 'text<TAB>pair' (with --json: [text, pair] or {\"text\", \"text_pair\"})"},
           {"json", "", "each line is JSON: a string, [text, pair] or {\"text\", \"text_pair\"}"},
           {"decode", "", "each line is a JSON list of token ids: print the decoded text"},
           {"no-special-tokens", "", "do not add [CLS]/[SEP] or the tokenizer's other special tokens"},
           {"skip-special-tokens", "", "with --decode: leave special tokens out of the text"},
           {"max-length", "N", "truncate to N tokens (the rest goes to \"overflowing\" windows)"},
           {"stride", "S", "with --max-length: tokens shared by consecutive overflowing windows", "0"}},
          run_tokenize};
}

}  // namespace transformers::cli
