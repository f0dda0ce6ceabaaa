// pipeline("ner") from C++: named entities with their character spans, the subwords of each word
// merged ("first") and B-/I- tags grouped, as the Python pipeline with aggregation_strategy="first".
// The task's default model (dbmdz/bert-large-cased-finetuned-conll03-english) comes from the
// Hugging Face cache, or give one with --model.
//
//   ner [--model ID_OR_FOLDER] TEXT [TEXT ...]
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
    auto ner = transformers::pipeline("ner", model);
    for (const std::string& text : args) {
      std::cout << text << "\n";
      for (const auto& entity : (*ner)(text, {{"aggregation_strategy", "first"}})) {
        std::cout << "  " << entity["entity_group"].get<std::string>() << "\t" << entity["word"].get<std::string>()
                  << "\t[" << entity["start"] << ", " << entity["end"] << ")\t" << entity["score"] << "\n";
      }
    }
  } catch (const transformers::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
