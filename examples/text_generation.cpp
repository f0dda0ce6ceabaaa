// pipeline("text-generation") from C++: each prompt continued by the model given with --model (a
// folder or a Hub id in the Hugging Face cache), greedily and at most 40 new tokens. Prints the
// Python pipeline's JSON for each prompt.
//
//   text_generation --model ID_OR_FOLDER PROMPT [PROMPT ...]
#include <iostream>
#include <string>

#include <transformers/transformers.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) {
  auto [model, prompts] = parse_example_args(argc, argv);
  if (model.empty() || prompts.empty()) {
    std::cerr << "usage: " << argv[0] << " --model ID_OR_FOLDER PROMPT [PROMPT ...]\n";
    return 2;
  }
  try {
    auto generator = transformers::pipeline("text-generation", model);
    const nlohmann::json settings = {{"max_new_tokens", 40}, {"do_sample", false}};
    for (const std::string& prompt : prompts) std::cout << (*generator)(prompt, settings).dump() << "\n";
  } catch (const transformers::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
