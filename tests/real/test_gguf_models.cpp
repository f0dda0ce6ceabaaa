// The two real LLMs that PyPI packages ship as GGUF files, loaded as transformers loads them
// (from_pretrained(folder, gguf_file=...), dequantized to float32): from the same input ids, the last
// position's logits within 1e-3 of transformers' and the greedy 64 new tokens identical, on ten
// prompts each (scripts/make_real_gguf_fixtures.py); the tokenizer read from the same file gives
// transformers' input ids. Where transformers' top-2 margin at some step is
// under 1e-3 the continuation is checked by teacher forcing instead.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "real/real_models.hpp"
#include "transformers/generation/generate.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

using namespace transformers;
using nlohmann::json;

namespace {

std::vector<json> fixture_rows(const std::string& name) {
  std::ifstream in(std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "real" / name / "logits.jsonl");
  REQUIRE(in.good());
  std::vector<json> rows;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(json::parse(line));
  return rows;
}

Tensor ids_tensor(const std::vector<int64_t>& ids) {
  return Tensor::from_vector(ids, {1, static_cast<int64_t>(ids.size())});
}

// Logits [n, vocab] of every position of `ids`.
std::vector<float> all_logits(const PreTrainedModel& model, const std::vector<int64_t>& ids) {
  ModelInputs in;
  in.input_ids = ids_tensor(ids);
  return model.forward(in).logits.to(DType::F32).contiguous().to_vector<float>();
}

void check_against_transformers(const std::string& fixture, const std::string& gguf_path) {
  const auto model = AutoModelForCausalLM::from_pretrained(gguf_path, LoadOptions{});
  const PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained(gguf_path);
  for (const json& row : fixture_rows(fixture)) {
    INFO(row["prompt"].get<std::string>());
    const std::vector<int64_t> prompt = row["input_ids"].get<std::vector<int64_t>>();
    // The GGUF tokenizer agrees with transformers' on these prompts (where the two differ, see the
    // README's "Tokenizers from GGUF files", the model is still fed transformers' ids).
    CHECK(tokenizer.encode(row["prompt"].get<std::string>()) == prompt);
    const std::vector<float> logits = all_logits(*model, prompt);
    const size_t vocab = logits.size() / prompt.size();
    const std::vector<int64_t> indices = row["logit_indices"].get<std::vector<int64_t>>();
    const std::vector<float> want = row["logits"].get<std::vector<float>>();
    float worst = 0;
    for (size_t i = 0; i < indices.size(); ++i)
      worst = std::max(worst, std::abs(logits[(prompt.size() - 1) * vocab + indices[i]] - want[i]));
    INFO("largest logit difference " << worst);
    CHECK(worst <= 1e-3f);

    const std::vector<int64_t> expected = row["greedy_new_tokens"].get<std::vector<int64_t>>();
    if (row["min_margin"].get<double>() >= 1e-3) {
      GenerationConfig config =
          GenerationConfig::from_json({{"do_sample", false}, {"max_new_tokens", expected.size()}});
      const GenerateOutput out = generate(*model, ids_tensor(prompt), config);
      std::vector<int64_t> sequence = out.sequences.contiguous().to_vector<int64_t>();
      CHECK(std::vector<int64_t>(sequence.begin() + static_cast<ptrdiff_t>(prompt.size()), sequence.end()) == expected);
    } else {  // teacher forcing: each of transformers' tokens is our top token or within the margin of it
      std::vector<int64_t> forced = prompt;
      forced.insert(forced.end(), expected.begin(), expected.end() - 1);
      const std::vector<float> steps = all_logits(*model, forced);
      for (size_t step = 0; step < expected.size(); ++step) {
        const float* at = steps.data() + (prompt.size() - 1 + step) * vocab;
        const float best = *std::max_element(at, at + vocab);
        INFO("step " << step);
        CHECK(best - at[expected[step]] < 1e-3f);
      }
    }
  }
}

// The same file kept quantized (LoadOptions::keep_quantized: blocks multiplied as stored with
// int8-rounded activations, as llama.cpp computes): the last position's logits at the fixture's
// indices with cosine >= 0.999 to transformers' (the project's bar for bf16), and, fed
// transformers' greedy tokens (teacher forcing), each of them within `margin` of our top token and
// our top token at 99 % of the steps or more (measured: all of them, on both models).
void check_kept_quantized(const std::string& fixture, const std::string& gguf_path, float margin) {
  LoadOptions options;
  options.keep_quantized = true;
  const auto model = AutoModelForCausalLM::from_pretrained(gguf_path, options);
  int steps = 0, top = 0;
  for (const json& row : fixture_rows(fixture)) {
    INFO(row["prompt"].get<std::string>());
    const std::vector<int64_t> prompt = row["input_ids"].get<std::vector<int64_t>>();
    const std::vector<int64_t> expected = row["greedy_new_tokens"].get<std::vector<int64_t>>();
    std::vector<int64_t> forced = prompt;
    forced.insert(forced.end(), expected.begin(), expected.end() - 1);
    const std::vector<float> logits = all_logits(*model, forced);
    const size_t vocab = logits.size() / forced.size();
    const std::vector<int64_t> indices = row["logit_indices"].get<std::vector<int64_t>>();
    const std::vector<float> want = row["logits"].get<std::vector<float>>();
    double dot = 0, norm_got = 0, norm_want = 0;
    for (size_t i = 0; i < indices.size(); ++i) {
      const double got = logits[(prompt.size() - 1) * vocab + static_cast<size_t>(indices[i])];
      dot += got * want[i], norm_got += got * got, norm_want += double(want[i]) * want[i];
    }
    CHECK(dot / std::sqrt(norm_got * norm_want) >= 0.999);
    for (size_t step = 0; step < expected.size(); ++step) {
      const float* at = logits.data() + (prompt.size() - 1 + step) * vocab;
      const float best = *std::max_element(at, at + vocab);
      INFO("step " << step);
      CHECK(best - at[expected[step]] < margin);
      ++steps;
      top += best == at[expected[step]];
    }
  }
  WARN(fixture << " kept quantized: transformers' greedy token is our top token at " << top << " of " << steps
               << " steps");
  CHECK(top >= steps * 99 / 100);
}

}  // namespace

TEST_CASE("SmolLM2-135M-Instruct Q4_1 GGUF kept quantized stays close to transformers", "[smollm2-gguf]") {
  check_kept_quantized("smollm2-gguf", *real_models::smollm2_gguf(), 0.5f);
}

TEST_CASE("Gemma 3 270M Q4_K_M GGUF kept quantized stays close to transformers", "[gemma3-gguf]") {
  check_kept_quantized("gemma3-gguf", *real_models::gemma3_gguf(), 0.5f);
}

TEST_CASE("SmolLM2-135M-Instruct Q4_1 GGUF gives transformers' logits and greedy tokens", "[smollm2-gguf]") {
  check_against_transformers("smollm2-gguf", *real_models::smollm2_gguf());
}

TEST_CASE("Gemma 3 270M Q4_K_M GGUF gives transformers' logits and greedy tokens", "[gemma3-gguf]") {
  check_against_transformers("gemma3-gguf", *real_models::gemma3_gguf());
}
