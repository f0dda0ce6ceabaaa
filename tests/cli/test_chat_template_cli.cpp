// transformers-cli chat-template: messages on stdin, the rendered prompt on stdout exactly as
// transformers' apply_chat_template(tokenize=False) returns it (no newline added).
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "test_util.hpp"

using nlohmann::ordered_json;

namespace {

std::string chat_fixtures() { return std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/chat_templates"; }

std::filesystem::path temp_file(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("transformers_cli_chat_" + std::to_string(::getpid()) + name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

test_util::CommandResult chat_template(const std::string& arguments, const ordered_json& messages) {
  const auto input = temp_file("messages.json", messages.dump());
  auto result = test_util::run_command(std::string(TRANSFORMERS_CLI) + " chat-template " + arguments + " < '" +
                                       input.string() + "'");
  std::filesystem::remove(input);
  return result;
}

}  // namespace

TEST_CASE("transformers-cli chat-template prints transformers' rendered prompt exactly", "[cli]") {
  const std::string model = chat_fixtures() + "/tokenizer-config-templates";
  std::ifstream file(chat_fixtures() + "/tokenizers.jsonl");
  size_t checked = 0;
  for (std::string line; std::getline(file, line);) {
    const ordered_json row = ordered_json::parse(line);
    if (row["folder"] != "tokenizer-config-templates" || !row.contains("text")) continue;
    const ordered_json& options = row["options"];
    std::string arguments = "--model '" + model + "'";
    std::filesystem::path tools;
    bool supported = true;
    for (const auto& [key, value] : options.items()) {
      if (key == "add_generation_prompt" && value.get<bool>()) arguments += " --add-generation-prompt";
      else if (key == "continue_final_message" && value.get<bool>()) arguments += " --continue-final-message";
      else if (key == "tools") arguments += " --tools '" + (tools = temp_file("tools.json", value.dump())).string() + "'";
      else if (key == "chat_template" && value == "tool_use") arguments += " --template tool_use";
      else if (key != "add_generation_prompt") supported = false;
    }
    if (!supported) continue;
    INFO(arguments);
    const auto result = chat_template(arguments, row["messages"]);
    if (!tools.empty()) std::filesystem::remove(tools);
    CHECK(result.status == 0);
    CHECK(result.output == row["text"].get<std::string>());
    ++checked;
  }
  CHECK(checked == 5);
}

TEST_CASE("transformers-cli chat-template reports bad input", "[cli]") {
  const std::string model = "--model '" + chat_fixtures() + "/tokenizer-config-templates'";
  CHECK(chat_template(model, ordered_json::object()).status != 0);
  CHECK(chat_template(model + " --add-generation-prompt --continue-final-message",
                      ordered_json::parse(R"([{"role":"user","content":"x"}])"))
            .status != 0);
}
