#include "vocabulary.hpp"

namespace transformers::tokenizers::detail {

Vocabulary Vocabulary::from_json(const json& vocab, const std::string& where) {
  if (!vocab.is_object()) throw_config_error(where, "field 'vocab' must be an object of token -> id");
  Vocabulary table;
  table.ids_.reserve(vocab.size());
  for (const auto& [token, id] : vocab.items()) {
    if (!id.is_number_integer()) throw_config_error(where, "field 'vocab': the id of '" + token + "' is not an integer");
    table.ids_.emplace(token, id.get<int64_t>());
    table.tokens_.emplace(id.get<int64_t>(), token);
  }
  return table;
}

std::optional<int64_t> Vocabulary::id(std::string_view token) const {
  const auto found = ids_.find(token);
  if (found == ids_.end()) return std::nullopt;
  return found->second;
}

const std::string* Vocabulary::token(int64_t id) const {
  const auto found = tokens_.find(id);
  return found == tokens_.end() ? nullptr : &found->second;
}

}  // namespace transformers::tokenizers::detail
