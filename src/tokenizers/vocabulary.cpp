#include "vocabulary.hpp"

#include <algorithm>

namespace transformers::tokenizers::detail {

Vocabulary Vocabulary::from_json(const json& vocab, const std::string& where) {
  if (!vocab.is_object()) throw_config_error(where, "field 'vocab' must be an object of token -> id");
  Vocabulary table;
  table.ids_.reserve(vocab.size());
  const auto dense_limit = static_cast<int64_t>(2 * vocab.size() + 1024);
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer()) throw_config_error(where, "field 'vocab': the id of '" + token + "' is not an integer");
    const auto value = id.get<int64_t>();
    table.ids_.emplace(token, value);
    if (value < 0 || value >= dense_limit) {
      table.sparse_tokens_.emplace(value, token);
      continue;
    }
    const auto index = static_cast<size_t>(value);
    if (index >= table.dense_tokens_.size()) {
      table.dense_tokens_.resize(std::max(index + 1, vocab.size()));
      table.dense_present_.resize(table.dense_tokens_.size());
    }
    if (!table.dense_present_[index]) {  // the first token with an id wins, as the map did
      table.dense_tokens_[index] = token;
      table.dense_present_[index] = true;
    }
  }
  return table;
}

std::optional<int64_t> Vocabulary::id(std::string_view token) const {
  const auto found = ids_.find(token);
  if (found == ids_.end()) return std::nullopt;
  return found->second;
}

const std::string* Vocabulary::token(int64_t id) const {
  if (id >= 0 && static_cast<size_t>(id) < dense_tokens_.size())
    return dense_present_[static_cast<size_t>(id)] ? &dense_tokens_[static_cast<size_t>(id)] : nullptr;
  const auto found = sparse_tokens_.find(id);
  return found == sparse_tokens_.end() ? nullptr : &found->second;
}

}  // namespace transformers::tokenizers::detail
