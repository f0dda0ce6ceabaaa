// PreTrainedTokenizerFast::apply_chat_template / tokenize_chat on tokenizer folders with chat
// templates (tokenizer_config.json's list of named templates; chat_template.jinja with
// additional_chat_templates/), against transformers' apply_chat_template: the text, the ids and the
// assistant token masks (tests/fixtures/chat_templates/tokenizers.jsonl).
#include <catch2/catch.hpp>
#include <fstream>
#include <map>

#include <nlohmann/json.hpp>

#include "transformers/tokenizers/auto_tokenizer.hpp"

using namespace transformers;
using nlohmann::ordered_json;

namespace {

std::string chat_fixtures() { return std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/chat_templates"; }

ChatTemplateOptions options_of(const ordered_json& recorded) {
  ChatTemplateOptions options;
  for (const auto& [key, value] : recorded.items()) {
    if (key == "add_generation_prompt") options.add_generation_prompt = value.get<bool>();
    else if (key == "continue_final_message") options.continue_final_message = value.get<bool>();
    else if (key == "tools") options.tools = value;
    else if (key == "documents") options.documents = value;
    else if (key == "chat_template") options.chat_template = value.get<std::string>();
    else if (key == "return_assistant_tokens_mask") options.return_assistant_tokens_mask = value.get<bool>();
    else options.variables[key] = value;  // extra template variables, as transformers' **kwargs
  }
  return options;
}

}  // namespace

TEST_CASE("apply_chat_template matches transformers on tokenizers with chat templates", "[tokenizers][chat_templates]") {
  std::ifstream file(chat_fixtures() + "/tokenizers.jsonl");
  std::map<std::string, PreTrainedTokenizerFast> tokenizers;
  size_t rows = 0;
  for (std::string line; std::getline(file, line);) {
    const ordered_json row = ordered_json::parse(line);
    const std::string folder = row["folder"];
    INFO(folder << " " << row["options"].dump());
    auto found = tokenizers.find(folder);
    if (found == tokenizers.end())
      found = tokenizers.emplace(folder, AutoTokenizer::from_pretrained(chat_fixtures() + "/" + folder)).first;
    const PreTrainedTokenizerFast& tokenizer = found->second;
    const ChatTemplateOptions options = options_of(row["options"]);
    REQUIRE_FALSE(row.contains("error"));
    if (row.contains("text")) CHECK(tokenizer.apply_chat_template(row["messages"], options) == row["text"].get<std::string>());
    const ChatEncoding encoding = tokenizer.tokenize_chat(row["messages"], options);
    CHECK(encoding.input_ids == row["input_ids"].get<std::vector<int64_t>>());
    if (row.contains("assistant_masks"))
      CHECK(encoding.assistant_masks == row["assistant_masks"].get<std::vector<int64_t>>());
    ++rows;
  }
  CHECK(rows == 16);
}

TEST_CASE("chat templates are read from tokenizer_config.json or .jinja files, parsed once", "[tokenizers][chat_templates]") {
  const auto in_config = AutoTokenizer::from_pretrained(chat_fixtures() + "/tokenizer-config-templates");
  REQUIRE(in_config.chat_templates().size() == 2);
  CHECK(in_config.chat_templates()[0].first == "default");
  CHECK(in_config.chat_templates()[1].first == "tool_use");
  const auto in_files = AutoTokenizer::from_pretrained(chat_fixtures() + "/tokenizer-template-files");
  REQUIRE(in_files.chat_templates().size() == 2);
  CHECK(in_files.chat_templates()[0].second->source() == in_config.chat_templates()[0].second->source());
  // A copy shares the parsed templates.
  const PreTrainedTokenizerFast copy = in_files;
  CHECK(copy.chat_templates()[1].second == in_files.chat_templates()[1].second);

  const ordered_json messages = ordered_json::parse(R"([{"role": "user", "content": "hi"}])");
  ChatTemplateOptions unknown;
  unknown.chat_template = "no_such_name";  // not a name: read as the text of a template, as transformers does
  CHECK(in_config.apply_chat_template(messages, unknown) == "no_such_name");

  const auto without = AutoTokenizer::from_pretrained(std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/tokenizers/bpe-bytelevel");
  CHECK(without.chat_templates().empty());
  CHECK_THROWS_AS(without.apply_chat_template(messages), InvalidArgument);
  ChatTemplateOptions both;
  both.add_generation_prompt = both.continue_final_message = true;
  CHECK_THROWS_AS(in_config.apply_chat_template(messages, both), InvalidArgument);
}
