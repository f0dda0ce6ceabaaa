// transformers-cli's help: every command lists every option it accepts, with a description and its
// default, and a misspelt option is answered with the nearest real one.
#include <catch2/catch.hpp>
#include <set>
#include <sstream>
#include <string>

#include "test_util.hpp"

namespace {

test_util::CommandResult cli(const std::string& arguments) {
  return test_util::run_command(std::string(TRANSFORMERS_CLI) + " " + arguments + " </dev/null");
}

// The command names of `transformers-cli --help`.
std::vector<std::string> command_names() {
  const auto list = cli("--help");
  REQUIRE(list.status == 0);
  // Rows of the command list: two spaces, a lowercase name, then two or more spaces and the summary.
  std::vector<std::string> names;
  std::istringstream lines(list.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  ", 0) != 0 || line.size() < 3 || line[2] < 'a' || line[2] > 'z') continue;
    const size_t end = line.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", 2);
    if (end == std::string::npos || line.compare(end, 2, "  ") != 0) continue;
    names.push_back(line.substr(2, end - 2));
  }
  return names;
}

struct HelpRow {
  std::string option, value, text;
};

// The "options:" rows of a command's --help.
std::vector<HelpRow> option_rows(const std::string& help) {
  // "  --name VALUE  help text" (VALUE optional, upper case).
  std::vector<HelpRow> rows;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("  --", 0) != 0) continue;
    const size_t name_end = line.find_first_not_of("abcdefghijklmnopqrstuvwxyz-", 4);
    if (name_end == std::string::npos) continue;
    HelpRow row{line.substr(4, name_end - 4), "", ""};
    size_t at = name_end;
    if (line[at] == ' ' && at + 1 < line.size() && line[at + 1] >= 'A' && line[at + 1] <= 'Z') {
      const size_t value_end = line.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_,", at + 1);
      row.value = line.substr(at, value_end - at);
      at = value_end;
    }
    const size_t text = line.find_first_not_of(' ', at);
    if (text == std::string::npos || text - at < 2) continue;
    row.text = line.substr(text);
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("every command's --help lists each option with a description", "[cli]") {
  const auto names = command_names();
  CHECK(std::set<std::string>(names.begin(), names.end()) ==
        std::set<std::string>{"tokenize", "generate", "chat", "perplexity", "chat-template", "pipeline", "serve", "download", "scan-cache", "delete-cache", "info"});
  for (const std::string& name : names) {
    INFO(name);
    const auto help = cli(name + " --help");
    REQUIRE(help.status == 0);
    CHECK_THAT(help.output, Catch::StartsWith("usage: transformers-cli " + name));
    const auto rows = option_rows(help.output);
    CHECK(rows.size() >= 2);  // at least one option and --help
    for (const HelpRow& row : rows) {
      INFO("--" << row.option);
      CHECK(row.text.size() > 8);
      if (row.option == "help") continue;
      // Each listed option is one the parser takes: using it never gives "unknown option".
      const std::string value = row.value.empty() ? "" : " 1";
      const auto used = cli(name + " --" + row.option + value);
      CHECK_THAT(used.output, !Catch::Contains("unknown option"));
    }
  }
}

TEST_CASE("--help shows values and defaults", "[cli]") {
  const auto help = cli("pipeline --help").output;
  CHECK_THAT(help, Catch::Contains("--batch-size N") && Catch::Contains("(default: 1)") &&
                       Catch::Contains("--aggregation-strategy S") && Catch::Contains("--device DEVICE") &&
                       Catch::Contains("(default: cpu)"));
  CHECK_THAT(cli("download --help").output, Catch::Contains("--include GLOB") && Catch::Contains("(repeatable)"));
  CHECK_THAT(cli("pipeline ner --model x --help").output, Catch::Contains("options:"));  // anywhere on the line
}

TEST_CASE("an unknown option names the nearest valid one", "[cli]") {
  const auto typo = cli("pipeline ner --top_k 3");
  CHECK(typo.status == 2);
  CHECK_THAT(typo.output, Catch::Contains("unknown option --top_k; did you mean --top-k?") &&
                              Catch::Contains("usage: transformers-cli pipeline"));
  CHECK_THAT(cli("pipeline ner --agregation-strategy simple").output,
             Catch::Contains("did you mean --aggregation-strategy?"));
  CHECK_THAT(cli("tokenize --modle x").output, Catch::Contains("did you mean --model?"));
  const auto far = cli("download x --zzzzzzzzzz");
  CHECK(far.status == 2);
  CHECK_THAT(far.output, Catch::Contains("unknown option --zzzzzzzzzz") && !Catch::Contains("did you mean"));
}
