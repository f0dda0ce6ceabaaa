// bench_encoder: times a whole encoder model's forward pass (AutoModel, the base model without a
// task head) on batch x seq token ids, as an application would call it. See README.md, section
// "Encoders vs peers"; bench_encoders.py runs this binary next to PyTorch, ONNX Runtime and
// CTranslate2 on the same inputs.
//
//   bench_encoder (--model FOLDER | --random-config CONFIG_JSON) [--batch B] [--seq L] [--runs N]
//                 [--warmup W] [--threads T] [--seed S] [--json PATH] [--dump PATH] [--quiet]
//                 [--dtype auto|float32|bfloat16|float16]   (the model's dtype, as from_pretrained's)
//
// Inputs: ids pseudo-random in [1000, vocab_size) from a fixed-seed xorshift64 (see input_ids(),
// reproduced by bench_encoders.py), attention mask all ones, no token_type_ids. W untimed warm-up
// runs, then N timed runs; reported: median and min wall-clock ms per forward and tokens/s
// (batch * seq / median). --dump writes the inputs and the last timed run's last_hidden_state to
// a .safetensors file ("input_ids" I64 [B, L], "last_hidden_state" F32 [B, L, H]) for numerics
// checks against other runtimes.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_util.hpp"
#include "transformers/core/threads.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/auto.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using transformers::Tensor;

struct Options {
  std::string model, random_config, json_path, dump_path, dtype = "auto";
  int64_t batch = 1, seq = 16;
  int runs = 20, warmup = 3, threads = 0;  // threads 0: leave the library's default
  uint64_t seed = 1;
  bool quiet = false;
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "bench_encoder: %s\n"
               "usage: bench_encoder (--model FOLDER | --random-config CONFIG_JSON) [--batch B] [--seq L]\n"
               "                     [--runs N] [--warmup W] [--threads T] [--seed S] [--json PATH]\n"
               "                     [--dump PATH] [--quiet]\n"
               "                     [--dtype auto|float32|bfloat16|float16]\n",
               message);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (bench::Arguments args(argc, argv, [](const std::string& m) { usage(m.c_str()); }); args.next();) {
    const std::string& a = args.name();
    if (a == "--model")
      o.model = args.value();
    else if (a == "--random-config")
      o.random_config = args.value();
    else if (a == "--batch")
      o.batch = args.integer(1);
    else if (a == "--seq")
      o.seq = args.integer(1);
    else if (a == "--runs")
      o.runs = static_cast<int>(args.integer(1));
    else if (a == "--warmup")
      o.warmup = static_cast<int>(args.integer(0));
    else if (a == "--threads")
      o.threads = static_cast<int>(args.integer(1));
    else if (a == "--seed")
      o.seed = static_cast<uint64_t>(args.integer(0));
    else if (a == "--json")
      o.json_path = args.value();
    else if (a == "--dump")
      o.dump_path = args.value();
    else if (a == "--quiet")
      o.quiet = true;
    else if (a == "--dtype")
      o.dtype = args.value();
    else if (a == "--help" || a == "-h")
      usage("help");
    else
      usage(("unknown option " + a).c_str());
  }
  if (o.model.empty() == o.random_config.empty()) usage("give exactly one of --model and --random-config");
  return o;
}

// [batch, seq] ids in [1000, vocab) (bench_util.hpp; bench_encoders.py computes the same).
Tensor input_ids(int64_t batch, int64_t seq, int64_t vocab, uint64_t seed) {
  return bench::random_ids(batch, seq, std::min<int64_t>(1000, vocab - 1), vocab, seed);
}

using bench::median_of;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    if (o.threads > 0) transformers::set_num_threads(o.threads);
    const int threads = transformers::get_num_threads();

    const auto load_start = Clock::now();
    const std::string source = o.model.empty() ? o.random_config : o.model;
    transformers::LoadOptions load;
    load.dtype = transformers::parse_model_dtype(o.dtype);
    std::unique_ptr<transformers::PreTrainedModel> model =
        o.model.empty()
            ? transformers::AutoModel::from_config(transformers::PretrainedConfig::from_pretrained(o.random_config))
            : transformers::AutoModel::from_pretrained(o.model, load);
    const double load_ms = ms_since(load_start);
    const transformers::PretrainedConfig& config = model->config();
    const int64_t vocab = config.get<int64_t>("vocab_size", 30522);

    transformers::ModelInputs inputs;
    inputs.input_ids = input_ids(o.batch, o.seq, vocab, o.seed);
    inputs.attention_mask = Tensor::full({o.batch, o.seq}, 1.0, transformers::DType::I64);

    for (int i = 0; i < o.warmup; ++i) model->forward(inputs);
    std::vector<double> samples;
    samples.reserve(static_cast<size_t>(o.runs));
    Tensor last;
    for (int i = 0; i < o.runs; ++i) {
      const auto start = Clock::now();
      transformers::ModelOutput out = model->forward(inputs);
      samples.push_back(ms_since(start));
      if (i + 1 == o.runs) last = out.last_hidden_state;
    }
    const double median_ms = median_of(samples);
    const double min_ms = *std::min_element(samples.begin(), samples.end());
    const double tokens = static_cast<double>(o.batch * o.seq);
    const double tokens_per_s = tokens / (median_ms * 1e-3);

    if (!o.quiet) {
      std::printf("model: %s (%s, %s)\nthreads: %d, load: %.1f ms, warm-up runs: %d\n\n", source.c_str(),
                  config.model_type.c_str(), o.model.empty() ? "random weights" : "pretrained", threads, load_ms,
                  o.warmup);
      std::printf("%6s %6s %6s %12s %12s %12s\n", "batch", "seq", "runs", "median ms", "min ms", "tokens/s");
      std::printf("%s\n", std::string(6 * 3 + 12 * 3 + 5, '-').c_str());
    }
    std::printf("%6lld %6lld %6d %12.3f %12.3f %12.0f\n", static_cast<long long>(o.batch),
                static_cast<long long>(o.seq), o.runs, median_ms, min_ms, tokens_per_s);

    if (!o.json_path.empty()) {
      nlohmann::json j{{"model", source},
                       {"model_type", config.model_type},
                       {"weights", o.model.empty() ? "random" : "pretrained"},
                       {"dtype", o.dtype},
                       {"batch", o.batch},
                       {"seq", o.seq},
                       {"threads", threads},
                       {"warmup", o.warmup},
                       {"runs", o.runs},
                       {"seed", o.seed},
                       {"load_ms", load_ms},
                       {"median_ms", median_ms},
                       {"min_ms", min_ms},
                       {"tokens_per_s", tokens_per_s},
                       {"samples_ms", samples}};
      std::ofstream file(o.json_path);
      if (!(file << j.dump(2) << "\n")) throw transformers::FileError("cannot write " + o.json_path);
      if (!o.quiet) std::printf("wrote %s\n", o.json_path.c_str());
    }
    if (!o.dump_path.empty()) {
      transformers::safetensors::save(o.dump_path, {{"input_ids", inputs.input_ids}, {"last_hidden_state", last}},
                                      {{"model", source}, {"threads", std::to_string(threads)}});
      if (!o.quiet) std::printf("wrote %s\n", o.dump_path.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_encoder: %s\n", e.what());
    return 1;
  }
  return 0;
}
