// pipeline("text2text-generation" / "summarization" / "translation[_xx_to_yy]") against transformers
// 4.57's pipeline code over transformers 5's generate() on a tiny T5 (task_specific_params: prefixes,
// lengths, beams), a tiny BART (bart-large-cnn's kind of generation config) and a tiny Marian with
// MarianTokenizer's files:
// scripts/make_text2text_fixtures.py records every call; each gives the same texts or ids here, each
// refused call is refused. The CLI prints the same records.
#include "recorded_calls.hpp"
#include "test_util.hpp"
#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;
using nlohmann::json;
using recorded::kFixtures;
using recorded::read_lines;
using recorded::require_equal;

namespace {

// One pipeline per (folder, task), loaded once.
const Pipeline& pipeline_for(const std::string& folder, const std::string& task) {
  static std::map<std::string, std::unique_ptr<Pipeline>> loaded;
  auto& slot = loaded[folder + "|" + task];
  if (!slot) slot = pipeline(task, (kFixtures / folder).string());
  return *slot;
}

int replay(const std::string& folder) {
  int compared = 0;
  for (const json& call : read_lines(kFixtures / folder / "calls.jsonl")) {
    INFO(folder << " " << call["task"] << " inputs " << call["inputs"].dump() << " kwargs " << call["kwargs"].dump());
    const Pipeline& pipe = pipeline_for(folder, call["task"]);
    if (call.contains("error")) {
      CHECK_THROWS_AS(pipe(call["inputs"], call["kwargs"]), Error);
      continue;
    }
    require_equal(pipe(call["inputs"], call["kwargs"]), call["output"], 0);
    ++compared;
  }
  return compared;
}

}  // namespace

TEST_CASE("text2text-generation, summarization and translation equal the Python pipelines",
          "[pipelines][python][seq2seq]") {
  CHECK(replay("tiny-t5-text2text") >= 12);
  CHECK(replay("tiny-bart-summarization") >= 5);
  CHECK(replay("tiny-marian-translation") >= 4);  // MarianTokenizer, bad_words_ids for the pad token
}

TEST_CASE("translation pipelines take their task's settings from task_specific_params", "[pipelines][seq2seq]") {
  const auto& translate = dynamic_cast<const Text2TextGenerationPipeline&>(
      pipeline_for("tiny-t5-text2text", "translation_en_to_de"));
  CHECK(translate.prefix() == "translate English to German: ");
  CHECK(translate.generation_config().num_beams == 2);
  CHECK(translate.generation_config().max_length == 14);
  CHECK(translate.generation_config().max_new_tokens == 256);  // the pipeline's default, as 4.57 keeps it
  const auto& plain = dynamic_cast<const Text2TextGenerationPipeline&>(
      pipeline_for("tiny-t5-text2text", "text2text-generation"));
  CHECK(plain.prefix().empty());
  CHECK(plain.generation_config().num_beams == 4);
  CHECK(find_task("translation_en_to_fr").task == "translation");
  CHECK_THROWS_WITH(find_task("translation_en_de"), Catch::Contains("translation_XX_to_YY"));
  CHECK_THROWS_WITH(pipeline("summarization", (kFixtures / "tiny-llama-gen").string()),
                    Catch::Contains("seq2seq-lm"));
  CHECK_THROWS_WITH(pipeline_for("tiny-t5-text2text", "summarization")(json::array()),
                    Catch::Contains("list of strings"));
}

TEST_CASE("transformers-cli pipeline translation_xx_to_yy prints the Python records", "[pipelines][cli][seq2seq]") {
  for (const json& call : read_lines(kFixtures / "tiny-t5-text2text" / "calls.jsonl")) {
    if (call["task"] != "translation_en_to_de" || !call["kwargs"].empty()) continue;
    const std::string command = std::string(TRANSFORMERS_CLI) + " pipeline translation_en_to_de --model " +
                                (kFixtures / "tiny-t5-text2text").string() + " '" +
                                call["inputs"].get<std::string>() + "'";
    const std::vector<std::string> lines = test_util::command_output_lines(command);
    REQUIRE(lines.size() == 1);
    CHECK(json::parse(lines[0]) == call["output"]);
    return;
  }
  FAIL("no recorded translation_en_to_de call without kwargs");
}
