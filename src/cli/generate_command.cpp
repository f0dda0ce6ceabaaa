// transformers-cli generate: a causal LM continues a prompt (the arguments joined by spaces, or all
// of stdin; with --chat, a user message through the model's chat template), the new text streamed
// to stdout as it is decided (transformers' TextStreamer chunks); a summary with prompt/new token
// counts and speeds goes to stderr. --json prints one JSON object instead. Settings are the model's
// generation config, then the options, then --kwargs (any generate() argument); like the
// text-generation pipeline, 256 new tokens unless a length is set.
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
#include "generation_options.hpp"

namespace transformers::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
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
  const auto loading = Clock::now();
  const LoadedModel loaded = load_causal_lm(args);
  const PreTrainedModel* model = loaded.model.get();
  const PreTrainedTokenizerFast& tokenizer = loaded.tokenizer;
  const GenerationConfig& config = loaded.config;

  std::string prompt = prompt_from(args);
  bool add_special_tokens = !args.has("no-special-tokens");
  if (args.has("chat") || args.has("system")) {  // the prompt is a user's turn in the model's chat template
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    if (auto system = args.value("system")) messages.push_back({{"role", "system"}, {"content", *system}});
    messages.push_back({{"role", "user"}, {"content", prompt}});
    ChatTemplateOptions chat;
    chat.add_generation_prompt = true;
    prompt = tokenizer.apply_chat_template(messages, chat);
    add_special_tokens = false;  // the template wrote them, as transformers' tokenize=True does
  }
  const std::vector<int64_t> ids = tokenizer.encode(prompt, add_special_tokens);
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
  const json summary = {{"prompt_tokens", ids.size()},
                        {"new_tokens", generated.size()},
                        {"load_seconds", seconds_between(loading, start)},
                        {"prefill_seconds", prefill},
                        {"total_seconds", seconds_between(start, done)},
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
  std::vector<OptionSpec> options = model_options();
  for (OptionSpec& option : generation_options()) options.push_back(std::move(option));
  for (OptionSpec option :
       {OptionSpec{"num-beams", "N", "beam search with N beams (the text is printed at the end)"},
        OptionSpec{"chat", "", "send the prompt as a user message through the model's chat template"},
        OptionSpec{"system", "TEXT", "with --chat: a system message before it (implies --chat)"},
        OptionSpec{"no-special-tokens", "", "do not add the tokenizer's special tokens (e.g. bos) to the prompt"},
        OptionSpec{"json", "", "print one JSON object (text, ids, token counts, timings) instead of streaming"},
        OptionSpec{"quiet", "", "no summary on stderr"}})
    options.push_back(std::move(option));
  return {"generate", "--model PATH_OR_ID [PROMPT...]",
          "continue a prompt (the arguments, or stdin) with a causal LM, streaming the new text", std::move(options),
          run_generate};
}

}  // namespace transformers::cli
