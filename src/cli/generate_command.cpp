// transformers-cli generate: a causal LM continues a prompt (the arguments joined by spaces, or all
// of stdin), the new text streamed to stdout as it is decided (transformers' TextStreamer chunks);
// a summary with prompt/new token counts and speeds goes to stderr. --json prints one JSON object
// instead. Settings are the model's generation config, then the options, then --kwargs (any
// generate() argument); like the text-generation pipeline, 256 new tokens unless a length is set.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>
#include <transformers/generation/generate.hpp>
#include <transformers/models/auto.hpp>

#include "command_line.hpp"
#include "commands.hpp"

namespace transformers::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

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

// generate()'s keyword arguments from the options.
json generate_kwargs(const CommandLine& args) {
  json kwargs = json::object();
  for (const char* name : {"max-new-tokens", "top-k", "num-beams"})
    if (auto value = args.integer(name)) {
      std::string key(name);
      std::replace(key.begin(), key.end(), '-', '_');
      kwargs[key] = *value;
    }
  for (const char* name : {"temperature", "top-p", "repetition-penalty"})
    if (args.has(name)) {
      std::string key(name);
      std::replace(key.begin(), key.end(), '-', '_');
      kwargs[key] = decimal(args, name);
    }
  if (args.has("sample")) kwargs["do_sample"] = true;
  if (args.has("greedy")) kwargs["do_sample"] = false;
  if (args.has("sample") && args.has("greedy")) throw UsageError("--sample and --greedy contradict each other");
  if (auto extra = args.value("kwargs")) {
    const json parsed = json::parse(*extra, nullptr, false);
    if (!parsed.is_object()) throw UsageError("--kwargs must be a JSON object");
    kwargs.update(parsed);
  }
  return kwargs;
}

std::string prompt_from(const CommandLine& args) {
  std::string prompt;
  for (const std::string& word : args.positionals()) prompt += (prompt.empty() ? "" : " ") + word;
  if (args.positionals().empty()) prompt.assign(std::istreambuf_iterator<char>(std::cin), {});
  return prompt;
}

// Passes chunks on to stdout as they come and notes when the first new token arrived.
class TimedStreamer final : public TextStreamer {
 public:
  TimedStreamer(PreTrainedTokenizerFast tokenizer, bool print)
      : TextStreamer(std::move(tokenizer), /*skip_prompt=*/true, StreamerDecodeOptions{true, std::nullopt},
                     [print](const std::string& text, bool stream_end) {
                       if (!print) return;
                       std::cout << text << (stream_end ? "\n" : "") << std::flush;
                     }) {}
  void put(const Tensor& value) override {
    if (puts_++ == 1) first_token_ = Clock::now();
    TextStreamer::put(value);
  }
  Clock::time_point first_token() const { return first_token_; }

 private:
  size_t puts_ = 0;
  Clock::time_point first_token_;
};

int run_generate(const CommandLine& args) {
  if (!args.has("model")) throw UsageError("--model is required");
  const std::string folder = hub::resolve_model_path(*args.value("model"), {});
  LoadOptions load_options;
  load_options.device = Device(args.value_or("device", "cpu"));
  load_options.dtype = parse_model_dtype(args.value_or("dtype", "auto"));
  const auto loading = Clock::now();
  const std::unique_ptr<PreTrainedModel> model = AutoModelForCausalLM::from_pretrained(folder, load_options);
  const PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained(folder);
  GenerationConfig config = GenerationConfig::from_pretrained(folder).updated(generate_kwargs(args));
  if (!config.max_new_tokens && !config.max_length) config.max_new_tokens = 256;

  const std::string prompt = prompt_from(args);
  const std::vector<int64_t> ids = tokenizer.encode(prompt, !args.has("no-special-tokens"));
  const bool as_json = args.has("json");
  TimedStreamer streamer(tokenizer, !as_json);
  GenerateOptions options;
  options.tokenizer = &tokenizer;
  if (config.beams() == 1) options.streamer = &streamer;
  if (auto seed = args.integer("seed")) options.seed = static_cast<uint64_t>(*seed);

  const auto start = Clock::now();
  const GenerateOutput out =
      generate(*model, Tensor::from_vector(ids, {1, static_cast<int64_t>(ids.size())}), config, options);
  const auto done = Clock::now();
  const std::vector<int64_t> sequence = out.sequences.to_vector<int64_t>();
  const std::vector<int64_t> generated(sequence.begin() + static_cast<int64_t>(ids.size()), sequence.end());
  const std::string text = tokenizer.decode(generated, true);
  if (!options.streamer && !as_json) std::cout << text << "\n";

  // Prefill = prompt to first new token; decode rate over the tokens after the first.
  const bool streamed = options.streamer != nullptr && !generated.empty();
  const double prefill = streamed ? seconds_between(start, streamer.first_token()) : 0.0;
  const double decode = streamed ? seconds_between(streamer.first_token(), done) : seconds_between(start, done);
  const double decode_rate = generated.size() > 1 && decode > 0 ? double(generated.size() - 1) / decode : 0.0;
  const json summary = {{"prompt_tokens", ids.size()},       {"new_tokens", generated.size()},
                        {"load_seconds", seconds_between(loading, start)},
                        {"prefill_seconds", prefill},         {"total_seconds", seconds_between(start, done)},
                        {"decode_tokens_per_second", decode_rate}};
  if (as_json) {
    json line = summary;
    line["generated_text"] = text;
    line["generated_token_ids"] = generated;
    std::cout << line.dump() << "\n";
  } else if (!args.has("quiet")) {
    char buffer[256];
    std::snprintf(buffer, sizeof buffer, "[%zu prompt tokens, %zu new; prefill %.3f s, decode %.1f tokens/s]\n",
                  ids.size(), generated.size(), prefill, decode_rate);
    std::cerr << buffer;
  }
  return 0;
}

}  // namespace

Command generate_command() {
  return {"generate",
          "--model PATH_OR_ID [PROMPT...]",
          "continue a prompt (the arguments, or stdin) with a causal LM, streaming the new text",
          {{"model", "PATH_OR_ID", "model folder or Hub id (config.json, tokenizer.json, weights)"},
           {"device", "DEVICE", "cpu, cuda or cuda:N", "cpu"},
           {"dtype", "DTYPE", "the model's dtype: auto (the checkpoint's), float32, bfloat16 or float16", "auto"},
           {"max-new-tokens", "N", "most tokens to generate", "256, unless the model's generation config sets a length"},
           {"sample", "", "sample (do_sample=True)", "the model's generation config"},
           {"greedy", "", "pick the most likely token (do_sample=False)"},
           {"temperature", "T", "sampling temperature"},
           {"top-k", "K", "sample among the K most likely tokens"},
           {"top-p", "P", "sample among the most likely tokens whose probabilities sum to P"},
           {"repetition-penalty", "R", "penalize tokens already present (1 = none)"},
           {"num-beams", "N", "beam search with N beams (the text is printed at the end)"},
           {"seed", "N", "seed for sampling: the same seed gives the same text", "random"},
           {"no-special-tokens", "", "do not add the tokenizer's special tokens (e.g. bos) to the prompt"},
           {"kwargs", "JSON", "any other generate() arguments, as a JSON object"},
           {"json", "", "print one JSON object (text, ids, token counts, timings) instead of streaming"},
           {"quiet", "", "no summary on stderr"}},
          run_generate};
}

}  // namespace transformers::cli
