// pipeline("question-answering") from C++: the best answers to a question in a context of any
// length (the context is read in overlapping windows), with their character positions. The task's
// default model (distilbert/distilbert-base-cased-distilled-squad) comes from the Hugging Face
// cache, or give one with --model.
//
//   question_answering [--model ID_OR_FOLDER] QUESTION CONTEXT
#include <iostream>
#include <string>
#include <vector>

#include <transformers/transformers.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) {
  auto [model, args] = parse_example_args(argc, argv);
  if (args.size() != 2) {
    std::cerr << "usage: " << argv[0] << " [--model ID_OR_FOLDER] QUESTION CONTEXT\n";
    return 2;
  }
  try {
    auto answer = transformers::pipeline("question-answering", model);
    const nlohmann::json answers = (*answer)({{"question", args[0]}, {"context", args[1]}}, {{"top_k", 3}});
    for (const auto& a : answers.is_array() ? answers : nlohmann::json::array({answers}))
      std::cout << a["score"] << "\t[" << a["start"] << ", " << a["end"] << ")\t" << a["answer"].get<std::string>()
                << "\n";
  } catch (const transformers::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
