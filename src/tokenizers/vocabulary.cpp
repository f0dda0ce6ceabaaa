#include "vocabulary.hpp"

#include <algorithm>
#include <limits>

#include "fast_json.hpp"

namespace transformers::tokenizers::detail {

namespace {

// tokenizers keeps ids as u32: a negative or larger id is refused at load, as it does.
int64_t checked_id(int64_t id, std::string_view token, const std::string& where) {
  if (id < 0 || id > int64_t{std::numeric_limits<uint32_t>::max()})
    throw_config_error(where, "field 'vocab': the id of '" + std::string(token) + "' is " + std::to_string(id) +
                                  ", outside 0 .. 4294967295");
  return id;
}

}  // namespace

Vocabulary Vocabulary::from_json(const json& vocab, const std::string& where) {
  Vocabulary table;
  if (is_compact(vocab, kCompactVocabObject)) {
    CompactReader reader(vocab.get_binary());
    const size_t count = reader.count();
    table.reserve(count, vocab.get_binary().size() - 8 - 12 * count);
    // Each insert misses the cache: hash kAhead tokens ahead and prefetch their slots.
    constexpr size_t kAhead = 16;
    struct Pending {
      std::string_view token;
      int64_t id;
      uint64_t hash;
    };
    Pending ring[kAhead];
    for (size_t i = 0; i < count + kAhead; ++i) {
      if (i >= kAhead) {
        const Pending& ready = ring[(i - kAhead) % kAhead];
        table.insert(ready.token, ready.id, ready.hash);
      }
      if (i < count) {
        Pending& next = ring[i % kAhead];
        next.token = reader.string();
        next.id = checked_id(reader.int64(), next.token, where);
        next.hash = hash_bytes(next.token);
        __builtin_prefetch(table.probe_address(next.hash));
      }
    }
    table.finish();
    return table;
  }
  if (!vocab.is_object()) throw_config_error(where, "field 'vocab' must be an object of token -> id");
  table.reserve(vocab.size(), 0);
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer())
      throw_config_error(where, "field 'vocab': the id of '" + token + "' is not an integer");
    if (id.is_number_unsigned() && id.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()})
      throw_config_error(where,
                         "field 'vocab': the id of '" + token + "' is " + id.dump() + ", outside 0 .. 4294967295");
    table.insert(token, checked_id(id.get<int64_t>(), token, where));
  }
  table.finish();
  return table;
}

void Vocabulary::rehash(size_t capacity) {
  auto old = std::move(slots_);
  slots_.assign(capacity, Slot{0, kEmpty, 0, 0});
  const size_t mask = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.length == kEmpty) continue;
    size_t at = hash_bytes(text(slot)) & mask;
    while (slots_[at].length != kEmpty) at = (at + 1) & mask;
    slots_[at] = slot;
  }
}

void Vocabulary::reserve(size_t tokens, size_t bytes) {
  arena_.reserve(bytes);
  if (slots_.size() < flat_capacity(tokens)) rehash(flat_capacity(tokens));
}

void Vocabulary::set_id(Slot& slot, int64_t id) {
  if (id > std::numeric_limits<int32_t>::min() && id <= std::numeric_limits<int32_t>::max()) {
    slot.id = static_cast<int32_t>(id);
    large_ids_.erase(slot.offset);
  } else {
    slot.id = kLargeId;
    large_ids_[slot.offset] = id;
  }
}

void Vocabulary::insert(std::string_view token, int64_t id) { insert(token, id, hash_bytes(token)); }

void Vocabulary::insert(std::string_view token, int64_t id, uint64_t hash) {
  if (needs_growth(slots_.size(), size_ + 1)) rehash(flat_capacity(std::max<size_t>(16, 2 * size_)));
  if (const Slot* found = find(token, hash)) {
    set_id(const_cast<Slot&>(*found), id);
    return;
  }
  if (arena_.size() + token.size() >= kEmpty) throw_config_error("tokenizer vocab", "more than 4 GB of token text");
  const size_t mask = slots_.size() - 1;
  size_t at = hash & mask;
  while (slots_[at].length != kEmpty) at = (at + 1) & mask;
  Slot& slot = slots_[at];
  slot = {static_cast<uint32_t>(hash >> 32), static_cast<uint32_t>(token.size()), static_cast<uint32_t>(arena_.size()),
          0};
  arena_.insert(arena_.end(), token.begin(), token.end());
  set_id(slot, id);
  ++size_;
  max_token_bytes_ = std::max(max_token_bytes_, token.size());
}

void Vocabulary::finish() {
  dense_tokens_.clear();
  sparse_tokens_.clear();
  const auto dense_limit = static_cast<int64_t>(2 * size_ + 1024);
  for (const Slot& slot : slots_) {
    if (slot.length == kEmpty) continue;
    const int64_t id = id_of(slot);
    // Several tokens with one id: the smallest token wins (as iterating a sorted JSON object did).
    auto keep = [&](std::pair<uint32_t, uint32_t>& current) {
      if (current.second == kEmpty || text(slot) < std::string_view(arena_.data() + current.first, current.second))
        current = {slot.offset, slot.length};
    };
    if (id >= 0 && id < dense_limit) {
      if (static_cast<size_t>(id) >= dense_tokens_.size())
        dense_tokens_.resize(std::max(static_cast<size_t>(id) + 1, size_), {0, kEmpty});
      keep(dense_tokens_[static_cast<size_t>(id)]);
    } else {
      keep(sparse_tokens_.try_emplace(id, 0, kEmpty).first->second);
    }
  }
  dense_tokens_.shrink_to_fit();
  arena_.shrink_to_fit();
}

std::optional<std::string_view> Vocabulary::token(int64_t id) const {
  std::pair<uint32_t, uint32_t> entry{0, kEmpty};
  if (id >= 0 && static_cast<size_t>(id) < dense_tokens_.size()) {
    entry = dense_tokens_[static_cast<size_t>(id)];
  } else {
    const auto found = sparse_tokens_.find(id);
    if (found != sparse_tokens_.end()) entry = found->second;
  }
  if (entry.second == kEmpty) return std::nullopt;
  return std::string_view(arena_.data() + entry.first, entry.second);
}

}  // namespace transformers::tokenizers::detail
