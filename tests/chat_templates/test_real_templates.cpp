// Every real chat template in tests/fixtures/chat_templates/templates (Llama, Qwen, Gemma, Phi,
// Mistral, DeepSeek, Command-R, Hermes, functionary, granite, gpt-oss, SmolLM3, Kimi, GLM, ...)
// over every recorded conversation and option: byte-identical to transformers' apply_chat_template,
// or the same kind of error.
#include <catch2/catch.hpp>
#include <map>
#include <memory>

#include "chat_templates/fixture_support.hpp"
#include "transformers/chat_templates/render_conversation.hpp"

using namespace transformers::chat_templates;
using nlohmann::ordered_json;

TEST_CASE("real chat templates render as transformers does", "[chat_templates]") {
  const std::string root = chat_template_fixtures::folder();
  const ordered_json inputs = ordered_json::parse(chat_template_fixtures::read_file(root + "/conversations.json"));
  const std::vector<ordered_json> rows = chat_template_fixtures::read_jsonl(root + "/renders.jsonl");
  REQUIRE(rows.size() >= 1000);
  std::map<std::string, std::shared_ptr<const Template>> templates;  // parsed once, rendered many times
  std::map<std::string, size_t> failures_by_template;
  size_t identical = 0;
  for (const ordered_json& row : rows) {
    const std::string name = row["template"];
    const ordered_json& conversation = inputs["conversations"][row["conversation"].get<std::string>()];
    std::string rendered, error;
    try {
      auto& parsed = templates[name];
      if (!parsed) parsed = std::make_shared<Template>(chat_template_fixtures::read_file(root + "/templates/" + name), name);
      ConversationOptions options;
      options.render = chat_template_fixtures::fixed_date();
      options.variables = inputs["special_tokens"];
      if (conversation.contains("tools")) options.tools = conversation["tools"];
      if (conversation.contains("documents")) options.documents = conversation["documents"];
      options.add_generation_prompt = row.value("add_generation_prompt", false);
      options.continue_final_message = row.value("continue_final_message", false);
      rendered = render_conversation(*parsed, conversation["messages"], options).text;
    } catch (const std::exception& e) {
      error = chat_template_fixtures::error_kind(e);
      rendered = e.what();
    }
    const bool same = row.contains("error") ? error == row["error"].get<std::string>()
                                            : error.empty() && rendered == row["expected"].get<std::string>();
    if (same) {
      ++identical;
      continue;
    }
    ++failures_by_template[name];
    INFO(name << " x " << row["conversation"] << " add_generation_prompt=" << row.value("add_generation_prompt", false));
    if (row.contains("error")) {
      CHECK(error == row["error"].get<std::string>());
    } else {
      CHECK(rendered == row["expected"].get<std::string>());
    }
  }
  WARN(identical << " of " << rows.size() << " template x conversation x option renders identical to transformers, over "
                 << templates.size() << " templates");
  CHECK(identical == rows.size());
}
