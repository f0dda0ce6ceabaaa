// pipeline("fill-mask") from C++: the likeliest tokens for the mask in each text. The mask is
// the model's own mask token ([MASK] for BERT, <mask> for RoBERTa). The task's default model
// (distilbert/distilroberta-base) comes from the Hugging Face cache, or give one with --model.
//
//   fill_mask [--model ID_OR_FOLDER] TEXT [TEXT ...]
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
    auto fill = transformers::pipeline("fill-mask", model);
    for (const std::string& text : args) {
      std::cout << text << "\n";
      // one mask gives a list of candidates; several masks a list per mask
      nlohmann::json result = (*fill)(text, {{"top_k", 5}});
      if (!result.empty() && result[0].is_object()) result = nlohmann::json::array({result});
      for (const auto& candidates : result)
        for (const auto& c : candidates)
          std::cout << "  " << c["score"] << "\t" << c["token_str"].get<std::string>() << "\t"
                    << c["sequence"].get<std::string>() << "\n";
    }
  } catch (const transformers::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
