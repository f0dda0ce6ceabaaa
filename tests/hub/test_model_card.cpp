// Model cards: README.md front matter read with yaml-cpp, and the license notes.
#include <catch2/catch.hpp>

#include <transformers/hub/model_card.hpp>

#include "hub/hub_test_support.hpp"

using namespace transformers::hub;
using namespace hub_test;

TEST_CASE("model card metadata: the fields, lists written either way, YAML types", "[hub][model_card]") {
  const ModelCard card = parse_model_card(R"(---
language:
- en
- fr
license: apache-2.0
library_name: transformers
pipeline_tag: text-classification
base_model: distilbert/distilbert-base-uncased
tags: [sentiment, "1.0"]
datasets:
  - stanfordnlp/sst2
model-index:
- name: tiny
  results: []
widget: {text: "I love this"}
---

# A tiny model
)");
  CHECK(card.has_metadata);
  CHECK(card.license == "apache-2.0");
  CHECK(card.pipeline_tag == "text-classification");
  CHECK(card.library_name == "transformers");
  CHECK(card.base_model == std::vector<std::string>{"distilbert/distilbert-base-uncased"});
  CHECK(card.language == std::vector<std::string>{"en", "fr"});
  CHECK(card.tags == std::vector<std::string>{"sentiment", "1.0"});
  CHECK(card.datasets == std::vector<std::string>{"stanfordnlp/sst2"});
  CHECK(!card.gated);
  CHECK(card.metadata["model-index"][0]["results"].is_array());
  CHECK(card.metadata["widget"]["text"] == "I love this");
  CHECK(card.text == "\n# A tiny model\n");
  CHECK(license_note(card) == std::nullopt);
}

TEST_CASE("model cards without metadata, and malformed ones", "[hub][model_card]") {
  CHECK(!parse_model_card("# Just a README\n").has_metadata);
  CHECK(!parse_model_card("").has_metadata);
  CHECK(parse_model_card("---\n---\ntext").has_metadata);
  try {
    parse_model_card("---\nlicense: [mit\ntags: x\n---\n", "org/model/README.md");
    FAIL("expected FileError");
  } catch (const transformers::FileError& e) {
    CHECK_THAT(std::string(e.what()),
               Catch::Contains("org/model/README.md") && Catch::Contains("malformed YAML") && Catch::Contains("line"));
  }
  CHECK_THROWS_AS(parse_model_card("---\n- a\n- b\n---\n"), transformers::FileError);

  TempDir dir("card");
  CHECK(!read_model_card(dir.str()).has_metadata);  // a folder without README.md
  write_file(dir.path() / "README.md", "---\nlicense: mit\n---\n");
  CHECK(read_model_card(dir.str()).license == "mit");
  CHECK(read_model_card((dir.path() / "README.md").string()).license == "mit");
  CHECK_THROWS_AS(read_model_card((dir.path() / "missing.md").string()), transformers::FileError);
}

TEST_CASE("licenses that restrict use get a note", "[hub][model_card]") {
  auto note_for = [](const std::string& yaml) { return license_note(parse_model_card("---\n" + yaml + "\n---\n")); };
  for (const char* license : {"llama3.1", "llama2", "gemma", "cc-by-nc-4.0", "cc-by-nc-sa-4.0", "openrail",
                              "creativeml-openrail-m", "bigscience-bloom-rail-1.0", "other"}) {
    INFO(license);
    const auto note = note_for(std::string("license: ") + license);
    REQUIRE(note);
    CHECK_THAT(*note, Catch::Contains(license));
  }
  CHECK_THAT(*note_for("license: cc-by-nc-4.0"), Catch::Contains("non-commercial"));
  CHECK_THAT(*note_for("license: other\nlicense_name: acme\nlicense_link: https://example.com/LICENSE"),
             Catch::Contains("acme") && Catch::Contains("https://example.com/LICENSE"));
  for (const char* license : {"mit", "apache-2.0", "bsd-3-clause", "cc-by-4.0"}) {
    INFO(license);
    CHECK(note_for(std::string("license: ") + license) == std::nullopt);
  }
  CHECK_THAT(*note_for("license: mit\ngated: true"), Catch::Contains("gated"));
  CHECK_THAT(*note_for("extra_gated_prompt: You agree"), Catch::Contains("gated"));
  CHECK(note_for("gated: false") == std::nullopt);
}
