// Streaming generation from C++ without the pipeline: AutoModelForCausalLM and AutoTokenizer load
// the model, generate() runs in a worker thread and a TextIteratorStreamer hands its text to this
// one chunk by chunk (whole words), as transformers' TextIteratorStreamer does in Python.
//
//   stream_generation --model ID_OR_FOLDER PROMPT
#include <iostream>
#include <string>
#include <thread>

#include <transformers/transformers.hpp>

#include "example_args.hpp"

int main(int argc, char** argv) {
  auto [model_id, words] = parse_example_args(argc, argv);
  if (model_id.empty() || words.empty()) {
    std::cerr << "usage: " << argv[0] << " --model ID_OR_FOLDER PROMPT\n";
    return 2;
  }
  std::string prompt;
  for (const std::string& word : words) prompt += (prompt.empty() ? "" : " ") + word;
  try {
    using namespace transformers;
    const std::string folder = hub::resolve_model_path(model_id);
    const auto model = AutoModelForCausalLM::from_pretrained(folder);
    const auto tokenizer = AutoTokenizer::from_pretrained(folder);
    GenerationConfig config = GenerationConfig::from_pretrained(folder).updated({{"max_new_tokens", 64}});

    const std::vector<int64_t> ids = tokenizer.encode(prompt);
    // A timeout, so that a failed generate() (reported by the worker) cannot leave us waiting.
    TextIteratorStreamer streamer(tokenizer, /*skip_prompt=*/true, /*timeout=*/60.0);
    GenerateOptions options;
    options.streamer = &streamer;
    std::string failure;
    std::thread worker([&] {
      try {
        generate(*model, Tensor::from_vector(ids, {1, static_cast<int64_t>(ids.size())}), config, options);
      } catch (const std::exception& e) {
        failure = e.what();
        streamer.end();
      }
    });
    std::cout << prompt;
    for (const std::string& chunk : streamer.chunks()) std::cout << chunk << std::flush;
    std::cout << "\n";
    worker.join();
    if (!failure.empty()) throw Error(failure);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
