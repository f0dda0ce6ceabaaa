// transformers-cli's line-by-line input: the fuzzed bytes after the first are standard input to the
// command the first byte picks (tokenize with --json / --pair / --decode, pipelines of several tasks,
// chat-template), run in-process on tiny fixture models with its output thrown away. The CLI turns a
// typed error into a message and an exit code; a message that shows another exception escaped
// (nlohmann's, the standard library's) is a finding, as is a crash.
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz_input.hpp"

int transformers_cli_main(int argc, char** argv);  // src/cli/main.cpp's main, renamed for this target

namespace {

const std::vector<std::vector<std::string>>& commands() {
  static const std::string fixtures = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/";
  static const std::vector<std::vector<std::string>> list = {
      {"tokenize", "--model", fixtures + "tiny-sentiment", "--json"},
      {"tokenize", "--model", fixtures + "tiny-sentiment", "--json", "--pair"},
      {"tokenize", "--model", fixtures + "tiny-llama-gen", "--decode"},
      {"pipeline", "text-classification", "--model", fixtures + "tiny-sentiment"},
      {"pipeline", "question-answering", "--model", fixtures + "tiny-qa"},
      {"pipeline", "zero-shot-classification", "--model", fixtures + "tiny-nli"},
      {"pipeline", "ner", "--model", fixtures + "tiny-ner"},
      {"chat-template", "--model", fixtures + "tiny-llama-gen"},
  };
  return list;
}

// What only an exception other than the library's typed errors would print.
bool shows_an_untyped_exception(const std::string& errors) {
  for (const char* sign : {"json.exception", "basic_string", "vector::", "std::", "stoi", "stol", "bad_alloc"})
    if (errors.find(sign) != std::string::npos) return true;
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::vector<std::string> args = commands()[data[0] % commands().size()];
  args.insert(args.begin(), "transformers-cli");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  std::istringstream input(fuzz::text(data + 1, size - 1));
  std::ostringstream output, errors;
  std::streambuf* saved_in = std::cin.rdbuf(input.rdbuf());
  std::streambuf* saved_out = std::cout.rdbuf(output.rdbuf());
  std::streambuf* saved_err = std::cerr.rdbuf(errors.rdbuf());
  std::cin.clear();
  transformers_cli_main(static_cast<int>(argv.size()), argv.data());
  std::cin.rdbuf(saved_in);
  std::cout.rdbuf(saved_out);
  std::cerr.rdbuf(saved_err);
  if (std::getenv("FUZZ_CLI_ECHO")) std::cerr << args[1] << " -> " << output.str() << errors.str();
  if (shows_an_untyped_exception(errors.str())) {
    std::cerr << args[1] << " " << args[2] << ": " << errors.str() << "\n";
    std::abort();
  }
  return 0;
}
