#pragma once
// The command line every example takes: an optional "--model ID_OR_FOLDER" first, then its texts.
#include <string>
#include <vector>

struct ExampleArgs {
  std::string model;               // empty: the task's default model from the Hugging Face cache
  std::vector<std::string> texts;  // the arguments after --model
};

inline ExampleArgs parse_example_args(int argc, char** argv) {
  ExampleArgs parsed{"", std::vector<std::string>(argv + 1, argv + argc)};
  if (parsed.texts.size() >= 2 && parsed.texts[0] == "--model") {
    parsed.model = parsed.texts[1];
    parsed.texts.erase(parsed.texts.begin(), parsed.texts.begin() + 2);
  }
  return parsed;
}
