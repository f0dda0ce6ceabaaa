// What the tokenizer hands the model, as transformers 5.23 decides it: model_input_names from
// tokenizer_config.json, the tokenizer class or the model type; and tokenizer(text, text_pair="")
// meaning no pair for one text but an empty segment in a batch. Recorded by
// scripts/make_pipeline_fixtures.py (tests/fixtures/pipelines/tiny-nli*/tokenizer_calls.jsonl).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "test_util.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

using namespace transformers;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const fs::path kPipelines = fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "pipelines";

std::vector<json> read_jsonl(const fs::path& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

json row_json(const tokenizers::Encoding& e, bool with_types) {
  json row = {{"input_ids", e.ids}, {"attention_mask", e.attention_mask}};
  if (with_types) row["token_type_ids"] = e.type_ids;
  return row;
}

// Our answer to one recorded call, in the recorded shape: one text gives rows, a batch lists of rows.
json call(const PreTrainedTokenizerFast& tok, const json& text, const json& pair) {
  const bool types = tok.returns_token_type_ids();
  if (text.is_string()) {
    TextInput input{text.get<std::string>(), std::nullopt};
    if (pair.is_string()) input.text_pair = pair.get<std::string>();  // [] and null: no pair
    return row_json(tok.encode_each({input}).encodings.at(0), types);
  }
  const auto texts = text.get<std::vector<std::string>>();
  const BatchEncoding batch = pair.is_null() ? tok(texts) : tok(texts, pair.get<std::vector<std::string>>());
  json out = json::object();
  for (const auto& e : batch.encodings) {
    const json row = row_json(e, types);
    for (auto& [key, value] : row.items()) out[key].push_back(value);
  }
  return out;
}

}  // namespace

TEST_CASE("tokenizer calls with empty, missing and real pairs equal transformers'", "[tokenizers][inputs]") {
  for (const char* folder : {"tiny-nli", "tiny-nli-generic"}) {
    INFO(folder);
    const PreTrainedTokenizerFast tok = AutoTokenizer::from_pretrained((kPipelines / folder).string());
    int checked = 0;
    for (const json& record : read_jsonl(kPipelines / folder / "tokenizer_calls.jsonl")) {
      INFO("text " << record["text"].dump() << " text_pair " << record["text_pair"].dump());
      if (record.contains("error")) {
        CHECK_THROWS_AS(call(tok, record["text"], record["text_pair"]), InvalidArgument);
      } else {
        CHECK(call(tok, record["text"], record["text_pair"]) == record["output"]);
      }
      ++checked;
    }
    CHECK(checked == 10);
  }
}

TEST_CASE("model_input_names follow tokenizer_config.json, the tokenizer class and the model type",
          "[tokenizers][inputs]") {
  const fs::path source = kPipelines / "tiny-nli";
  const fs::path dir = fs::temp_directory_path() / ("transformers_inputs_" + std::to_string(::getpid()));
  const std::vector<std::string> with_types{"input_ids", "token_type_ids", "attention_mask"};
  const std::vector<std::string> without{"input_ids", "attention_mask"};
  // (tokenizer_class or null, model_type or null, explicit model_input_names or null) -> transformers 5.23's answer
  const std::vector<std::tuple<json, json, json, std::vector<std::string>>> cases = {
      {"BertTokenizer", nullptr, nullptr, with_types},
      {"BertTokenizerFast", nullptr, nullptr, with_types},
      {"ElectraTokenizerFast", nullptr, nullptr, with_types},
      {"DebertaV2Tokenizer", nullptr, nullptr, with_types},
      {"PreTrainedTokenizerFast", "bert", nullptr, without},
      {"TokenizersBackend", nullptr, nullptr, without},
      {"DistilBertTokenizer", nullptr, nullptr, without},
      {"RobertaTokenizerFast", nullptr, nullptr, without},
      {"AlbertTokenizer", nullptr, nullptr, without},
      {"MPNetTokenizer", nullptr, nullptr, without},
      {nullptr, nullptr, nullptr, without},
      {nullptr, "bert", nullptr, with_types},
      {nullptr, "distilbert", nullptr, with_types},
      {nullptr, "electra", nullptr, with_types},
      {nullptr, "roberta", nullptr, without},
      {nullptr, "mpnet", nullptr, without},
      {"PreTrainedTokenizerFast",
       nullptr,
       json::array({"input_ids", "token_type_ids"}),
       {"input_ids", "token_type_ids"}},
      {"BertTokenizer", nullptr, json::array({"input_ids", "attention_mask"}), without},
  };
  for (const auto& [tokenizer_class, model_type, names, expected] : cases) {
    INFO("tokenizer_class " << tokenizer_class.dump() << " model_type " << model_type.dump() << " model_input_names "
                            << names.dump());
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::copy_file(source / "tokenizer.json", dir / "tokenizer.json");
    json config = json::parse(std::ifstream(source / "tokenizer_config.json"));
    config.erase("tokenizer_class");
    if (!tokenizer_class.is_null()) config["tokenizer_class"] = tokenizer_class;
    if (!names.is_null()) config["model_input_names"] = names;
    std::ofstream(dir / "tokenizer_config.json") << config.dump();
    if (!model_type.is_null()) std::ofstream(dir / "config.json") << json{{"model_type", model_type}}.dump();
    const PreTrainedTokenizerFast tok = AutoTokenizer::from_pretrained(dir.string());
    CHECK(tok.model_input_names() == expected);
    const bool types = std::find(expected.begin(), expected.end(), "token_type_ids") != expected.end();
    CHECK(tok({"a"}, {"b"}).token_type_ids.defined() == types);
    CHECK(tok.encode_each({{"a", "b"}}).token_type_ids.defined() == types);
  }
  fs::remove_all(dir);
}

TEST_CASE("transformers-cli tokenize prints token_type_ids only when the model takes them",
          "[tokenizers][inputs][cli]") {
  auto run = [](const char* folder, const std::string& line, const char* flags) {
    const std::string command = "printf '%s\\n' '" + line + "' | " + TRANSFORMERS_CLI + " tokenize --model '" +
                                (kPipelines / folder).string() + "' " + flags;
    const auto lines = test_util::command_output_lines(command);
    REQUIRE(lines.size() == 1);
    return json::parse(lines[0]);
  };
  const json typed = run("tiny-nli", "hello world", "");
  const json generic = run("tiny-nli-generic", "hello world", "");
  CHECK(typed.contains("token_type_ids"));
  CHECK_FALSE(generic.contains("token_type_ids"));
  CHECK(typed["input_ids"] == generic["input_ids"]);
  // An empty pair is no pair, as tokenizer("hello world", text_pair="") is.
  CHECK(run("tiny-nli", "[\"hello world\", \"\"]", "--json --pair")["input_ids"] == typed["input_ids"]);
}
