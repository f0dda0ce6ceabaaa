// pipeline("sentiment-analysis") from C++: the task's default model
// (distilbert/distilbert-base-uncased-finetuned-sst-2-english) from the Hugging Face cache, or
// the model given with --model. Prints the Python pipeline's JSON for each text.
//
//   sentiment [--model ID_OR_FOLDER] TEXT [TEXT ...]
#include <iostream>
#include <string>
#include <vector>

#include <transformers/transformers.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) {
  auto [model, args] = parse_example_args(argc, argv);
  if (args.empty()) {
    std::cerr << "usage: " << argv[0] << " [--model ID_OR_FOLDER] TEXT [TEXT ...]\n";
    return 2;
  }
  try {
    auto classify = transformers::pipeline("sentiment-analysis", model);
    for (const std::string& text : args) std::cout << (*classify)(text).dump() << "\n";
  } catch (const transformers::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
