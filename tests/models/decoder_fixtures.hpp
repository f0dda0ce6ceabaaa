#pragma once
// The tiny decoder fixtures transformers made (tests/fixtures/models/decoders/<model_type>/<case>,
// scripts/make_decoder_fixtures.py; its README lists what each case exercises), and the runs the
// tests compare with them: the full forward, the same logits step by step through a KV cache, and
// greedy generation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "transformers/io/safetensors.hpp"
#include "transformers/models/auto.hpp"

namespace decoder_fixtures {

namespace fs = std::filesystem;

inline fs::path root() { return fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models" / "decoders"; }

// Every case folder of every model_type, sorted; `bf16` picks the bfloat16 cases or the others.
inline std::vector<fs::path> cases(bool bf16) {
  std::vector<fs::path> out;
  for (const auto& family : fs::directory_iterator(root()))
    if (family.is_directory())
      for (const auto& c : fs::directory_iterator(family.path()))
        if (c.is_directory() && (c.path().filename() == "bf16") == bf16) out.push_back(c.path());
  std::sort(out.begin(), out.end());
  return out;
}

inline std::string name(const fs::path& folder) {
  return folder.parent_path().filename().string() + "/" + folder.filename().string();
}

struct Fixture {
  std::shared_ptr<transformers::safetensors::File> inputs, expected;
  explicit Fixture(const fs::path& folder)
      : inputs(transformers::safetensors::File::open((folder / "inputs.safetensors").string())),
        expected(transformers::safetensors::File::open((folder / "expected.safetensors").string())) {}
  transformers::Tensor input(const std::string& key) const { return inputs->get(key); }
  transformers::Tensor want(const std::string& key) const { return expected->get(key); }
};

// Columns [start, end) of a [batch, seq, ...] tensor.
inline transformers::Tensor columns(const transformers::Tensor& t, int64_t start, int64_t end) {
  return t.narrow(1, start, end - start).contiguous();
}

// Largest |a - b| over the positions whose attention mask is 1 (a, b [batch, seq, vocab]).
inline double max_diff_at_tokens(const transformers::Tensor& a, const transformers::Tensor& b,
                                 const transformers::Tensor& attention_mask) {
  REQUIRE(a.shape() == b.shape());
  const std::vector<float> x = a.to_vector<float>(), y = b.to_vector<float>();
  const std::vector<int64_t> mask = attention_mask.to_vector<int64_t>();
  const size_t vocab = static_cast<size_t>(a.size(2));
  double worst = 0.0;
  for (size_t position = 0; position < mask.size(); ++position)
    for (size_t v = 0; mask[position] != 0 && v < vocab; ++v)
      worst = std::max(worst, static_cast<double>(std::fabs(x[position * vocab + v] - y[position * vocab + v])));
  return worst;
}

// The logits of the batch computed through a KV cache: the first `prefill` columns at once, then one
// column at a time, the attention mask growing with them; position ids left to the model.
inline transformers::Tensor cached_logits(const transformers::PreTrainedModel& model, const transformers::Tensor& ids,
                                          const transformers::Tensor& mask, int64_t prefill) {
  const int64_t batch = ids.size(0), seq = ids.size(1);
  transformers::nn::KVCache cache(*model.cache_layout(), batch, seq);
  std::vector<transformers::Tensor> logits;
  for (int64_t start = 0, end = prefill; start < seq; start = end, end = start + 1) {
    transformers::ModelInputs step;
    step.input_ids = columns(ids, start, end);
    step.attention_mask = columns(mask, 0, end);
    step.past_key_values = &cache;
    logits.push_back(model.forward(step).logits);
  }
  REQUIRE(cache.length() == seq);
  return transformers::ops::concat(logits, 1);
}

inline int64_t argmax(const std::vector<float>& row) {
  return static_cast<int64_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

// Appends `column` (one value per row) to a [batch, width] row-major matrix.
inline std::vector<int64_t> with_column(const std::vector<int64_t>& matrix, int64_t width,
                                        const std::vector<int64_t>& column) {
  std::vector<int64_t> out;
  for (size_t b = 0; b < column.size(); ++b) {
    out.insert(out.end(), matrix.begin() + static_cast<int64_t>(b) * width,
               matrix.begin() + static_cast<int64_t>(b + 1) * width);
    out.push_back(column[b]);
  }
  return out;
}

// Greedy decoding through a KV cache, each step asking for the last logits only, the cache dropped
// and the sequence run again where the model asks for it (Phi-3's switch to long rope factors): every
// token must be transformers' (`generated` [batch, steps]), except at the (row, step) pairs
// `forced_at` whose top-2 margin was too small to call, where the logits must match `forced_logits`
// and transformers' token is taken (teacher forcing).
inline void check_greedy(const transformers::PreTrainedModel& model, const Fixture& f) {
  using transformers::Tensor;
  const Tensor generated = f.want("generated");
  const int64_t batch = generated.size(0), steps = generated.size(1);
  const std::vector<int64_t> want = generated.to_vector<int64_t>(),
                             forced_at = f.want("forced_at").to_vector<int64_t>();
  const Tensor forced_logits = f.want("forced_logits");
  std::vector<int64_t> tokens = f.input("input_ids").to_vector<int64_t>(),
                       mask = f.input("attention_mask").to_vector<int64_t>();
  int64_t width = f.input("input_ids").size(1);
  auto cache = std::make_unique<transformers::nn::KVCache>(*model.cache_layout(), batch, width + steps);
  std::vector<int64_t> next;
  for (int64_t t = 0; t < steps; ++t) {
    transformers::ModelInputs step;
    step.attention_mask = Tensor::from_vector(mask, {batch, width});
    step.logits_to_keep = 1;
    if (t > 0 && model.recompute_cache(width, cache->length()))
      cache = std::make_unique<transformers::nn::KVCache>(*model.cache_layout(), batch, width + steps);
    step.input_ids =
        cache->length() == 0 ? Tensor::from_vector(tokens, {batch, width}) : Tensor::from_vector(next, {batch, 1});
    step.past_key_values = cache.get();
    const Tensor logits = model.forward(step).logits;
    REQUIRE((logits.size(0) == batch && logits.size(1) == 1));
    next.assign(static_cast<size_t>(batch), 0);
    for (int64_t b = 0; b < batch; ++b) {
      INFO("row " << b << ", step " << t);
      const Tensor row = logits.select(0, b).select(0, 0);
      const int64_t expected_token = want[static_cast<size_t>(b * steps + t)];
      int64_t forced = -1;
      for (size_t k = 0; 2 * k < forced_at.size(); ++k)
        if (forced_at[2 * k] == b && forced_at[2 * k + 1] == t) forced = static_cast<int64_t>(k);
      if (forced >= 0) {
        REQUIRE_CLOSE(row, forced_logits.select(0, forced), 1e-4);
        next[static_cast<size_t>(b)] = expected_token;
      } else {
        next[static_cast<size_t>(b)] = argmax(row.to_vector<float>());
        REQUIRE(next[static_cast<size_t>(b)] == expected_token);
      }
    }
    tokens = with_column(tokens, width, next);
    mask = with_column(mask, width, std::vector<int64_t>(static_cast<size_t>(batch), 1));
    ++width;
  }
}

}  // namespace decoder_fixtures
