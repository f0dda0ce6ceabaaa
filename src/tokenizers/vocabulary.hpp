#pragma once
// A token <-> id table shared by the models that read a {"token": id} vocab.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "json_fields.hpp"

namespace transformers::tokenizers::detail {

class Vocabulary {
 public:
  Vocabulary() = default;
  // Reads {"token": id, ...}; `where` names the owning component.
  static Vocabulary from_json(const json& vocab, const std::string& where);

  std::optional<int64_t> id(std::string_view token) const;
  const std::string* token(int64_t id) const;
  size_t size() const { return ids_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> ids_;
  // id -> token: a plain array for the ids 0..n (vocabs are dense in practice), a map for the rest.
  std::vector<std::string> dense_tokens_;
  std::vector<bool> dense_present_;
  std::unordered_map<int64_t, std::string> sparse_tokens_;
};

}  // namespace transformers::tokenizers::detail
