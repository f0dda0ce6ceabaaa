#pragma once
// FakeCausalLM: the decoder of scripts/make_generation_fixtures.py in C++. Its logits are a fixed
// function of the tokens it has seen, read back from its KV cache (key = [token id, position id])
// under the attention mask, so that generate's cache, positions, masks and beam reordering all show
// in the tokens:
//   logits[q, v] = (sum over seen tokens s with mask 1 and 0 <= q - s <= 6 of
//                   hash(token_s, position_s, v) * 2^-(q-s) + v * 2^-14) / 16
// (q, s: cache indices), sums of dyadic fractions that are exact in float32 here and in Python.
#include <atomic>
#include <cstdint>
#include <vector>

#include "transformers/models/modeling_outputs.hpp"

namespace generation_test {

inline int64_t token_hash(int64_t token, int64_t position, int64_t v) {
  constexpr uint64_t kMask32 = 0xFFFFFFFFull;
  uint64_t x = (static_cast<uint64_t>(token) * 7919 + static_cast<uint64_t>(position) * 104729 +
                static_cast<uint64_t>(v) * 15485863) &
               kMask32;
  x = ((x ^ (x >> 13)) * 40503) & kMask32;
  x = x ^ (x >> 16);
  return static_cast<int64_t>(x % 64);
}

class FakeCausalLM final : public transformers::PreTrainedModel {
 public:
  static constexpr int64_t kWindow = 6;  // how far back a token is seen

  // sliding_window > 0 gives the cache a sliding layer of that window (7 or more sees everything
  // the model reads, so the results are those of a full layer).
  explicit FakeCausalLM(int64_t vocab_size, int64_t sliding_window = 0, bool has_cache = true)
      : sliding_window_(sliding_window), has_cache_(has_cache) {
    config_.model_type = "fake-decoder";
    config_.vocab_size = vocab_size;
  }

  const transformers::PretrainedConfig& config() const override { return config_; }
  std::optional<transformers::nn::CacheLayout> cache_layout() const override {
    if (!has_cache_) return std::nullopt;
    transformers::nn::CacheLayout layout;
    layout.layers = 1;
    layout.kv_heads = 1;
    layout.head_dim = 2;
    layout.sliding_windows = {sliding_window_};
    return layout;
  }

  mutable std::atomic<int64_t> forward_calls{0};
  mutable std::atomic<int64_t> tokens_fed{0};

  transformers::ModelOutput forward(const transformers::ModelInputs& in, bool = false) const override {
    using transformers::Tensor;
    const int64_t batch = in.input_ids.size(0), n = in.input_ids.size(1), vocab = config_.vocab_size;
    forward_calls += 1;
    tokens_fed += batch * n;
    if (!in.position_ids.defined()) throw transformers::InvalidArgument("FakeCausalLM needs position_ids");
    const std::vector<int64_t> ids = in.input_ids.to_vector<int64_t>();
    const std::vector<int64_t> positions = in.position_ids.to_vector<int64_t>();
    std::vector<float> keys(static_cast<size_t>(batch * n * 2));
    for (int64_t i = 0; i < batch * n; ++i) {
      keys[static_cast<size_t>(2 * i)] = static_cast<float>(ids[static_cast<size_t>(i)]);
      keys[static_cast<size_t>(2 * i + 1)] = static_cast<float>(positions[static_cast<size_t>(i)]);
    }
    Tensor new_keys = Tensor::from_vector(keys, {batch, 1, n, 2});
    Tensor seen = new_keys;
    std::vector<int64_t> indices;
    int64_t past = 0;
    if (in.past_key_values != nullptr) {
      past = in.past_key_values->length();
      auto attended = in.past_key_values->update(0, new_keys, new_keys);
      in.past_key_values->advance(n);
      seen = attended.keys;
      indices = attended.indices;
    } else {
      for (int64_t i = 0; i < n; ++i) indices.push_back(i);
    }
    const int64_t slots = seen.size(2), total = past + n;
    const std::vector<float> seen_values = seen.contiguous().to_vector<float>();
    const std::vector<int64_t> mask = in.attention_mask.defined()
                                          ? in.attention_mask.to_vector<int64_t>()
                                          : std::vector<int64_t>(static_cast<size_t>(batch * total), 1);
    const int64_t kept = in.logits_to_keep > 0 ? std::min(in.logits_to_keep, n) : n;
    std::vector<float> logits;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = n - kept; t < n; ++t) {
        const int64_t q = past + t;
        std::vector<double> acc(static_cast<size_t>(vocab));
        for (int64_t v = 0; v < vocab; ++v) acc[static_cast<size_t>(v)] = static_cast<double>(v) * 0x1p-14;
        for (int64_t s = 0; s < slots; ++s) {
          const int64_t index = indices[static_cast<size_t>(s)];
          if (index < 0 || index > q || q - index > kWindow || mask[static_cast<size_t>(b * total + index)] == 0)
            continue;
          const size_t at = static_cast<size_t>((b * slots + s) * 2);
          const int64_t token = static_cast<int64_t>(seen_values[at]),
                        position = static_cast<int64_t>(seen_values[at + 1]);
          for (int64_t v = 0; v < vocab; ++v)
            acc[static_cast<size_t>(v)] +=
                static_cast<double>(token_hash(token, position, v)) * std::ldexp(1.0, -static_cast<int>(q - index));
        }
        for (double x : acc) logits.push_back(static_cast<float>(x / 16));
      }
    transformers::ModelOutput out;
    out.logits = Tensor::from_vector(logits, {batch, kept, vocab});
    return out;
  }

 private:
  transformers::PretrainedConfig config_;
  int64_t sliding_window_;
  bool has_cache_;
};

}  // namespace generation_test
