// transformers-cli chat: an interactive chat with a causal LM through its chat template. Each line
// read is a user turn; the reply streams as it is generated and joins the history. /reset forgets
// the history, /system TEXT sets the system message (and resets), /exit or end of input (Ctrl-D)
// ends; Ctrl-C stops the reply being generated (the part written so far stays in the history).
// When stdin is not a terminal it reads a script of turns, one per line, and prints the replies.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <transformers/generation/generate.hpp>

#include "commands.hpp"
#include "generation_options.hpp"

namespace transformers::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted = true; }

// Stops generation once Ctrl-C was pressed.
class InterruptCriteria final : public StoppingCriteria {
 public:
  std::vector<bool> operator()(const Tensor& input_ids) const override {
    return std::vector<bool>(static_cast<size_t>(input_ids.size(0)), interrupted.load());
  }
  std::string name() const override { return "InterruptCriteria"; }
};

// The conversation so far, with the system message kept apart so /reset can keep it.
struct Conversation {
  std::string system;
  nlohmann::ordered_json turns = nlohmann::ordered_json::array();

  nlohmann::ordered_json messages() const {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    if (!system.empty()) all.push_back({{"role", "system"}, {"content", system}});
    for (const auto& turn : turns) all.push_back(turn);
    return all;
  }
};

// Generates the assistant's reply to the conversation, streaming it to stdout; returns its text.
std::string reply(const LoadedModel& loaded, const Conversation& conversation, const CommandLine& args) {
  ChatTemplateOptions chat;
  chat.add_generation_prompt = true;
  const std::string prompt = loaded.tokenizer.apply_chat_template(conversation.messages(), chat);
  const std::vector<int64_t> ids = loaded.tokenizer.encode(prompt, /*add_special_tokens=*/false);
  TextStreamer streamer(
      loaded.tokenizer, /*skip_prompt=*/true, StreamerDecodeOptions{true, std::nullopt},
      [](const std::string& text, bool end) { std::cout << text << (end ? "\n" : "") << std::flush; });
  GenerateOptions options;
  options.tokenizer = &loaded.tokenizer;
  options.streamer = &streamer;
  options.stopping_criteria.push_back(std::make_shared<InterruptCriteria>());
  if (auto seed = args.integer("seed")) options.seed = static_cast<uint64_t>(*seed);
  interrupted = false;
  const GenerateOutput out =
      generate(*loaded.model, Tensor::from_vector(ids, {1, static_cast<int64_t>(ids.size())}), loaded.config, options);
  const std::vector<int64_t> sequence = out.sequences.to_vector<int64_t>();
  return loaded.tokenizer.decode({sequence.begin() + static_cast<int64_t>(ids.size()), sequence.end()}, true);
}

int run_chat(const CommandLine& args) {
  LoadedModel loaded = load_causal_lm(args);
  if (loaded.config.beams() != 1) throw UsageError("chat streams its replies: beam search is not available here");
  if (loaded.tokenizer.chat_templates().empty())
    throw UsageError(*args.value("model") + " has no chat template; use `transformers-cli generate` for plain text");
  Conversation conversation;
  conversation.system = args.value_or("system", "");
  const bool terminal = isatty(STDIN_FILENO) != 0;
  std::signal(SIGINT, on_interrupt);
  if (terminal) std::cerr << "(/reset, /system TEXT, /exit; Ctrl-C stops a reply, Ctrl-D ends)\n";
  for (std::string line;;) {
    if (terminal) std::cout << "> " << std::flush;
    if (!std::getline(std::cin, line)) break;
    if (line.empty()) continue;
    if (line == "/exit" || line == "/quit") break;
    if (line == "/reset") {
      conversation.turns = nlohmann::ordered_json::array();
      continue;
    }
    if (line.rfind("/system", 0) == 0) {
      conversation.system = line.size() > 8 ? line.substr(8) : "";
      conversation.turns = nlohmann::ordered_json::array();
      continue;
    }
    conversation.turns.push_back({{"role", "user"}, {"content", line}});
    conversation.turns.push_back({{"role", "assistant"}, {"content", reply(loaded, conversation, args)}});
    if (interrupted && terminal) std::cerr << "[stopped]\n";
  }
  std::signal(SIGINT, SIG_DFL);
  return 0;
}

}  // namespace

Command chat_command() {
  std::vector<OptionSpec> options = model_options();
  for (OptionSpec& option : generation_options()) options.push_back(std::move(option));
  options.push_back({"system", "TEXT", "the system message the conversation starts with"});
  return {"chat", "--model PATH_OR_ID",
          "chat with a model through its chat template (one user turn per line; /reset, /system TEXT, /exit)",
          std::move(options), run_chat};
}

}  // namespace transformers::cli
