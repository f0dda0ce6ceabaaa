// transformers-cli tokenize on a fixture tokenizer: texts (and pairs) as JSON lines on stdin, one
// encoding per output line equal to what transformers returned; --decode turns id lines into text.
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "parity_fixture.hpp"
#include "test_util.hpp"

using parity::json;

namespace {

// Runs the CLI with `stdin_lines` as its input; returns its output lines.
std::vector<std::string> run_cli(const std::string& arguments, const std::vector<std::string>& stdin_lines) {
  const auto input =
      std::filesystem::temp_directory_path() / ("transformers_cli_tokenize_" + std::to_string(::getpid()));
  {
    std::ofstream out(input);
    for (const std::string& line : stdin_lines) out << line << "\n";
  }
  const std::string command = std::string(TRANSFORMERS_CLI) + " tokenize " + arguments + " < '" + input.string() + "'";
  std::vector<std::string> lines = test_util::command_output_lines(command);
  std::filesystem::remove(input);
  return lines;
}

}  // namespace

TEST_CASE("transformers-cli tokenize prints transformers' encodings as JSON lines", "[tokenizers][cli]") {
  const std::string model = parity::fixture_dir("minilm");
  std::vector<json> singles, pairs;
  for (const json& record : parity::read_jsonl(model + "/expected.jsonl")) {
    if (!record.contains("rows") || !record["truncation"].is_null() || !record["padding"].is_null() ||
        !record["add_special_tokens"].get<bool>() || record["texts"].size() != 1)
      continue;
    // These are batched calls, which encode an empty pair as an empty segment; a CLI line is one
    // tokenizer(text, text_pair) call, where "" means no pair (test_model_inputs.cpp checks that).
    if (!record["pairs"].is_null() && record["pairs"][0] == "") continue;
    (record["pairs"].is_null() ? singles : pairs).push_back(record);
  }
  REQUIRE(singles.size() > 40);
  REQUIRE(pairs.size() > 15);

  auto check = [&](const std::vector<json>& records, bool pair) {
    std::vector<std::string> input;
    for (const json& record : records)
      input.push_back(pair ? json::array({record["texts"][0], record["pairs"][0]}).dump() : record["texts"][0].dump());
    const std::vector<std::string> lines = run_cli("--model '" + model + "' --json" + (pair ? " --pair" : ""), input);
    REQUIRE(lines.size() == records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      INFO(input[i]);
      const json out = json::parse(lines[i]), &row = records[i]["rows"][0];
      CHECK(out["input_ids"] == row["ids"]);
      CHECK(out["token_type_ids"] == row["type_ids"]);
      CHECK(out["tokens"] == row["tokens"]);
      CHECK(out["offset_mapping"] == row["offsets"]);
      CHECK(out["word_ids"] == row["word_ids"]);
    }
  };
  check(singles, false);
  check(pairs, true);

  // --decode: id lines (JSON arrays or space-separated) back to text, special tokens kept unless asked.
  const json& row = singles[0]["rows"][0];
  std::string spaced;
  for (const json& id : row["ids"]) spaced += (spaced.empty() ? "" : " ") + id.dump();
  const auto decoded = run_cli("--model '" + model + "' --decode", {row["ids"].dump(), spaced});
  REQUIRE(decoded.size() == 2);
  CHECK(json::parse(decoded[0]) == row["decoded_with_special"]);
  CHECK(json::parse(decoded[1]) == row["decoded_with_special"]);
  const auto skipped = run_cli("--model '" + model + "' --decode --skip-special-tokens", {row["ids"].dump()});
  CHECK(json::parse(skipped.at(0)) == row["decoded"]);
}
