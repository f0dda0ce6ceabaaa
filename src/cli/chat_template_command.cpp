// transformers-cli chat-template: a conversation (a JSON list of messages on stdin) through a model's
// chat template, printed exactly as transformers' apply_chat_template(tokenize=False) returns it, with
// no newline added — the tool for finding out what a template really makes of a conversation.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <transformers/tokenizers/auto_tokenizer.hpp>

#include "command_line.hpp"
#include "commands.hpp"

namespace transformers::cli {
namespace {

nlohmann::ordered_json parse_json(const std::string& text, const std::string& what) {
  nlohmann::ordered_json value = nlohmann::ordered_json::parse(text, nullptr, false);
  if (value.is_discarded()) throw UsageError(what + " is not valid JSON");
  return value;
}

std::string read_file(const std::string& path, const std::string& option) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw UsageError(option + ": cannot read " + path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

int run_chat_template(const CommandLine& command_line) {
  auto model = command_line.value("model");
  if (!model) throw UsageError("--model is required");
  if (!command_line.positionals().empty())
    throw UsageError("unexpected argument '" + command_line.positionals()[0] + "'");
  hub::HubOptions hub_options;
  hub_options.revision = command_line.value("revision");
  const PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained(*model, hub_options);

  ChatTemplateOptions options;
  options.add_generation_prompt = command_line.has("add-generation-prompt");
  options.continue_final_message = command_line.has("continue-final-message");
  if (options.add_generation_prompt && options.continue_final_message)
    throw UsageError("--add-generation-prompt and --continue-final-message cannot be used together");
  if (auto tools = command_line.value("tools")) {
    options.tools = parse_json(read_file(*tools, "--tools"), "--tools " + *tools);
    if (!options.tools.is_array()) throw UsageError("--tools: expected a JSON list of tool definitions");
  }
  if (auto documents = command_line.value("documents")) {
    options.documents = parse_json(read_file(*documents, "--documents"), "--documents " + *documents);
    if (!options.documents.is_array()) throw UsageError("--documents: expected a JSON list of documents");
  }
  if (auto name = command_line.value("template")) options.chat_template = *name;
  if (auto file = command_line.value("template-file")) options.chat_template = read_file(*file, "--template-file");
  if (auto variables = command_line.value("variables")) {
    options.variables = parse_json(*variables, "--variables");
    if (!options.variables.is_object()) throw UsageError("--variables: expected a JSON object");
  }

  const std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  const nlohmann::ordered_json messages = parse_json(input, "stdin");
  if (!messages.is_array()) throw UsageError("stdin: expected a JSON list of messages");
  std::cout << tokenizer.apply_chat_template(messages, options) << std::flush;
  return 0;
}

}  // namespace

Command chat_template_command() {
  return {"chat-template",
          "--model PATH_OR_ID < messages.json",
          "render a JSON list of messages (stdin) through the model's chat template and print it exactly",
          {{"model", "PATH_OR_ID", "model folder or Hub id whose tokenizer's chat template is used (required)"},
           {"revision", "R", "branch, tag or commit of a Hub model", "main"},
           {"add-generation-prompt", "", "end with the header of a new assistant turn"},
           {"continue-final-message", "", "leave the final message open for the model to continue"},
           {"tools", "FILE", "a JSON file with the list of tool definitions the template sees"},
           {"documents", "FILE", "a JSON file with the list of documents the template sees"},
           {"template", "NAME", "one of the tokenizer's named templates (e.g. tool_use)"},
           {"template-file", "FILE", "render this Jinja template instead of the tokenizer's"},
           {"variables", "JSON", "extra template variables, a JSON object"}},
          run_chat_template};
}

}  // namespace transformers::cli
