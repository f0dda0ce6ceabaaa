// bench_seq2seq: times beam-search generation with an encoder-decoder (T5, BART, Marian) through the
// public API an application uses: AutoModelForSeq2SeqLM::from_pretrained and generate() on a padded
// batch. bench_seq2seq.py runs it next to CTranslate2 and PyTorch on the same random-weight models
// and the same ids (see its docstring).
//
//   bench_seq2seq --model DIR --inputs FILE.json [--beams 4] [--max-new-tokens 64] [--min-new-tokens N]
//                 [--runs 5] [--warmup 1] [--quantization int8|int4]
//
// FILE.json: {"input_ids": [[...], ...], "attention_mask": [[...], ...]} (a right-padded batch). Each
// run is one generate() of the whole batch, timed with std::chrono::steady_clock; threads come from
// OMP_NUM_THREADS. Prints one JSON line:
//   {"median_s", "min_s", "runs_s", "new_tokens", "sequences"}
// new_tokens: the tokens generated over the batch's returned sequences (start token excluded).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench_util.hpp"
#include "transformers/generation/generate.hpp"
#include "transformers/models/auto.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
using transformers::Tensor;

struct Options {
  std::string model, inputs, quantization;
  int64_t beams = 4, max_new_tokens = 64, min_new_tokens = 0;
  int runs = 5, warmup = 1;
};

[[noreturn]] void usage(const std::string& message) {
  std::fprintf(stderr,
               "bench_seq2seq: %s\n"
               "usage: bench_seq2seq --model DIR --inputs FILE.json [--beams 4] [--max-new-tokens 64]\n"
               "                     [--min-new-tokens N] [--runs 5] [--warmup 1] [--quantization int8|int4]\n",
               message.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--model") o.model = value;
    else if (flag == "--inputs") o.inputs = value;
    else if (flag == "--quantization") o.quantization = value;
    else if (flag == "--beams") o.beams = std::stoll(value);
    else if (flag == "--max-new-tokens") o.max_new_tokens = std::stoll(value);
    else if (flag == "--min-new-tokens") o.min_new_tokens = std::stoll(value);
    else if (flag == "--runs") o.runs = std::stoi(value);
    else if (flag == "--warmup") o.warmup = std::stoi(value);
    else usage("unknown option " + flag);
  }
  if (o.model.empty() || o.inputs.empty()) usage("--model and --inputs are required");
  return o;
}

// A [rows, columns] int64 tensor from a JSON list of equally long lists.
Tensor matrix(const json& rows, const std::string& name) {
  if (!rows.is_array() || rows.empty()) usage(name + " must be a non-empty list of lists");
  std::vector<int64_t> flat;
  for (const json& row : rows) {
    if (row.size() != rows[0].size()) usage(name + ": rows differ in length");
    for (const json& v : row) flat.push_back(v.get<int64_t>());
  }
  return Tensor::from_vector(flat, {static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::ifstream in(o.inputs);
  if (!in) usage("cannot read " + o.inputs);
  const json inputs = json::parse(in);
  const Tensor ids = matrix(inputs.at("input_ids"), "input_ids");
  transformers::GenerateOptions options;
  options.attention_mask = matrix(inputs.at("attention_mask"), "attention_mask");

  transformers::LoadOptions load;
  load.quantization = o.quantization;
  const auto model = transformers::AutoModelForSeq2SeqLM::from_pretrained(o.model, load);
  json kwargs = {{"num_beams", o.beams}, {"max_new_tokens", o.max_new_tokens}, {"do_sample", false}};
  if (o.min_new_tokens > 0) kwargs["min_new_tokens"] = o.min_new_tokens;
  const auto config = transformers::GenerationConfig::from_pretrained(o.model).updated(kwargs);

  for (int i = 0; i < o.warmup; ++i) transformers::generate(*model, ids, config, options);
  std::vector<double> runs;
  transformers::GenerateOutput out;
  for (int i = 0; i < o.runs; ++i) {
    const auto start = Clock::now();
    out = transformers::generate(*model, ids, config, options);
    runs.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  const int64_t rows = out.sequences.size(0), length = out.sequences.size(1);
  const std::vector<int64_t> flat = out.sequences.to_vector<int64_t>();
  const int64_t pad = config.pad_token_id.value_or(-1);
  json sequences = json::array();
  int64_t new_tokens = 0;
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<int64_t> row(flat.begin() + r * length, flat.begin() + (r + 1) * length);
    for (int64_t c = 1; c < length; ++c) new_tokens += row[static_cast<size_t>(c)] != pad;
    sequences.push_back(row);
  }
  const json result = {{"median_s", bench::median_of(runs)},
                       {"min_s", *std::min_element(runs.begin(), runs.end())},
                       {"runs_s", runs},
                       {"new_tokens", new_tokens},
                       {"sequences", sequences}};
  std::printf("%s\n", result.dump().c_str());
  return 0;
}
