// transformers-cli perplexity: llama-perplexity's chunking (BOS first in every chunk, the second half
// of each chunk scored) recomputed here from the library's own forward pass and tokenizer, on the
// tiny Llama of the text-generation tests and the public-domain text benchmarks/README.md scores
// real models on.
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

using namespace transformers;

namespace {

const std::string kModel = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/tiny-llama-gen";
const std::string kText = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/text/public-domain.txt";

test_util::CommandResult perplexity(const std::string& arguments) {
  return test_util::run_command(std::string(TRANSFORMERS_CLI) + " perplexity " + arguments + " </dev/null");
}

// The same measure, written out: chunks of `context` tokens, BOS first, the second half scored.
double expected_perplexity(size_t context, size_t& chunks, size_t& scored) {
  std::ifstream in(kText, std::ios::binary);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  const PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained(kModel);
  const std::vector<int64_t> tokens = tokenizer.encode(text, true);
  REQUIRE(tokens.size() == tokenizer.encode(text, false).size() + 1);  // the fixture's tokenizer adds a BOS
  const auto model = AutoModelForCausalLM::from_pretrained(kModel, LoadOptions{});
  chunks = tokens.size() / context;
  scored = 0;
  double total = 0.0;
  for (size_t chunk = 0; chunk < chunks; ++chunk) {
    std::vector<int64_t> ids(tokens.begin() + static_cast<std::ptrdiff_t>(chunk * context),
                             tokens.begin() + static_cast<std::ptrdiff_t>((chunk + 1) * context));
    ids[0] = tokens[0];
    ModelInputs inputs;
    inputs.input_ids = Tensor::from_vector(ids, {1, static_cast<int64_t>(context)});
    const std::vector<float> logits = model->forward(inputs).logits.to(DType::F32).contiguous().to_vector<float>();
    const size_t vocab = logits.size() / context;
    for (size_t position = context / 2; position + 1 < context; ++position) {
      const float* row = logits.data() + position * vocab;
      double partition = 0.0;
      for (size_t v = 0; v < vocab; ++v) partition += std::exp(static_cast<double>(row[v]));
      total += std::log(partition) - row[static_cast<size_t>(ids[position + 1])];
      ++scored;
    }
  }
  return std::exp(total / static_cast<double>(scored));
}

}  // namespace

TEST_CASE("perplexity scores the second half of each BOS-led chunk", "[cli][perplexity]") {
  const auto result = perplexity("--model " + kModel + " --file " + kText + " --ctx 32 --json");
  INFO(result.output);
  REQUIRE(result.status == 0);
  const nlohmann::json report = nlohmann::json::parse(result.output.substr(result.output.rfind('{')));
  size_t chunks = 0, scored = 0;
  const double want = expected_perplexity(32, chunks, scored);
  CHECK(report["chunks"] == chunks);
  CHECK(report["scored_tokens"] == scored);
  CHECK(scored == chunks * 15);
  CHECK(report["perplexity"].get<double>() == Approx(want).epsilon(1e-9));
  CHECK(report["chunk_estimates"].size() == chunks);
  CHECK(report["standard_error"].get<double>() > 0.0);
}

TEST_CASE("perplexity names what is wrong with its input", "[cli][perplexity]") {
  const auto missing = perplexity("--model " + kModel + " --file /nonexistent/text.txt");
  CHECK(missing.status != 0);
  CHECK_THAT(missing.output, Catch::Contains("--file") && Catch::Contains("/nonexistent/text.txt"));
  const auto too_long = perplexity("--model " + kModel + " --file " + kText + " --ctx 100000");
  CHECK(too_long.status != 0);
  CHECK_THAT(too_long.output, Catch::Contains("fewer than one chunk"));
  const auto no_file = perplexity("--model " + kModel);
  CHECK(no_file.status != 0);
  CHECK_THAT(no_file.output, Catch::Contains("--file is required"));
}
