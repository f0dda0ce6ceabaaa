// The engine case by case (filters, tests, methods, loops, macros, whitespace control, undefined
// values, errors), against jinja2 in transformers' environment (engine.jsonl).
#include <catch2/catch.hpp>

#include "chat_templates/fixture_support.hpp"

using namespace transformers::chat_templates;

TEST_CASE("engine cases render as jinja2 does in transformers' environment", "[chat_templates]") {
  const auto rows = chat_template_fixtures::read_jsonl(chat_template_fixtures::folder() + "/engine.jsonl");
  REQUIRE(rows.size() >= 100);
  for (const auto& row : rows) {
    const std::string name = row["name"];
    SECTION(name) {
      INFO("template: " << row["template"].get<std::string>());
      std::string rendered, error;
      try {
        rendered = Template(row["template"].get<std::string>(), name).render(row["context"], chat_template_fixtures::fixed_date());
      } catch (const std::exception& e) {
        error = chat_template_fixtures::error_kind(e);
        INFO(e.what());
      }
      if (row.contains("error")) {
        CHECK(error == row["error"].get<std::string>());
      } else {
        CHECK(error == "");
        CHECK(rendered == row["expected"].get<std::string>());
      }
    }
  }
}
