#pragma once
// The key/value cache of a decoder: per layer, keys and values of every token seen so far, written
// in place as tokens arrive (never re-concatenated per token), as transformers' DynamicCache holds
// them: [batch, kv_heads, tokens, head_dim], keys after rotary embedding. A layer with a sliding
// window keeps only what a later query can still see: a ring of window - 1 + kMaxStep slots.
//
// Positions in the cache are "cache indices" (0, 1, 2, ... for every row; left padding included),
// which is what causal and sliding-window masks compare; the rotary position of a token is a
// separate thing (position_ids, from the attention mask). Every row has the same length: batched
// generation pads on the left. A batching server adds and drops sequences between steps with
// add_row / remove_row (rows stay aligned on the right: a shorter newcomer is padded on the left)
// and keeps the common left padding short with pad_left / trim_left.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "transformers/core/error.hpp"
#include "transformers/core/tensor.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::nn {

// What a model's cache holds, which the model describes (PreTrainedModel::cache_layout).
struct CacheLayout {
  int64_t layers = 0, kv_heads = 0, head_dim = 0;
  std::vector<int64_t> sliding_windows;  // per layer: 0 = every earlier token, w = the last w tokens incl. itself
  DType dtype = DType::F32;              // what keys and values are stored in
  Device device = Device::cpu();
};

class KVCache {
 public:
  // A step of at most this many tokens is written into a sliding layer's ring directly; a longer one
  // (a prompt) attends to a temporary join of the ring and the new tokens, then keeps the tail.
  static constexpr int64_t kMaxStep = 16;

  // `capacity`: the tokens a full-attention layer holds before it must grow (generate passes the
  // prompt length + max_new_tokens, so it never grows).
  // `row_capacity`: rows allocated (at least `batch`), for a batching server's add_row; only caches
  // without sliding windows, on the CPU, take more than `batch`.
  KVCache(CacheLayout layout, int64_t batch, int64_t capacity = 256, int64_t row_capacity = 0)
      : layout_(std::move(layout)), batch_(batch), row_capacity_(std::max(batch, row_capacity)) {
    if (static_cast<int64_t>(layout_.sliding_windows.size()) != layout_.layers)
      throw InvalidArgument("KVCache: " + std::to_string(layout_.sliding_windows.size()) + " sliding windows for " +
                            std::to_string(layout_.layers) + " layers");
    if (row_capacity_ > batch_) check_rows_movable("KVCache(row_capacity)");
    for (int64_t w : layout_.sliding_windows) {
      const int64_t slots = w > 0 ? w - 1 + kMaxStep : std::max<int64_t>(capacity, 1);
      layers_.push_back(Layer{allocate(slots), allocate(slots), std::vector<int64_t>(static_cast<size_t>(slots), -1), w, {}, {}});
    }
  }

  int64_t length() const { return length_; }  // tokens every row has written (cache indices 0 .. length-1)
  int64_t batch() const { return batch_; }
  const CacheLayout& layout() const { return layout_; }

  // What one step of attention reads: keys / values [batch, kv_heads, slots, head_dim] and the cache
  // index of each slot (-1: empty). Slots are not in index order in a sliding layer's ring.
  struct Attended {
    Tensor keys, values;
    std::vector<int64_t> indices;
  };

  // Stores this step's keys and values of `layer` ([batch, kv_heads, n, head_dim]: the n new tokens at
  // cache indices length() .. length() + n - 1) and returns what the step attends to. Every layer is
  // updated once per step; then advance(n).
  Attended update(int64_t layer, const Tensor& keys, const Tensor& values) {
    Layer& l = layers_.at(static_cast<size_t>(layer));
    const int64_t n = keys.size(2);
    check_step(keys, values, n);
    if (l.window == 0) return append(l, keys, values, n);
    if (n <= kMaxStep) return write_ring(l, keys, values, n);
    return long_step_on_ring(l, keys, values, n);
  }

  void advance(int64_t n) { length_ += n; }

  // ---- Rows joining and leaving between steps (a batching server; CPU, no sliding windows) ----
  int64_t row_capacity() const { return row_capacity_; }

  // Appends row `row` of `source` (as long as this cache or shorter, same layout) as the last row,
  // its tokens ending where this cache's rows end: its first length() - source.length() cache
  // indices are padding (zeros), which the caller's attention mask hides.
  void add_row(const KVCache& source, int64_t row) {
    check_rows_movable("KVCache::add_row");
    if (batch_ >= row_capacity_) throw InvalidArgument("KVCache::add_row: all " + std::to_string(row_capacity_) + " rows are in use");
    if (row < 0 || row >= source.batch_ || source.length_ > length_ || source.layout_.kv_heads != layout_.kv_heads ||
        source.layout_.head_dim != layout_.head_dim || source.layout_.dtype != layout_.dtype ||
        source.layers_.size() != layers_.size())
      throw InvalidArgument("KVCache::add_row: row " + std::to_string(row) + " of a cache of " +
                            std::to_string(source.length_) + " tokens does not fit a cache of " + std::to_string(length_));
    const int64_t padding = length_ - source.length_;
    for (size_t i = 0; i < layers_.size(); ++i)
      for (bool keys : {true, false}) {
        const Tensor& from = keys ? source.layers_[i].keys : source.layers_[i].values;
        Tensor& to = keys ? layers_[i].keys : layers_[i].values;
        for (int64_t h = 0; h < layout_.kv_heads; ++h) {
          std::memset(slot_ptr(to, batch_, h, 0), 0, bytes_of(padding));
          std::memcpy(slot_ptr(to, batch_, h, padding), slot_ptr(from, row, h, 0), bytes_of(source.length_));
        }
      }
    ++batch_;
  }

  // Drops row `row`; the last row moves into its place.
  void remove_row(int64_t row) {
    check_rows_movable("KVCache::remove_row");
    if (row < 0 || row >= batch_)
      throw InvalidArgument("KVCache::remove_row: row " + std::to_string(row) + " of " + std::to_string(batch_));
    const int64_t last = batch_ - 1;
    if (row != last)
      for (Layer& l : layers_)
        for (Tensor* buffer : {&l.keys, &l.values})
          for (int64_t h = 0; h < layout_.kv_heads; ++h)
            std::memcpy(slot_ptr(*buffer, row, h, 0), slot_ptr(*buffer, last, h, 0), bytes_of(length_));
    --batch_;
    if (batch_ == 0) length_ = 0;
  }

  // Puts `count` padding positions before every row's tokens (a longer newcomer is coming).
  void pad_left(int64_t count) {
    check_rows_movable("KVCache::pad_left");
    for (Layer& l : layers_) {
      if (length_ + count > l.keys.size(2)) grow(l, std::max(length_ + count, 2 * l.keys.size(2)));
      for (Tensor* buffer : {&l.keys, &l.values})
        for (int64_t r = 0; r < batch_; ++r)
          for (int64_t h = 0; h < layout_.kv_heads; ++h) {
            std::memmove(slot_ptr(*buffer, r, h, count), slot_ptr(*buffer, r, h, 0), bytes_of(length_));
            std::memset(slot_ptr(*buffer, r, h, 0), 0, bytes_of(count));
          }
    }
    length_ += count;
  }

  // Removes the first `count` positions of every row: padding in all of them (the caller knows).
  void trim_left(int64_t count) {
    check_rows_movable("KVCache::trim_left");
    if (count < 0 || count > length_)
      throw InvalidArgument("KVCache::trim_left: " + std::to_string(count) + " of " + std::to_string(length_) + " positions");
    for (Layer& l : layers_)
      for (Tensor* buffer : {&l.keys, &l.values})
        for (int64_t r = 0; r < batch_; ++r)
          for (int64_t h = 0; h < layout_.kv_heads; ++h)
            std::memmove(slot_ptr(*buffer, r, h, 0), slot_ptr(*buffer, r, h, count), bytes_of(length_ - count));
    length_ -= count;
  }

  // Beam search: row r of the cache becomes old row rows[r].
  void reorder(const std::vector<int64_t>& rows) {
    if (row_capacity_ != batch_) throw InvalidArgument("KVCache::reorder: not on a cache with spare rows");
    if (static_cast<int64_t>(rows.size()) != batch_)
      throw InvalidArgument("KVCache::reorder: " + std::to_string(rows.size()) + " rows for a batch of " +
                            std::to_string(batch_));
    for (int64_t r : rows)
      if (r < 0 || r >= batch_)
        throw InvalidArgument("KVCache::reorder: row " + std::to_string(r) + " of a batch of " + std::to_string(batch_));
    bool identity = true;
    for (int64_t r = 0; r < batch_; ++r) identity = identity && rows[static_cast<size_t>(r)] == r;
    if (identity) return;
    const Tensor index = Tensor::from_vector(rows, {batch_});
    for (Layer& l : layers_) {
      if (layout_.device.is_cpu()) {
        reorder_on_host(l, rows);
        continue;
      }
      l.keys = ops::index_select(l.keys, 0, index);
      l.values = ops::index_select(l.values, 0, index);
    }
  }

 private:
  struct Layer {
    Tensor keys, values;           // [batch, kv_heads, slots, head_dim]
    std::vector<int64_t> indices;  // cache index held by each slot, -1 when empty
    int64_t window = 0;
    Tensor spare_keys, spare_values;  // reorder's second buffers (host caches only)
  };

  Tensor allocate(int64_t slots) const {
    return Tensor::zeros({row_capacity_, layout_.kv_heads, slots, layout_.head_dim}, layout_.dtype, layout_.device);
  }

  void check_rows_movable(const char* what) const {
    const bool sliding = std::any_of(layout_.sliding_windows.begin(), layout_.sliding_windows.end(),
                                     [](int64_t w) { return w > 0; });
    if (sliding || !layout_.device.is_cpu())
      throw InvalidArgument(std::string(what) + ": rows move only in a CPU cache without sliding windows");
  }

  // Where slot `slot` of head `head` of row `row` starts in a layer's buffer ([rows, heads, slots, dim]).
  unsigned char* slot_ptr(const Tensor& buffer, int64_t row, int64_t head, int64_t slot) const {
    const int64_t slots = buffer.size(2);
    return static_cast<unsigned char*>(buffer.data_ptr()) +
           static_cast<size_t>(((row * layout_.kv_heads + head) * slots + slot) * layout_.head_dim) * dtype_size(layout_.dtype);
  }
  size_t bytes_of(int64_t slots) const {
    return static_cast<size_t>(slots * layout_.head_dim) * dtype_size(layout_.dtype);
  }

  // The rows in use of a layer's buffer.
  Tensor active(const Tensor& buffer) const { return row_capacity_ == batch_ ? buffer : buffer.narrow(0, 0, batch_); }

  // Rows moved on the host through a second buffer kept for the purpose (no allocation per step),
  // copying only the slots written so far: a full-attention layer holds length() of its capacity.
  void reorder_on_host(Layer& l, const std::vector<int64_t>& rows) {
    const int64_t slots = l.keys.size(2);
    const int64_t used = l.window == 0 ? std::min(length_, slots) : slots;
    const size_t row_bytes = static_cast<size_t>(slots * layout_.head_dim) * dtype_size(layout_.dtype);
    const size_t used_bytes = static_cast<size_t>(used * layout_.head_dim) * dtype_size(layout_.dtype);
    for (Tensor* buffer : {&l.keys, &l.values}) {
      Tensor& spare = buffer == &l.keys ? l.spare_keys : l.spare_values;
      if (!spare.defined() || spare.shape() != buffer->shape()) spare = Tensor::empty(buffer->shape(), layout_.dtype);
      const auto* from = static_cast<const unsigned char*>(buffer->data_ptr());
      auto* to = static_cast<unsigned char*>(spare.data_ptr());
      const int64_t heads = layout_.kv_heads;
      for (int64_t r = 0; r < batch_; ++r)
        for (int64_t h = 0; h < heads; ++h)
          std::memcpy(to + static_cast<size_t>(r * heads + h) * row_bytes,
                      from + static_cast<size_t>(rows[static_cast<size_t>(r)] * heads + h) * row_bytes, used_bytes);
      std::swap(*buffer, spare);
    }
  }

  void check_step(const Tensor& keys, const Tensor& values, int64_t n) const {
    const Shape expected{batch_, layout_.kv_heads, n, layout_.head_dim};
    if (keys.shape() != expected || values.shape() != expected)
      throw InvalidArgument("KVCache::update: keys " + keys.describe() + " and values " + values.describe() +
                            " must both be " + shape_str(expected));
  }

  // A full-attention layer: slot i holds cache index i; the buffer doubles when it is full.
  Attended append(Layer& l, const Tensor& keys, const Tensor& values, int64_t n) {
    const int64_t capacity = l.keys.size(2), needed = length_ + n;
    if (needed > capacity) grow(l, std::max(needed, 2 * capacity));
    active(l.keys).narrow(2, length_, n).copy_from(keys);
    active(l.values).narrow(2, length_, n).copy_from(values);
    std::vector<int64_t> indices(static_cast<size_t>(needed));
    for (int64_t i = 0; i < needed; ++i) indices[static_cast<size_t>(i)] = i;
    return {active(l.keys).narrow(2, 0, needed), active(l.values).narrow(2, 0, needed), std::move(indices)};
  }

  void grow(Layer& l, int64_t slots) {
    Tensor keys = allocate(slots), values = allocate(slots);
    keys.narrow(2, 0, length_).copy_from(l.keys.narrow(2, 0, length_));
    values.narrow(2, 0, length_).copy_from(l.values.narrow(2, 0, length_));
    l.keys = keys;
    l.values = values;
    l.indices.assign(static_cast<size_t>(slots), -1);
  }

  // A short step on a sliding layer: each new token goes to slot index % slots, overwriting a token
  // that no query of this step or later can see any more.
  Attended write_ring(Layer& l, const Tensor& keys, const Tensor& values, int64_t n) {
    const int64_t slots = l.keys.size(2);
    for (int64_t t = 0; t < n; ++t) {
      const int64_t index = length_ + t, slot = index % slots;
      l.keys.narrow(2, slot, 1).copy_from(keys.narrow(2, t, 1));
      l.values.narrow(2, slot, 1).copy_from(values.narrow(2, t, 1));
      l.indices[static_cast<size_t>(slot)] = index;
    }
    return {l.keys, l.values, l.indices};
  }

  // A long step (a prompt) on a sliding layer: it attends to the ring's tokens and all its own, joined
  // in index order for this step only; then the ring keeps the last window - 1 + kMaxStep of them.
  Attended long_step_on_ring(Layer& l, const Tensor& keys, const Tensor& values, int64_t n) {
    std::vector<int64_t> order;  // ring slots in index order
    for (int64_t slot = 0; slot < static_cast<int64_t>(l.indices.size()); ++slot)
      if (l.indices[static_cast<size_t>(slot)] >= 0) order.push_back(slot);
    std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return l.indices[static_cast<size_t>(a)] < l.indices[static_cast<size_t>(b)];
    });
    std::vector<Tensor> key_parts, value_parts;
    std::vector<int64_t> indices;
    for (int64_t slot : order) {
      key_parts.push_back(l.keys.narrow(2, slot, 1));
      value_parts.push_back(l.values.narrow(2, slot, 1));
      indices.push_back(l.indices[static_cast<size_t>(slot)]);
    }
    key_parts.push_back(keys);
    value_parts.push_back(values);
    for (int64_t t = 0; t < n; ++t) indices.push_back(length_ + t);
    Attended joined{ops::concat(key_parts, 2), ops::concat(value_parts, 2), indices};
    // Keep the tail: slot = index % slots, as write_ring places them.
    const int64_t slots = l.keys.size(2), total = static_cast<int64_t>(indices.size());
    std::fill(l.indices.begin(), l.indices.end(), -1);
    for (int64_t i = std::max<int64_t>(0, total - slots); i < total; ++i) {
      const int64_t index = indices[static_cast<size_t>(i)], slot = index % slots;
      l.keys.narrow(2, slot, 1).copy_from(joined.keys.narrow(2, i, 1));
      l.values.narrow(2, slot, 1).copy_from(joined.values.narrow(2, i, 1));
      l.indices[static_cast<size_t>(slot)] = index;
    }
    return joined;
  }

  CacheLayout layout_;
  int64_t batch_ = 0;         // rows in use
  int64_t row_capacity_ = 0;  // rows allocated
  int64_t length_ = 0;
  std::vector<Layer> layers_;
};

// An encoder-decoder's cross-attention keys and values per decoder layer ([batch, heads, source
// tokens, head_dim]): projected from the encoder's output by the first decoding step and read by
// every later one, as transformers' EncoderDecoderCache.cross_attention_cache.
struct CrossAttentionCache {
  std::vector<std::pair<Tensor, Tensor>> layers;  // empty until the first step
};

}  // namespace transformers::nn
