// nn::KVCache: full layers append in place (and grow), sliding layers keep a ring of what later
// queries can still see, long steps join ring and new tokens in index order, reorder moves rows.
#include <catch2/catch.hpp>

#include "test_util.hpp"
#include "transformers/nn/kv_cache.hpp"

using namespace transformers;

namespace {

// Keys whose every element is its cache index + 1000 * row: easy to follow through the cache.
Tensor step_keys(int64_t batch, int64_t kv_heads, int64_t first_index, int64_t n, int64_t head_dim) {
  std::vector<float> values;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < kv_heads; ++h)
      for (int64_t t = 0; t < n; ++t)
        for (int64_t d = 0; d < head_dim; ++d) values.push_back(static_cast<float>(first_index + t + 1000 * b));
  return Tensor::from_vector(values, {batch, kv_heads, n, head_dim});
}

// The cache index each slot's key says it holds (row 0, head 0, first element).
std::vector<int64_t> held(const nn::KVCache::Attended& a) {
  std::vector<int64_t> out;
  const std::vector<float> keys = a.keys.select(0, 0).select(0, 0).select(1, 0).contiguous().to_vector<float>();
  for (size_t i = 0; i < keys.size(); ++i) out.push_back(a.indices[i] < 0 ? -1 : static_cast<int64_t>(keys[i]));
  return out;
}

}  // namespace

TEST_CASE("a full-attention layer appends in place and grows", "[models][kv_cache]") {
  nn::KVCache cache({1, 2, 3, {0}, DType::F32, Device::cpu()}, 2, 4);
  auto a = cache.update(0, step_keys(2, 2, 0, 3, 3), step_keys(2, 2, 0, 3, 3));
  cache.advance(3);
  CHECK(a.indices == std::vector<int64_t>{0, 1, 2});
  CHECK(held(a) == a.indices);
  for (int64_t i = 3; i < 9; ++i) {  // past the initial capacity of 4
    a = cache.update(0, step_keys(2, 2, i, 1, 3), step_keys(2, 2, i, 1, 3));
    cache.advance(1);
  }
  CHECK(cache.length() == 9);
  CHECK(a.keys.size(2) == 9);
  CHECK(held(a) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8});
  // Row 1 kept its own values.
  CHECK(a.values.select(0, 1).select(0, 0).select(0, 4).to_vector<float>() == std::vector<float>(3, 1004.0f));
  CHECK_THROWS_WITH(cache.update(0, step_keys(2, 1, 9, 1, 3), step_keys(2, 1, 9, 1, 3)), Catch::Contains("must both be"));
}

TEST_CASE("a sliding layer keeps a ring that still holds every key a later query can see", "[models][kv_cache]") {
  const int64_t window = 4;
  nn::KVCache cache({1, 1, 2, {window}, DType::F32, Device::cpu()}, 1);
  const int64_t slots = window - 1 + nn::KVCache::kMaxStep;
  // A prompt longer than a short step: it sees everything, in index order; the ring keeps the tail.
  auto prompt = cache.update(0, step_keys(1, 1, 0, 40, 2), step_keys(1, 1, 0, 40, 2));
  cache.advance(40);
  REQUIRE(prompt.indices.size() == 40);
  CHECK(held(prompt) == prompt.indices);
  // Decoding: each step attends to the ring; the last `window` indices are always there.
  for (int64_t i = 40; i < 100; ++i) {
    auto a = cache.update(0, step_keys(1, 1, i, 1, 2), step_keys(1, 1, i, 1, 2));
    cache.advance(1);
    CHECK(a.keys.size(2) == slots);
    CHECK(held(a) == a.indices);
    for (int64_t needed = i - window + 1; needed <= i; ++needed)
      CHECK(std::find(a.indices.begin(), a.indices.end(), needed) != a.indices.end());
  }
}

TEST_CASE("reorder moves whole rows, as beam search needs", "[models][kv_cache]") {
  nn::KVCache cache({2, 1, 1, {0, 3}, DType::F32, Device::cpu()}, 3);
  for (int64_t layer = 0; layer < 2; ++layer) cache.update(layer, step_keys(3, 1, 0, 2, 1), step_keys(3, 1, 0, 2, 1));
  cache.advance(2);
  cache.reorder({2, 2, 0});
  auto a = cache.update(0, step_keys(3, 1, 2, 1, 1), step_keys(3, 1, 2, 1, 1));
  CHECK(a.keys.select(0, 0).contiguous().to_vector<float>() == std::vector<float>{2000, 2001, 2});
  CHECK(a.keys.select(0, 2).contiguous().to_vector<float>() == std::vector<float>{0, 1, 2002});
  CHECK_THROWS_AS(cache.reorder({0}), InvalidArgument);
}

TEST_CASE("rows join aligned on the right, leave, and share their padding", "[models][kv_cache]") {
  const nn::CacheLayout layout{1, 1, 2, {0}, DType::F32, Device::cpu()};
  // Two callers' caches: 3 tokens (values 0..2) and 5 tokens (values 1000..1004, as a row 1 would hold).
  nn::KVCache short_one(layout, 1), long_one(layout, 1);
  short_one.update(0, step_keys(1, 1, 0, 3, 2), step_keys(1, 1, 0, 3, 2));
  short_one.advance(3);
  long_one.update(0, step_keys(1, 1, 1000, 5, 2), step_keys(1, 1, 1000, 5, 2));
  long_one.advance(5);

  nn::KVCache batch(layout, 0, 4, /*row_capacity=*/3);
  CHECK(batch.row_capacity() == 3);
  batch.pad_left(3);  // an empty batch made as long as its first newcomer
  batch.add_row(short_one, 0);
  batch.pad_left(2);  // the longer one comes: everyone moves right
  batch.add_row(long_one, 0);
  REQUIRE(batch.batch() == 2);
  REQUIRE(batch.length() == 5);
  auto a = batch.update(0, step_keys(2, 1, 5, 1, 2), step_keys(2, 1, 5, 1, 2));
  batch.advance(1);
  auto row = [&](int64_t r) { return a.keys.select(0, r).select(0, 0).select(1, 0).contiguous().to_vector<float>(); };
  CHECK(row(0) == std::vector<float>{0, 0, 0, 1, 2, 5});  // two slots of padding (zeros), then its tokens
  CHECK(row(1) == std::vector<float>{1000, 1001, 1002, 1003, 1004, 1005});
  CHECK(a.keys.size(0) == 2);  // only the rows in use are attended

  // The first row leaves: the last takes its place.
  batch.remove_row(0);
  a = batch.update(0, step_keys(1, 1, 1006, 1, 2), step_keys(1, 1, 1006, 1, 2));
  batch.advance(1);
  CHECK(row(0) == std::vector<float>{1000, 1001, 1002, 1003, 1004, 1005, 1006});
  // Positions no row needs any more go.
  batch.trim_left(2);
  CHECK(batch.length() == 5);
  a = batch.update(0, step_keys(1, 1, 1007, 1, 2), step_keys(1, 1, 1007, 1, 2));
  CHECK(row(0) == std::vector<float>{1002, 1003, 1004, 1005, 1006, 1007});

  CHECK_THROWS_WITH(batch.add_row(long_one, 1), Catch::Contains("does not fit"));
  nn::KVCache sliding({1, 1, 2, {4}, DType::F32, Device::cpu()}, 1);
  CHECK_THROWS_WITH(sliding.pad_left(1), Catch::Contains("without sliding windows"));
  CHECK_THROWS_WITH(nn::KVCache(layout, 1, 4, 2).reorder({0}), Catch::Contains("spare rows"));
}
