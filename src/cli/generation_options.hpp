#pragma once
// What `generate` and `chat` share: loading a causal LM with its tokenizer and generation config
// from --model / --gguf-file / --device / --dtype, the generation options (--max-new-tokens,
// --sample, --temperature, ...) turned into generate() keyword arguments, and their --help rows.
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <transformers/generation/generation_config.hpp>
#include <transformers/models/auto.hpp>
#include <transformers/tokenizers/auto_tokenizer.hpp>

#include "command_line.hpp"

namespace transformers::cli {

struct LoadedModel {
  std::unique_ptr<PreTrainedModel> model;
  PreTrainedTokenizerFast tokenizer;
  GenerationConfig config;  // the model's generation config updated with the options; 256 new tokens unless set
};

// --model (a folder, Hub id, .gguf file or PEFT adapter folder) with --gguf-file, on --device in
// --dtype, with the --adapter folders loaded on it.
LoadedModel load_causal_lm(const CommandLine& args);

// The --adapter [NAME=]PATH values (generate, chat, pipeline), and that option's --help row.
std::vector<peft::NamedAdapter> adapters_of(const CommandLine& args);
OptionSpec adapter_option();

// generate()'s keyword arguments from the generation options and --kwargs.
nlohmann::json generate_kwargs(const CommandLine& args);

// The --help rows of the options load_causal_lm and generate_kwargs read.
std::vector<OptionSpec> model_options();
std::vector<OptionSpec> generation_options();

}  // namespace transformers::cli
