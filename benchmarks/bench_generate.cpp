// bench_generate: times a causal LM's prefill and greedy decode through the public generate() API,
// as an application calls it: AutoModelForCausalLM::from_pretrained, random prompt ids, generate().
// bench_llm.py runs it next to llama.cpp and PyTorch transformers on the same random-weight model
// (make_random_llama.py); its docstring lists the cases.
//
//   bench_generate --model FOLDER [--dtype auto|float32|bfloat16|float16] [--prompt 512]
//                  [--decode-prompt P] [--new-tokens 128] [--batch 1] [--runs 3] [--warmup 1]
//                  [--threads T] [--seed 1] [--cases prefill,decode] [--adapter [NAME=]PATH]... [--merge]
//
// --adapter loads a PEFT LoRA adapter on the model (repeatable; the first is active), --merge folds
// the active one into the weights (bench_lora.py times the cost of both).
// Inputs: [batch, prompt] ids pseudo-random in [0, vocab_size) (bench_util.hpp's xorshift64), the
// attention mask all ones (so that no id is taken for padding). Each run times, with
// std::chrono::steady_clock:
//   prefill: generate(max_new_tokens = 1) on [batch, prompt]: the prompt's forward pass, the last
//            position's logits and one greedy pick; tokens/s = batch * prompt / seconds.
//   decode:  generate(min_new_tokens = max_new_tokens = N, greedy) on [batch, decode-prompt]
//            (default: the prefill prompt); a streamer notes when the first new token arrives, and
//            the seconds after it are the decode time: tokens/s = batch * (N - 1) / seconds.
// W untimed warm-up generates of 2 new tokens come first. Prints one JSON line for the load, then
// one per case with the medians over --runs:
//   {"case", "batch", "prompt", "new_tokens", "dtype", "median_s", "tokens_per_s", "samples_s", ...}
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_util.hpp"
#include "transformers/core/threads.hpp"
#include "transformers/generation/generate.hpp"
#include "transformers/models/auto.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using transformers::Tensor;

struct Options {
  std::string model, dtype = "auto";
  int64_t prompt = 512, decode_prompt = 0, new_tokens = 128, batch = 1;  // decode_prompt 0: = prompt
  int runs = 3, warmup = 1, threads = 0;                                 // threads 0: the library's default
  uint64_t seed = 1;
  bool prefill = true, decode = true;
  bool keep_quantized = false;  // a GGUF model's blocks multiplied as stored (LoadOptions::keep_quantized)
  std::vector<std::string> adapters;  // --adapter [NAME=]PATH
  bool merge = false;                 // merge_adapter() after loading
};

[[noreturn]] void usage(const std::string& message) {
  std::fprintf(stderr,
               "bench_generate: %s\n"
               "usage: bench_generate --model FOLDER [--dtype auto|float32|bfloat16|float16] [--keep-quantized]\n"
               "                      [--prompt 512]\n"
               "                      [--decode-prompt P] [--new-tokens 128] [--batch 1] [--runs 3] [--warmup 1]\n"
               "                      [--threads T] [--seed 1] [--cases prefill,decode]\n"
               "                      [--adapter [NAME=]PATH]... [--merge]\n",
               message.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (bench::Arguments args(argc, argv, [](const std::string& m) { usage(m); }); args.next();) {
    const std::string& a = args.name();
    if (a == "--model") {
      o.model = args.value();
    } else if (a == "--dtype") {
      o.dtype = args.value();
    } else if (a == "--keep-quantized") {
      o.keep_quantized = true;
    } else if (a == "--adapter") {
      o.adapters.push_back(args.value());
    } else if (a == "--merge") {
      o.merge = true;
    } else if (a == "--prompt") {
      o.prompt = args.integer(1);
    } else if (a == "--decode-prompt") {
      o.decode_prompt = args.integer(1);
    } else if (a == "--new-tokens") {
      o.new_tokens = args.integer(2);
    } else if (a == "--batch") {
      o.batch = args.integer(1);
    } else if (a == "--runs") {
      o.runs = static_cast<int>(args.integer(1));
    } else if (a == "--warmup") {
      o.warmup = static_cast<int>(args.integer(0));
    } else if (a == "--threads") {
      o.threads = static_cast<int>(args.integer(1));
    } else if (a == "--seed") {
      o.seed = static_cast<uint64_t>(args.integer(0));
    } else if (a == "--cases") {
      std::stringstream list(args.value());
      o.prefill = o.decode = false;
      for (std::string name; std::getline(list, name, ',');) {
        if (name == "prefill")
          o.prefill = true;
        else if (name == "decode")
          o.decode = true;
        else
          usage("--cases takes prefill and/or decode, not " + name);
      }
    } else if (a == "--help" || a == "-h") {
      usage("help");
    } else {
      usage("unknown option " + a);
    }
  }
  if (o.model.empty()) usage("--model FOLDER is required");
  if (!o.prefill && !o.decode) usage("--cases names no case");
  if (o.decode_prompt == 0) o.decode_prompt = o.prompt;
  if (o.merge && o.adapters.empty()) usage("--merge needs an --adapter");
  return o;
}

// Notes when generate() hands over the first new tokens (its second put; the first is the prompt).
class FirstTokenClock final : public transformers::BaseStreamer {
 public:
  void put(const Tensor&) override {
    if (puts_++ == 1) first_ = Clock::now();
  }
  void end() override {}
  Clock::time_point first() const { return first_; }
  size_t puts() const { return puts_; }

 private:
  size_t puts_ = 0;
  Clock::time_point first_;
};

double seconds(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

using bench::median_of;

struct Timing {
  double total_s = 0, first_token_s = 0;
};

// One generate() of exactly `new_tokens` greedy tokens, timed.
Timing timed_generate(const transformers::PreTrainedModel& model, const transformers::GenerationConfig& base,
                      const Tensor& ids, int64_t new_tokens) {
  const transformers::GenerationConfig config = base.updated(
      {{"max_new_tokens", new_tokens}, {"min_new_tokens", new_tokens}, {"do_sample", false}, {"num_beams", 1}});
  FirstTokenClock clock;
  transformers::GenerateOptions options;
  options.attention_mask = Tensor::full(ids.shape(), 1.0, transformers::DType::I64);
  options.streamer = &clock;
  const auto start = Clock::now();
  const transformers::GenerateOutput out = transformers::generate(model, ids, config, options);
  const auto done = Clock::now();
  const int64_t generated = out.sequences.size(1) - ids.size(1);
  if (out.sequences.size(0) != ids.size(0) || generated != new_tokens || clock.puts() < 2)
    throw transformers::Error("generate returned " + std::to_string(generated) + " new tokens for " +
                              std::to_string(ids.size(0)) + " rows, asked for " + std::to_string(new_tokens));
  return {seconds(start, done), seconds(start, clock.first())};
}

nlohmann::json case_line(const char* name, const Options& o, int64_t prompt, int64_t new_tokens,
                         const std::vector<double>& samples, double tokens) {
  const double median = median_of(samples);
  return {{"case", name},        {"batch", o.batch}, {"prompt", prompt},   {"new_tokens", new_tokens},
          {"dtype", o.dtype},    {"runs", o.runs},   {"median_s", median}, {"tokens_per_s", tokens / median},
          {"samples_s", samples}};
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    if (o.threads > 0) transformers::set_num_threads(o.threads);

    const auto load_start = Clock::now();
    transformers::LoadOptions load;
    load.dtype = transformers::parse_model_dtype(o.dtype);
    load.keep_quantized = o.keep_quantized;
    for (const std::string& adapter : o.adapters) load.adapters.push_back(transformers::peft::parse_named_adapter(adapter));
    const std::unique_ptr<transformers::PreTrainedModel> model =
        transformers::AutoModelForCausalLM::from_pretrained(o.model, load);
    if (o.merge) model->merge_adapter();
    const transformers::GenerationConfig base = transformers::GenerationConfig::from_pretrained(o.model);
    const double load_s = seconds(load_start, Clock::now());
    const int64_t vocab = model->config().get<int64_t>("vocab_size", 0);
    if (vocab <= 0) throw transformers::Error(o.model + ": config.json has no vocab_size");
    std::printf("%s\n", nlohmann::json{{"case", "load"},
                                       {"model", o.model},
                                       {"dtype", o.dtype},
                                       {"keep_quantized", o.keep_quantized},
                                       {"adapters", o.adapters},
                                       {"merged", o.merge},
                                       {"threads", transformers::get_num_threads()},
                                       {"load_s", load_s}}
                            .dump()
                            .c_str());
    std::fflush(stdout);

    const Tensor prefill_ids = bench::random_ids(o.batch, o.prompt, 0, vocab, o.seed);
    const Tensor decode_ids =
        o.decode_prompt == o.prompt ? prefill_ids : bench::random_ids(o.batch, o.decode_prompt, 0, vocab, o.seed + 1);
    for (int i = 0; i < o.warmup; ++i) {
      if (o.prefill) timed_generate(*model, base, prefill_ids, 2);
      if (o.decode && (!o.prefill || o.decode_prompt != o.prompt)) timed_generate(*model, base, decode_ids, 2);
    }

    std::vector<double> prefill_s, decode_s, first_token_s;
    for (int run = 0; run < o.runs; ++run) {
      if (o.prefill) prefill_s.push_back(timed_generate(*model, base, prefill_ids, 1).total_s);
      if (o.decode) {
        const Timing t = timed_generate(*model, base, decode_ids, o.new_tokens);
        first_token_s.push_back(t.first_token_s);
        decode_s.push_back(t.total_s - t.first_token_s);
      }
    }
    if (o.prefill) {
      const nlohmann::json line =
          case_line("prefill", o, o.prompt, 1, prefill_s, static_cast<double>(o.batch * o.prompt));
      std::printf("%s\n", line.dump().c_str());
    }
    if (o.decode) {
      nlohmann::json line = case_line("decode", o, o.decode_prompt, o.new_tokens, decode_s,
                                      static_cast<double>(o.batch * (o.new_tokens - 1)));
      line["first_token_s"] = median_of(first_token_s);
      std::printf("%s\n", line.dump().c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_generate: %s\n", e.what());
    return 1;
  }
  return 0;
}
