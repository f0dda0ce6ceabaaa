#include "added_vocabulary.hpp"

#include "model.hpp"
#include "normalizer.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

AddedToken parse_added_token(const json& entry, const std::string& where) {
  AddedToken token;
  token.content = required_string_field(entry, "content", where);
  const std::optional<int64_t> id = optional_int_field(entry, "id", where);
  if (!id) throw_config_error(where, "missing field 'id' of added token '" + token.content + "'");
  token.id = *id;
  token.special = bool_field(entry, "special", false, where);
  token.single_word = bool_field(entry, "single_word", false, where);
  token.lstrip = bool_field(entry, "lstrip", false, where);
  token.rstrip = bool_field(entry, "rstrip", false, where);
  token.normalized = bool_field(entry, "normalized", !token.special, where);
  return token;
}

void TokenMatcher::add(std::string_view text, size_t token_index) {
  if (text.empty()) return;
  starts_token_[static_cast<unsigned char>(text[0])] = true;
  size_t node = 0;
  for (char byte : text) {
    const auto key = static_cast<unsigned char>(byte);
    auto found = nodes_[node].children.find(key);
    if (found == nodes_[node].children.end()) {
      nodes_.push_back(Node{});
      found = nodes_[node].children.emplace(key, nodes_.size() - 1).first;
    }
    node = found->second;
  }
  if (!nodes_[node].token_index) nodes_[node].token_index = token_index;
}

std::vector<TokenMatcher::Match> TokenMatcher::find_all(std::string_view text) const {
  std::vector<Match> matches;
  if (nodes_[0].children.empty()) return matches;
  for (size_t start = 0; start < text.size();) {
    if (!starts_token_[static_cast<unsigned char>(text[start])]) {
      ++start;
      continue;
    }
    std::optional<Match> longest;
    size_t node = 0;
    for (size_t at = start; at < text.size(); ++at) {
      const auto found = nodes_[node].children.find(static_cast<unsigned char>(text[at]));
      if (found == nodes_[node].children.end()) break;
      node = found->second;
      if (nodes_[node].token_index) longest = Match{start, at + 1, *nodes_[node].token_index};
    }
    if (longest) {
      matches.push_back(*longest);
      start = longest->end;
    } else {
      ++start;
    }
  }
  return matches;
}

int64_t AddedVocabulary::assign_id(const std::string& content, const Model& model) const {
  // HF ignores the ids written in the file: a known content keeps its id, the model's tokens keep
  // the model's id, and new tokens are numbered after the vocab (and after earlier added tokens).
  if (const auto known = token_to_id(content)) return *known;
  if (const auto model_id = model.token_to_id(content)) return *model_id;
  const auto vocab_size = static_cast<int64_t>(model.vocab_size());
  std::optional<int64_t> highest;
  for (const auto& [id, index] : token_of_id_) highest = std::max(highest.value_or(id), id);
  if (highest && (*highest >= vocab_size || vocab_size == 0)) return *highest + 1;
  return vocab_size;
}

AddedVocabulary::AddedVocabulary(std::vector<AddedToken> tokens, const Model& model, const Normalizer* normalizer)
    : tokens_(std::move(tokens)) {
  for (size_t i = 0; i < tokens_.size(); ++i) {
    AddedToken& token = tokens_[i];
    token.id = assign_id(token.content, model);
    id_of_content_[token.content] = token.id;
    token_of_id_[token.id] = i;
    if (token.special) special_contents_.insert(token.content);
    if (!token.normalized) {
      raw_matcher_.add(token.content, i);
      continue;
    }
    NormalizedString content(token.content);
    if (normalizer) normalizer->normalize(content);
    normalized_matcher_.add(content.get(), i);
    // HF maps the id back to the normalized form (decode shows "fox" for an added "ｆｏｘ").
    normalized_content_[i] = content.get();
  }
  // When two entries share an id (a token added again with other options), HF's id -> token map
  // ends with the plain entry: it is refreshed from the special tokens first, then the others.
  for (bool special : {true, false})
    for (size_t i = 0; i < tokens_.size(); ++i)
      if (tokens_[i].special == special) token_of_id_[tokens_[i].id] = i;
}

namespace {

size_t char_before(std::string_view text, size_t end, char32_t& c) {
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
  size_t length = 0;
  c = decode_utf8(text, start, length);
  return start;
}

bool ends_with_word_char(std::string_view text, size_t end) {
  if (end == 0) return false;
  char32_t c = 0;
  char_before(text, end, c);
  return is_alphanumeric_word(c);
}

bool starts_with_word_char(std::string_view text, size_t start) {
  if (start >= text.size()) return false;
  size_t length = 0;
  return is_alphanumeric_word(decode_utf8(text, start, length));
}

// Start of the whitespace run that ends at `end`.
size_t whitespace_start_before(std::string_view text, size_t end) {
  while (end > 0) {
    char32_t c = 0;
    const size_t start = char_before(text, end, c);
    if (!is_whitespace(c)) break;
    end = start;
  }
  return end;
}

size_t whitespace_end_after(std::string_view text, size_t start) {
  size_t length = 0;
  while (start < text.size() && is_whitespace(decode_utf8(text, start, length))) start += length;
  return start;
}

}  // namespace

std::vector<Split> AddedVocabulary::split_on_matches(NormalizedString&& text, const TokenMatcher& matcher,
                                                     bool encode_special_tokens) const {
  const std::string& content = text.get();
  std::vector<Split> pieces;
  size_t consumed = 0;
  for (const TokenMatcher::Match& match : matcher.find_all(content)) {
    const AddedToken& token = tokens_[match.token_index];
    if (encode_special_tokens && token.special) continue;
    size_t start = match.start, stop = match.end;
    if (token.single_word && (ends_with_word_char(content, start) || starts_with_word_char(content, stop))) continue;
    if (token.lstrip) start = std::max(whitespace_start_before(content, start), consumed);
    if (token.rstrip) stop = whitespace_end_after(content, stop);
    if (consumed < start) pieces.push_back({text.slice(consumed, start), std::nullopt});
    NormalizedString piece = text.slice(start, stop);
    Token added{token.id, piece.get(), {0, piece.size()}};
    pieces.push_back({std::move(piece), std::vector<Token>{std::move(added)}});
    consumed = stop;
  }
  if (consumed < content.size()) pieces.push_back({text.slice(consumed, content.size()), std::nullopt});
  return pieces;
}

PreTokenizedString AddedVocabulary::extract_and_normalize(std::string_view text, const Normalizer* normalizer,
                                                          bool encode_special_tokens) const {
  PreTokenizedString pieces(text);
  pieces.split([&](size_t, NormalizedString&& piece) {
    return split_on_matches(std::move(piece), raw_matcher_, encode_special_tokens);
  });
  if (normalizer) pieces.normalize([&](NormalizedString& piece) { normalizer->normalize(piece); });
  pieces.split([&](size_t, NormalizedString&& piece) {
    return split_on_matches(std::move(piece), normalized_matcher_, encode_special_tokens);
  });
  return pieces;
}

std::optional<int64_t> AddedVocabulary::token_to_id(std::string_view content) const {
  const auto found = id_of_content_.find(std::string(content));
  if (found == id_of_content_.end()) return std::nullopt;
  return found->second;
}

std::optional<std::string> AddedVocabulary::id_to_token(int64_t id) const {
  const auto found = token_of_id_.find(id);
  if (found == token_of_id_.end()) return std::nullopt;
  const auto normalized = normalized_content_.find(found->second);
  return normalized != normalized_content_.end() ? normalized->second : tokens_[found->second].content;
}

bool AddedVocabulary::is_special_token(std::string_view content) const {
  return special_contents_.count(std::string(content)) > 0;
}

}  // namespace transformers::tokenizers::detail
