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

#include "flat_hash.hpp"
#include "json_fields.hpp"

namespace transformers::tokenizers::detail {

class Vocabulary {
 public:
  Vocabulary() = default;
  // Reads {"token": id, ...} (or the compact form tokenizer.json loading leaves in its place, see
  // fast_json.hpp); `where` names the owning component.
  static Vocabulary from_json(const json& vocab, const std::string& where);

  // Building: a token seen again takes the new id (as a JSON object's last duplicate key does).
  void reserve(size_t tokens, size_t bytes);
  void insert(std::string_view token, int64_t id);
  void finish();  // after the last insert: builds id -> token

  std::optional<int64_t> id(std::string_view token) const {
    const int64_t found = find(token, hash_bytes(token));
    if (found < 0) return std::nullopt;
    return entries_[static_cast<size_t>(found)].id;
  }
  // Stays valid as long as the Vocabulary.
  std::optional<std::string_view> token(int64_t id) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint32_t offset, length;  // bytes in arena_
    int64_t id;
  };
  struct Slot {
    uint32_t entry_plus_one;  // 0: empty
    uint32_t tag;             // high hash bits, to skip most byte compares
  };

  std::string_view text(const Entry& entry) const { return {arena_.data() + entry.offset, entry.length}; }
  int64_t find(std::string_view token, uint64_t hash) const {  // entry index or -1
    if (slots_.empty()) return -1;
    const size_t mask = slots_.size() - 1;
    const auto tag = static_cast<uint32_t>(hash >> 32);
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
      const Slot slot = slots_[at];
      if (slot.entry_plus_one == 0) return -1;
      if (slot.tag != tag) continue;
      const Entry& entry = entries_[slot.entry_plus_one - 1];
      if (entry.length == token.size() && std::memcmp(arena_.data() + entry.offset, token.data(), token.size()) == 0)
        return slot.entry_plus_one - 1;
    }
  }
  void grow();
  void set_token_of_id(int64_t id, uint32_t entry);

  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  // id -> entry + 1: a plain array for the ids 0..n (vocabs are dense in practice), a map for the rest.
  std::vector<uint32_t> dense_entries_;
  std::unordered_map<int64_t, uint32_t> sparse_entries_;
};

}  // namespace transformers::tokenizers::detail
