#pragma once
// A token <-> id table shared by the models that read a {"token": id} vocab: the tokens' bytes in
// one arena, an open-addressing table of entry indices (no node per token), and a dense id ->
// entry array.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../core/huge_pages.hpp"
#include "flat_hash.hpp"
#include "json_fields.hpp"

namespace transformers::tokenizers::detail {

using transformers::detail::HugePageAllocator;

class Vocabulary {
 public:
  Vocabulary() = default;
  // Reads {"token": id, ...} (or the compact form tokenizer.json loading leaves in its place, see
  // fast_json.hpp); `where` names the owning component.
  static Vocabulary from_json(const json& vocab, const std::string& where);

  // Building: a token seen again takes the new id (as a JSON object's last duplicate key does).
  void reserve(size_t tokens, size_t bytes);
  void insert(std::string_view token, int64_t id);
  void insert(std::string_view token, int64_t id, uint64_t hash);  // hash: hash_bytes(token)
  void finish();                                                   // after the last insert: builds id -> token

  std::optional<int64_t> id(std::string_view token) const { return id(token, hash_bytes(token)); }
  std::optional<int64_t> id(std::string_view token, uint64_t hash) const {
    const Slot* slot = find(token, hash);
    if (!slot) return std::nullopt;
    return slot->id != kLargeId ? int64_t{slot->id} : large_ids_.at(slot->offset);
  }
  // Where id(token, hash) will look first, to prefetch it.
  const void* probe_address(uint64_t hash) const {
    return slots_.empty() ? nullptr : &slots_[hash & (slots_.size() - 1)];
  }
  // Second prefetch stage: once the home slot is in cache, the bytes of the token it holds.
  void prefetch_token(uint64_t hash) const {
    if (slots_.empty()) return;
    const Slot& slot = slots_[hash & (slots_.size() - 1)];
    if (slot.length != kEmpty) __builtin_prefetch(arena_.data() + slot.offset);
  }
  // Stays valid as long as the Vocabulary.
  std::optional<std::string_view> token(int64_t id) const;
  size_t size() const { return size_; }
  size_t max_token_bytes() const { return max_token_bytes_; }

 private:
  // The table holds the entries themselves: a lookup touches one slot and the token's bytes.
  struct Slot {
    uint32_t tag;     // high hash bits, to skip most byte compares
    uint32_t length;  // of the token; kEmpty: an empty slot
    uint32_t offset;  // of the token's bytes in arena_
    int32_t id;       // kLargeId: the id is in large_ids_, keyed by offset
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  static constexpr int32_t kLargeId = INT32_MIN;

  std::string_view text(const Slot& slot) const { return {arena_.data() + slot.offset, slot.length}; }
  const Slot* find(std::string_view token, uint64_t hash) const {
    if (slots_.empty()) return nullptr;
    const size_t mask = slots_.size() - 1;
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
      const Slot& slot = slots_[at];
      if (slot.length == kEmpty) return nullptr;
      if (slot.tag == tag && slot.length == token.size() &&
          bytes_equal(arena_.data() + slot.offset, token.data(), token.size()))
        return &slot;
    }
  }
  // Tokens are short: compared with two overlapping loads (first and last bytes) up to 16 bytes.
  static bool bytes_equal(const char* a, const char* b, size_t n) {
    if (n >= 8 && n <= 16)
      return load<uint64_t>(a) == load<uint64_t>(b) && load<uint64_t>(a + n - 8) == load<uint64_t>(b + n - 8);
    if (n >= 4 && n < 8)
      return load<uint32_t>(a) == load<uint32_t>(b) && load<uint32_t>(a + n - 4) == load<uint32_t>(b + n - 4);
    if (n < 4) {
      for (size_t i = 0; i < n; ++i)
        if (a[i] != b[i]) return false;
      return true;
    }
    return std::memcmp(a, b, n) == 0;
  }
  template <typename T>
  static T load(const char* at) {
    T value;
    std::memcpy(&value, at, sizeof(T));
    return value;
  }
  void rehash(size_t capacity);
  void set_id(Slot& slot, int64_t id);
  int64_t id_of(const Slot& slot) const { return slot.id != kLargeId ? int64_t{slot.id} : large_ids_.at(slot.offset); }

  std::vector<char, HugePageAllocator<char>> arena_;
  std::vector<Slot, HugePageAllocator<Slot>> slots_;
  size_t size_ = 0;
  size_t max_token_bytes_ = 0;
  std::unordered_map<uint32_t, int64_t> large_ids_;  // ids outside int32, by token offset
  // id -> token (offset, length): a plain array for the ids 0..n (vocabs are dense in practice),
  // a map for the rest; length kEmpty: no token.
  std::vector<std::pair<uint32_t, uint32_t>, HugePageAllocator<std::pair<uint32_t, uint32_t>>> dense_tokens_;
  std::unordered_map<int64_t, std::pair<uint32_t, uint32_t>> sparse_tokens_;
};

}  // namespace transformers::tokenizers::detail
