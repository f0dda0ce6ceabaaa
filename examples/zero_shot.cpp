// pipeline("zero-shot-classification") from C++: a text ranked against labels chosen at run time,
// through an NLI model (each label becomes the hypothesis "This example is {label}."). Give an
// NLI model with --model (the Python default, facebook/bart-large-mnli, is a BART model, which
// this library does not run yet).
//
//   zero_shot --model ID_OR_FOLDER [--multi-label] TEXT LABEL [LABEL ...]
#include <iostream>
#include <string>
#include <vector>

#include <transformers/transformers.hpp>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string model;
  bool multi_label = false;
  while (!args.empty() && (args[0] == "--model" || args[0] == "--multi-label")) {
    if (args[0] == "--multi-label") {
      multi_label = true;
      args.erase(args.begin());
    } else if (args.size() >= 2) {
      model = args[1];
      args.erase(args.begin(), args.begin() + 2);
    } else {
      break;
    }
  }
  if (args.size() < 2) {
    std::cerr << "usage: " << argv[0] << " --model ID_OR_FOLDER [--multi-label] TEXT LABEL [LABEL ...]\n";
    return 2;
  }
  try {
    auto classify = transformers::pipeline("zero-shot-classification", model);
    const std::vector<std::string> labels(args.begin() + 1, args.end());
    const nlohmann::json result = (*classify)(args[0], {{"candidate_labels", labels}, {"multi_label", multi_label}});
    for (size_t i = 0; i < result["labels"].size(); ++i)
      std::cout << result["scores"][i] << "\t" << result["labels"][i].get<std::string>() << "\n";
  } catch (const transformers::Error& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
