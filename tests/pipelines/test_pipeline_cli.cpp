// transformers-cli pipeline on the fixture models: inputs from stdin (JSON lines) with options,
// one output line per input equal to what Python's pipeline returned for that input alone.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "recorded_calls.hpp"
#include "test_util.hpp"

using nlohmann::json;
using recorded::kFixtures;

namespace {

// The recorded calls of one model whose kwargs are exactly `kwargs` and whose input is one item.
std::vector<json> calls_with(const std::string& model, const json& kwargs, bool (*single)(const json&)) {
  std::vector<json> calls;
  for (const json& call : recorded::read_lines(kFixtures / model / "expected.jsonl"))
    if (call["kwargs"] == kwargs && call.contains("output") && single(call["inputs"])) calls.push_back(call);
  return calls;
}

bool is_string(const json& inputs) { return inputs.is_string(); }
bool is_object(const json& inputs) { return inputs.is_object(); }
// A word list or a batch of them (is_split_into_words).
bool is_array(const json& inputs) { return inputs.is_array(); }

// Runs `transformers-cli pipeline TASK --model MODEL OPTIONS` with the calls' inputs as stdin JSON
// lines and checks each output line against the call's recorded output.
void check_cli(const std::string& task, const std::string& model, const std::string& options,
               const std::vector<json>& calls) {
  REQUIRE(!calls.empty());
  const auto input = std::filesystem::temp_directory_path() / ("transformers_cli_" + task + ".jsonl");
  {
    std::ofstream out(input);
    for (const json& call : calls) out << call["inputs"].dump() << "\n";
  }
  const std::string command = std::string(TRANSFORMERS_CLI) + " pipeline " + task + " --model '" +
                              (kFixtures / model).string() + "' " + options + " < '" + input.string() + "'";
  std::vector<json> lines;
  for (const std::string& line : test_util::command_output_lines(command)) lines.push_back(json::parse(line));
  std::filesystem::remove(input);
  REQUIRE(lines.size() == calls.size());
  for (size_t i = 0; i < calls.size(); ++i) {
    INFO("input " << calls[i]["inputs"].dump());
    recorded::require_equal(lines[i], calls[i]["output"], 1e-4);
  }
}

}  // namespace

TEST_CASE("transformers-cli pipeline prints Python's outputs", "[pipelines][cli]") {
  SECTION("ner, --aggregation-strategy, batched") {
    check_cli("ner", "tiny-ner", "--aggregation-strategy first --batch-size 3",
              calls_with("tiny-ner", {{"aggregation_strategy", "first"}}, is_string));
  }
  SECTION("ner, --is-split-into-words: word lists batched, a batch line alone, --delimiter") {
    const json words = {{"is_split_into_words", true}, {"aggregation_strategy", "first"}};
    std::vector<json> calls = calls_with(
        "tiny-ner", {{"is_split_into_words", true}, {"aggregation_strategy", "first"}, {"batch_size", 3}}, is_array);
    REQUIRE(calls.size() == 1);  // one line holding a batch of four word lists
    for (const json& call : calls_with("tiny-ner", words, is_array)) calls.push_back(call);
    check_cli("ner", "tiny-ner", "--is-split-into-words --aggregation-strategy first --batch-size 3", calls);
    json dashed = words;
    dashed["delimiter"] = "--";
    check_cli("ner", "tiny-ner", "--is-split-into-words --aggregation-strategy first --delimiter=--",
              calls_with("tiny-ner", dashed, is_array));
    // Plain text lines are not word lists: each runs alone and is refused, never merged into one.
    const auto input = std::filesystem::temp_directory_path() / "transformers_cli_ner_texts.txt";
    std::ofstream(input) << "Sarah lives\nin Paris\n";
    const std::string command = std::string(TRANSFORMERS_CLI) + " pipeline ner --model '" +
                                (kFixtures / "tiny-ner").string() + "' --is-split-into-words --batch-size 2 < '" +
                                input.string() + "' 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[4096];
    for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
    CHECK(pclose(pipe) != 0);
    std::filesystem::remove(input);
    CHECK_THAT(output, Catch::Contains("the input must be a list of words"));
  }
  SECTION("question-answering, JSON lines, --top-k") {
    check_cli("question-answering", "tiny-qa", "", calls_with("tiny-qa", json::object(), is_object));
    check_cli("question-answering", "tiny-qa", "--top-k 3 --batch-size 2",
              calls_with("tiny-qa", {{"top_k", 3}}, is_object));
  }
  SECTION("fill-mask, one and several masks, batched") {
    check_cli("fill-mask", "tiny-mlm", "--batch-size 2", calls_with("tiny-mlm", json::object(), is_string));
  }
  SECTION("zero-shot-classification, --candidate-labels, --multi-label") {
    const json labels = {"sports", "politics", "music", "food"};
    check_cli("zero-shot-classification", "tiny-nli", "--candidate-labels sports,politics,music,food",
              calls_with("tiny-nli", {{"candidate_labels", labels}}, is_string));
    check_cli("zero-shot-classification", "tiny-nli", "--candidate-labels sports,politics,music,food --multi-label",
              calls_with("tiny-nli", {{"candidate_labels", labels}, {"multi_label", true}}, is_string));
  }
  SECTION("sentiment-analysis keeps the one-input shape when batched") {
    check_cli("sentiment-analysis", "tiny-sentiment", "--batch-size 4",
              calls_with("tiny-sentiment", json::object(), is_string));
  }
}
