#include "vocabulary.hpp"

#include <algorithm>
#include <limits>

#include "fast_json.hpp"

namespace transformers::tokenizers::detail {

Vocabulary Vocabulary::from_json(const json& vocab, const std::string& where) {
  Vocabulary table;
  if (vocab.is_binary() && vocab.get_binary().has_subtype() && vocab.get_binary().subtype() == kCompactVocabObject) {
    CompactReader reader(vocab.get_binary());
    table.reserve(reader.count(), vocab.get_binary().size());
    while (!reader.done()) {
      const std::string_view token = reader.string();
      table.insert(token, reader.int64());
    }
    table.finish();
    return table;
  }
  if (!vocab.is_object()) throw_config_error(where, "field 'vocab' must be an object of token -> id");
  table.reserve(vocab.size(), 0);
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer()) throw_config_error(where, "field 'vocab': the id of '" + token + "' is not an integer");
    table.insert(token, id.get<int64_t>());
  }
  table.finish();
  return table;
}

void Vocabulary::reserve(size_t tokens, size_t bytes) {
  entries_.reserve(tokens);
  arena_.reserve(bytes);
  if (slots_.size() < flat_capacity(tokens)) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(flat_capacity(tokens), Slot{0, 0});
    const size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
      if (slot.entry_plus_one == 0) continue;
      const uint64_t hash = hash_bytes(text(entries_[slot.entry_plus_one - 1]));
      size_t at = hash & mask;
      while (slots_[at].entry_plus_one != 0) at = (at + 1) & mask;
      slots_[at] = slot;
    }
  }
}

void Vocabulary::grow() { reserve(std::max<size_t>(16, 2 * entries_.size()), 0); }

void Vocabulary::insert(std::string_view token, int64_t id) {
  if (slots_.size() < flat_capacity(entries_.size() + 1)) grow();
  const uint64_t hash = hash_bytes(token);
  const int64_t found = find(token, hash);
  if (found >= 0) {
    entries_[static_cast<size_t>(found)].id = id;
    return;
  }
  if (arena_.size() + token.size() > std::numeric_limits<uint32_t>::max())
    throw_config_error("tokenizer vocab", "more than 4 GB of token text");
  entries_.push_back({static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(token.size()), id});
  arena_.append(token);
  const size_t mask = slots_.size() - 1;
  size_t at = hash & mask;
  while (slots_[at].entry_plus_one != 0) at = (at + 1) & mask;
  slots_[at] = {static_cast<uint32_t>(entries_.size()), static_cast<uint32_t>(hash >> 32)};
}

void Vocabulary::set_token_of_id(int64_t id, uint32_t entry) {
  // Several tokens with one id: the smallest token wins (as iterating a sorted JSON object did).
  auto keep = [&](uint32_t& current) {
    if (current == 0 || text(entries_[entry]) < text(entries_[current - 1])) current = entry + 1;
  };
  const auto dense_limit = static_cast<int64_t>(2 * entries_.size() + 1024);
  if (id >= 0 && id < dense_limit) {
    if (static_cast<size_t>(id) >= dense_entries_.size())
      dense_entries_.resize(std::max(static_cast<size_t>(id) + 1, entries_.size()), 0);
    keep(dense_entries_[static_cast<size_t>(id)]);
  } else {
    keep(sparse_entries_[id]);
  }
}

void Vocabulary::finish() {
  dense_entries_.clear();
  sparse_entries_.clear();
  for (size_t entry = 0; entry < entries_.size(); ++entry)
    set_token_of_id(entries_[entry].id, static_cast<uint32_t>(entry));
  dense_entries_.shrink_to_fit();
  arena_.shrink_to_fit();
}

std::optional<std::string_view> Vocabulary::token(int64_t id) const {
  uint32_t entry = 0;
  if (id >= 0 && static_cast<size_t>(id) < dense_entries_.size()) {
    entry = dense_entries_[static_cast<size_t>(id)];
  } else {
    const auto found = sparse_entries_.find(id);
    if (found != sparse_entries_.end()) entry = found->second;
  }
  if (entry == 0) return std::nullopt;
  return text(entries_[entry - 1]);
}

}  // namespace transformers::tokenizers::detail
