#pragma once
// Position ids and relative-position buckets that several encoder families share, computed as
// transformers computes them.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "transformers/core/tensor.hpp"

namespace transformers::nn {

// fairseq-style position ids (transformers' create_position_ids_from_input_ids): real tokens
// count from padding_idx + 1 (plus past_length), padding tokens get padding_idx:
// positions = (cumsum(ids != pad) + past_length) * (ids != pad) + pad. input_ids [batch, seq];
// the result is int64 on the host.
inline Tensor padding_offset_position_ids(const Tensor& input_ids, int64_t padding_idx, int64_t past_length = 0) {
  const int64_t batch = input_ids.size(0), seq = input_ids.size(1);
  const std::vector<int64_t> ids = input_ids.to_vector<int64_t>();
  std::vector<int64_t> positions(ids.size());
  for (int64_t b = 0; b < batch; ++b) {
    int64_t count = past_length;
    for (int64_t i = 0; i < seq; ++i) {
      const size_t at = static_cast<size_t>(b * seq + i);
      const bool real = ids[at] != padding_idx;
      if (real) ++count;
      positions[at] = real ? count + padding_idx : padding_idx;
    }
  }
  return Tensor::from_vector(positions, {batch, seq});
}

// T5's relative position bucket (also MPNet's): relative_position = key - query. Bidirectional
// buckets give half of num_buckets to keys after the query; within a half, distances below
// half of it get a bucket each, longer ones share logarithmically sized buckets up to
// max_distance. The logarithm runs in float32, as torch computes it on the float tensor.
inline int64_t relative_position_bucket(int64_t relative_position, bool bidirectional, int64_t num_buckets,
                                        int64_t max_distance) {
  int64_t bucket = 0, distance = 0;
  if (bidirectional) {
    num_buckets /= 2;
    if (relative_position > 0) bucket += num_buckets;
    distance = relative_position < 0 ? -relative_position : relative_position;
  } else {
    distance = -std::min<int64_t>(relative_position, 0);
  }
  const int64_t max_exact = num_buckets / 2;
  if (distance < max_exact) return bucket + distance;
  const float ratio = std::log(static_cast<float>(distance) / static_cast<float>(max_exact)) /
                      static_cast<float>(std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)));
  const int64_t large = max_exact + static_cast<int64_t>(ratio * static_cast<float>(num_buckets - max_exact));
  return bucket + std::min(large, num_buckets - 1);
}

// The buckets of every (query, key) pair of a sequence: int64 [queries, keys] on the host, for
// query positions 0..queries-1 and key positions 0..keys-1.
inline Tensor relative_position_buckets(int64_t queries, int64_t keys, bool bidirectional, int64_t num_buckets,
                                        int64_t max_distance) {
  std::vector<int64_t> buckets(static_cast<size_t>(queries * keys));
  for (int64_t q = 0; q < queries; ++q)
    for (int64_t k = 0; k < keys; ++k)
      buckets[static_cast<size_t>(q * keys + k)] =
          relative_position_bucket(k - q, bidirectional, num_buckets, max_distance);
  return Tensor::from_vector(buckets, {queries, keys});
}

}  // namespace transformers::nn
