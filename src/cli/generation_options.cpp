// The options `generate` and `chat` share (see generation_options.hpp).
#include "generation_options.hpp"

#include <algorithm>
#include <exception>
#include <future>

namespace transformers::cli {

namespace {

using nlohmann::json;

double decimal(const CommandLine& args, const std::string& name) {
  const std::string text = *args.value(name);
  try {
    size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw UsageError("--" + name + " expects a number, got '" + text + "'");
}

std::string keyword(std::string option) {  // "top-k" -> "top_k"
  std::replace(option.begin(), option.end(), '-', '_');
  return option;
}

}  // namespace

LoadedModel load_causal_lm(const CommandLine& args) {
  if (!args.has("model")) throw UsageError("--model is required");
  hub::HubOptions hub_options;
  if (auto gguf_file = args.value("gguf-file")) hub_options.gguf_file = *gguf_file;
  std::string source = hub::resolve_model_source(*args.value("model"), hub_options);  // a folder or a .gguf file
  LoadOptions load_options;
  load_options.adapters = adapters_of(args);
  // An adapter folder: the tokenizer and generation config come from its base, the adapter goes on top.
  source = peft::model_source_of(source, load_options.adapters, hub_options);
  load_options.device = Device(args.value_or("device", "cpu"));
  load_options.dtype = parse_model_dtype(args.value_or("dtype", "auto"));
  load_options.keep_quantized = args.has("keep-quantized");
  load_options.quantization = args.value_or("quantization", "");
  // The tokenizer is built on its own thread while the weights load: it is serial work (a GGUF's
  // vocabulary and merges), the weights mostly wait on memory.
  auto tokenizer = std::async(std::launch::async, [&source] { return AutoTokenizer::from_pretrained(source); });
  auto model = AutoModelForCausalLM::from_pretrained(source, load_options);
  LoadedModel loaded{std::move(model), tokenizer.get(),
                     GenerationConfig::from_pretrained(source).updated(generate_kwargs(args))};
  if (!loaded.config.max_new_tokens && !loaded.config.max_length) loaded.config.max_new_tokens = 256;
  return loaded;
}

std::vector<peft::NamedAdapter> adapters_of(const CommandLine& args) {
  std::vector<peft::NamedAdapter> adapters;
  for (const std::string& value : args.values("adapter")) {
    try {
      adapters.push_back(peft::parse_named_adapter(value));
    } catch (const InvalidArgument& e) {
      throw UsageError(std::string("--adapter: ") + e.what());
    }
  }
  return adapters;
}

OptionSpec adapter_option() {
  return {"adapter", "[NAME=]PATH",
          "load this PEFT LoRA adapter folder (or Hub id) on the model, named NAME (default: the folder's name); "
          "repeatable, the first is active",
          "", true};
}

json generate_kwargs(const CommandLine& args) {
  json kwargs = json::object();
  for (const char* name : {"max-new-tokens", "top-k", "num-beams"})
    if (auto value = args.integer(name)) kwargs[keyword(name)] = *value;
  for (const char* name : {"temperature", "top-p", "repetition-penalty"})
    if (args.has(name)) kwargs[keyword(name)] = decimal(args, name);
  if (args.has("sample") && args.has("greedy")) throw UsageError("--sample and --greedy contradict each other");
  if (args.has("sample")) kwargs["do_sample"] = true;
  if (args.has("greedy")) kwargs["do_sample"] = false;
  if (auto extra = args.value("kwargs")) {
    const json parsed = json::parse(*extra, nullptr, false);
    if (!parsed.is_object()) throw UsageError("--kwargs must be a JSON object");
    kwargs.update(parsed);
  }
  return kwargs;
}

std::vector<OptionSpec> model_options() {
  return {{"model", "PATH_OR_ID", "model folder or Hub id (config.json, tokenizer.json, weights), or a .gguf file"},
          {"gguf-file", "NAME", "load the model and tokenizer from this GGUF file of the folder or repo"},
          {"device", "DEVICE", "cpu, cuda or cuda:N", "cpu"},
          {"dtype", "DTYPE",
           "the model's dtype: auto (the checkpoint's; float32 for GGUF), float32, bfloat16 or float16", "auto"},
          {"keep-quantized", "",
           "multiply a GGUF file's Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q2_K-Q6_K weights as stored, activations rounded to int8 "
           "as llama.cpp does (faster, less memory; logits close to, not equal to, transformers')"},
          {"quantization", "int8|int4",
           "quantize floating weights at load into groups of 32 (int8: Q8_0, int4: Q4_1) and multiply them as "
           "blocks (CPU)"},
          adapter_option()};
}

std::vector<OptionSpec> generation_options() {
  return {{"max-new-tokens", "N", "most tokens to generate", "256, unless the model's generation config sets a length"},
          {"sample", "", "sample (do_sample=True)", "the model's generation config"},
          {"greedy", "", "pick the most likely token (do_sample=False)"},
          {"temperature", "T", "sampling temperature"},
          {"top-k", "K", "sample among the K most likely tokens"},
          {"top-p", "P", "sample among the most likely tokens whose probabilities sum to P"},
          {"repetition-penalty", "R", "penalize tokens already present (1 = none)"},
          {"seed", "N", "seed for sampling: the same seed gives the same text", "random"},
          {"kwargs", "JSON", "any other generate() arguments, as a JSON object"}};
}

}  // namespace transformers::cli
