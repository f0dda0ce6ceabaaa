// transformers-cli perplexity: a causal LM's perplexity on a text file, computed the way llama.cpp's
// llama-perplexity computes it so that the two can be compared on the same GGUF file: the whole
// text tokenized once (with the tokenizer's special tokens, e.g. BOS), cut into chunks of --ctx
// tokens (a partial last chunk is dropped), each chunk's first token replaced by BOS when the
// tokenizer adds one, and the negative log-likelihood of each chunk's second half (the tokens
// after position ctx/2, each predicted from all before it in its chunk). Prints each chunk's running
// estimate and the final one, exp(mean NLL) with its standard error; --json prints an object.
#include <cmath>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <transformers/models/auto.hpp>

#include "command_line.hpp"
#include "commands.hpp"
#include "generation_options.hpp"

namespace transformers::cli {
namespace {

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("--file: cannot read '" + path + "'");
  return {std::istreambuf_iterator<char>(in), {}};
}

// -log p(token) from one row of logits, in double precision (log-sum-exp around the maximum).
double negative_log_likelihood(const float* logits, int64_t vocab, int64_t token) {
  double largest = logits[0];
  for (int64_t i = 1; i < vocab; ++i) largest = std::max(largest, static_cast<double>(logits[i]));
  double sum = 0.0;
  for (int64_t i = 0; i < vocab; ++i) sum += std::exp(static_cast<double>(logits[i]) - largest);
  return largest + std::log(sum) - static_cast<double>(logits[token]);
}

int run_perplexity(const CommandLine& args) {
  if (!args.has("file")) throw UsageError("--file is required");
  const long long context = args.integer("ctx").value_or(512);
  if (context < 4) throw UsageError("--ctx must be at least 4");
  LoadedModel loaded = load_causal_lm(args);
  const std::string text = read_text_file(*args.value("file"));
  const std::vector<int64_t> tokens = loaded.tokenizer.encode(text, /*add_special_tokens=*/true);
  const std::vector<int64_t> plain = loaded.tokenizer.encode(text, /*add_special_tokens=*/false);
  // The tokenizer adds a BOS exactly when the special-token encoding starts with one more token.
  const bool adds_bos = tokens.size() == plain.size() + 1 && !tokens.empty();
  const size_t chunk_size = static_cast<size_t>(context), chunks = tokens.size() / chunk_size;
  if (chunks == 0)
    throw UsageError("--file: " + std::to_string(tokens.size()) + " tokens, fewer than one chunk of --ctx " +
                     std::to_string(context));
  const size_t first = chunk_size / 2;
  double total = 0.0, total_squares = 0.0;
  size_t count = 0;
  nlohmann::json estimates = nlohmann::json::array();
  for (size_t chunk = 0; chunk < chunks; ++chunk) {
    std::vector<int64_t> ids(tokens.begin() + static_cast<std::ptrdiff_t>(chunk * chunk_size),
                             tokens.begin() + static_cast<std::ptrdiff_t>((chunk + 1) * chunk_size));
    if (adds_bos) ids[0] = tokens[0];
    ModelInputs inputs;
    inputs.input_ids = Tensor::from_vector(ids, {1, static_cast<int64_t>(ids.size())});
    const std::vector<float> logits =
        loaded.model->forward(inputs).logits.to(DType::F32).contiguous().to_vector<float>();
    const auto vocab = static_cast<int64_t>(logits.size() / ids.size());
    for (size_t position = first; position + 1 < chunk_size; ++position) {
      const double nll =
          negative_log_likelihood(logits.data() + position * static_cast<size_t>(vocab), vocab, ids[position + 1]);
      total += nll;
      total_squares += nll * nll;
      ++count;
    }
    const double estimate = std::exp(total / static_cast<double>(count));
    estimates.push_back(estimate);
    if (!args.has("json"))
      std::cout << "[" << chunk + 1 << "]" << estimate << (chunk + 1 < chunks ? "," : "\n") << std::flush;
  }
  const double mean = total / static_cast<double>(count);
  const double variance = total_squares / static_cast<double>(count) - mean * mean;
  // The standard error of exp(mean NLL), by the delta method, as llama-perplexity reports it.
  const double error =
      count > 1 ? std::exp(mean) * std::sqrt(std::max(variance, 0.0) / static_cast<double>(count - 1)) : 0.0;
  if (args.has("json")) {
    std::cout << nlohmann::json{{"perplexity", std::exp(mean)},
                                {"standard_error", error},
                                {"chunks", chunks},
                                {"ctx", context},
                                {"scored_tokens", count},
                                {"text_tokens", tokens.size()},
                                {"chunk_estimates", estimates}}
                     .dump()
              << "\n";
  } else {
    std::cout << "Final estimate: PPL = " << std::exp(mean) << " +/- " << error << "\n";
  }
  return 0;
}

}  // namespace

Command perplexity_command() {
  std::vector<OptionSpec> options = model_options();
  for (OptionSpec option :
       {OptionSpec{"file", "PATH", "the text to score"},
        OptionSpec{"ctx", "N", "tokens per chunk; the second half of each is scored (llama-perplexity's -c)", "512"},
        OptionSpec{"json", "", "print one JSON object (perplexity, standard error, chunk estimates)"}})
    options.push_back(std::move(option));
  return {"perplexity", "--model PATH_OR_ID --file PATH",
          "a causal LM's perplexity on a text file, chunked as llama.cpp's llama-perplexity does", std::move(options),
          run_perplexity};
}

}  // namespace transformers::cli
