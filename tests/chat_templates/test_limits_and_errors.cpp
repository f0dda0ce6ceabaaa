// What Python would not survive and what a user needs to find a mistake: runaway templates stop
// with LimitExceeded (never a hang or an exhausted memory), errors name the line and column, and
// one parsed Template renders from many threads at once.
#include <catch2/catch.hpp>
#include <thread>

#include "transformers/chat_templates/render_conversation.hpp"

using namespace transformers::chat_templates;
using nlohmann::ordered_json;

namespace {

RenderOptions small_limits() {
  RenderOptions options;
  options.limits.max_steps = 200'000;
  options.limits.max_string_bytes = 1u << 20;
  options.limits.max_collection_items = 100'000;
  return options;
}

}  // namespace

TEST_CASE("runaway templates stop with LimitExceeded", "[chat_templates]") {
  const RenderOptions options = small_limits();
  SECTION("nested loops") {
    CHECK_THROWS_AS(Template("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}").render({}, options),
                    LimitExceeded);
  }
  SECTION("unbounded recursion") {
    CHECK_THROWS_AS(Template("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}").render({}, options), LimitExceeded);
  }
  SECTION("recursive loop") {
    CHECK_THROWS_AS(Template("{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}").render({}, options), LimitExceeded);
  }
  SECTION("string doubling") {
    CHECK_THROWS_AS(Template("{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}")
                        .render({}, options),
                    LimitExceeded);
  }
  SECTION("string repetition") { CHECK_THROWS_AS(Template("{{ 'x' * 10000000000 }}").render({}, options), LimitExceeded); }
  SECTION("list repetition") { CHECK_THROWS_AS(Template("{{ ([1] * 100000000) | length }}").render({}, options), LimitExceeded); }
  SECTION("a loop of filters over a big string") {
    CHECK_THROWS_AS(Template("{% set s = 'x' * 1000000 %}{% for i in range(100000) %}{% set t = s | upper %}{% endfor %}")
                        .render({}, options),
                    LimitExceeded);
  }
  SECTION("a loop copying a big list") {
    CHECK_THROWS_AS(Template("{% set xs = range(100000) | list %}{% for i in range(100000) %}{% set ys = xs + [i] %}{% endfor %}")
                        .render({}, options),
                    LimitExceeded);
  }
  SECTION("output size") {
    CHECK_THROWS_AS(Template("{% for i in range(100000) %}{{ 'y' * 100 }}{% endfor %}").render({}, options), LimitExceeded);
  }
  SECTION("deep nesting in the source") {
    std::string deep = "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}";
    CHECK_THROWS_AS(Template(deep), TemplateSyntaxError);
  }
  SECTION("the default limits stop an endless template too") {
    CHECK_THROWS_AS(Template("{% for a in range(100000) %}{% for b in range(100000) %}{{ '' }}{% endfor %}{% endfor %}").render({}),
                    LimitExceeded);
  }
}

TEST_CASE("errors name the template, line and column", "[chat_templates]") {
  SECTION("syntax error") {
    try {
      Template("line one\n{% if x %}\n  {{ 1 + }}\n{% endif %}", "mine");
      FAIL("no error");
    } catch (const TemplateSyntaxError& e) {
      CHECK(e.template_name() == "mine");
      CHECK(e.line() == 3);
      CHECK(e.column() == 10);
      CHECK(std::string(e.what()).rfind("mine:3:10: ", 0) == 0);
    }
  }
  SECTION("unclosed block") {
    try {
      Template("a\n{% for x in y %}\nno end");
      FAIL("no error");
    } catch (const TemplateSyntaxError& e) {
      CHECK(e.python_type() == "TemplateSyntaxError");
      CHECK(e.line() == 3);
    }
  }
  SECTION("runtime error") {
    try {
      Template("ok\n  {{ messages[0].content + 1 }}").render({{"messages", {{{"content", "hi"}}}}});
      FAIL("no error");
    } catch (const TemplateRuntimeError& e) {
      CHECK(e.python_type() == "TypeError");
      CHECK(e.line() == 2);
      CHECK(e.column() == 26);  // the operator that failed
    }
  }
  SECTION("raise_exception") {
    try {
      Template("{% if true %}\n{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}").render({});
      FAIL("no error");
    } catch (const RaisedException& e) {
      CHECK(e.reason() == "Only user and assistant roles are supported!");
      CHECK(e.line() == 2);
    }
  }
  SECTION("undefined") {
    CHECK_THROWS_AS(Template("{{ nothing.here }}").render({}), TemplateRuntimeError);
  }
}

TEST_CASE("one template renders from many threads", "[chat_templates]") {
  const Template chat_template(
      "{% for m in messages %}<|{{ m.role }}|>{{ m.content | trim }}{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}");
  std::vector<std::thread> threads;
  std::vector<std::string> results(8);
  for (size_t t = 0; t < results.size(); ++t)
    threads.emplace_back([&, t] {
      ConversationOptions options;
      options.add_generation_prompt = true;
      for (int i = 0; i < 200; ++i)
        results[t] = render_conversation(chat_template, ordered_json::parse(R"([{"role":"user","content":" hi "}])"), options).text;
    });
  for (auto& thread : threads) thread.join();
  for (const std::string& result : results) CHECK(result == "<|user|>hi<|assistant|>");
}

TEST_CASE("generation spans cover what {% generation %} writes", "[chat_templates]") {
  const Template chat_template(
      "{% for m in messages %}{% if m.role == 'assistant' %}A:{% generation %}{{ m.content }}{% endgeneration %}\n{% else %}U:{{ m.content }}\n{% endif %}{% endfor %}");
  const RenderOutput output = chat_template.render_with_generation_spans(
      {{"messages", ordered_json::parse(R"([{"role":"user","content":"q"},{"role":"assistant","content":"ünswer"}])")}});
  CHECK(output.text == "U:q\nA:ünswer");  // trim_blocks ate the newline after endgeneration
  REQUIRE(output.generation_spans.size() == 1);
  CHECK(output.text.substr(output.generation_spans[0].first,
                           output.generation_spans[0].second - output.generation_spans[0].first) == "ünswer");
}
