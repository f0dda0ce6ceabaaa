// StopStringCriteria: transformers matches stop strings against the vocabulary's token strings
// with precomputed tensors (positions where each token can sit in each string); the result is the
// same as asking whether the concatenated strings of the last tokens contain a stop string that ends
// inside the last token, which is what this does.
#include <algorithm>
#include <cctype>
#include <optional>

#include "../tokenizers/byte_level.hpp"
#include "../tokenizers/unicode.hpp"
#include "score_rows.hpp"
#include "transformers/generation/stopping_criteria.hpp"

namespace transformers {
namespace {

// How transformers' _get_stop_string_matching_mode reads the vocabulary.
enum class MatchingMode { Text, ByteLevel, ByteFallback };

MatchingMode matching_mode(const tokenizers::Tokenizer& tokenizer) {
  const std::vector<std::string>& types = tokenizer.decoder_types();
  const auto has = [&](const char* type) { return std::find(types.begin(), types.end(), type) != types.end(); };
  if (!types.empty() && types.front() == "ByteLevel") return MatchingMode::ByteLevel;
  if (has("ByteFallback")) return MatchingMode::ByteFallback;
  if (has("ByteLevel")) return MatchingMode::ByteLevel;
  return MatchingMode::Text;
}

// Strings are compared as sequences of units: bytes, or code points for a text vocabulary.
std::u32string bytes_as_units(const std::string& bytes) {
  std::u32string units;
  for (char c : bytes) units += static_cast<char32_t>(static_cast<unsigned char>(c));
  return units;
}

std::u32string as_units(const std::string& utf8, MatchingMode mode) {
  if (mode != MatchingMode::Text) return bytes_as_units(utf8);
  const std::vector<char32_t> points = tokenizers::detail::to_code_points(utf8);
  return std::u32string(points.begin(), points.end());
}

// The bytes a byte-level or byte-fallback token stands for, when it is such a token.
std::optional<std::string> token_bytes(const std::string& token, MatchingMode mode) {
  if (mode == MatchingMode::ByteLevel) {
    std::string bytes;
    for (char32_t c : tokenizers::detail::to_code_points(token)) {
      const auto byte = tokenizers::detail::char_to_byte(c);
      if (!byte) return std::nullopt;
      bytes += static_cast<char>(*byte);
    }
    return bytes;
  }
  const auto is_hex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  if (mode == MatchingMode::ByteFallback && token.size() == 6 && token.compare(0, 3, "<0x") == 0 && token[5] == '>' &&
      is_hex(token[3]) && is_hex(token[4]))
    return std::string(1, static_cast<char>(std::stoi(token.substr(3, 2), nullptr, 16)));
  return std::nullopt;
}

// transformers' clean_tokenizer_vocab: a token's text is decoded after the tokens of "abcdef" and
// cut after that prefix, so that a word-initial marker becomes the space it stands for.
std::u32string clean_token(const tokenizers::Tokenizer& tokenizer, const std::vector<std::string>& prefix_tokens,
                           const std::string& token, MatchingMode mode) {
  if (auto bytes = token_bytes(token, mode)) return bytes_as_units(*bytes);
  static constexpr std::string_view kPrefix = "abcdef";
  std::vector<std::string> tokens = prefix_tokens;
  tokens.push_back(token);
  const std::string text = tokenizer.decode_tokens(std::move(tokens));
  const size_t at = text.find(kPrefix);
  return as_units(at == std::string::npos ? text : text.substr(at + kPrefix.size()), mode);
}

// Whether the token can end a match: some non-empty prefix of it ends the stop string, or holds it.
bool can_end_match(const std::u32string& token, const std::u32string& stop) {
  for (size_t length = token.size(); length > 0; --length) {
    const std::u32string_view head(token.data(), length);
    if (length >= stop.size() ? head.substr(length - stop.size()) == stop
                              : std::u32string_view(stop).substr(stop.size() - length) == head)
      return true;
  }
  return false;
}

}  // namespace

StopStringCriteria::StopStringCriteria(const PreTrainedTokenizerFast& tokenizer,
                                       std::vector<std::string> stop_strings) {
  const tokenizers::Tokenizer& backend = tokenizer.backend();
  const MatchingMode mode = matching_mode(backend);
  for (const std::string& stop : stop_strings) {
    stop_strings_.push_back(as_units(stop, mode));
    maximum_token_len_ = std::max(maximum_token_len_, stop_strings_.back().size());
  }
  TokenizeOptions no_special_tokens;
  no_special_tokens.add_special_tokens = false;
  const BatchEncoding prefix = tokenizer({"abcdef"}, no_special_tokens);
  std::vector<std::string> prefix_tokens;
  for (int64_t id : prefix.encodings[0].ids) prefix_tokens.push_back(backend.id_to_token(id).value_or(""));
  // Token ids need not be contiguous (added tokens): look until every token is found.
  const size_t vocabulary = backend.vocab_size(true);
  size_t found = 0;
  for (int64_t id = 0; found < vocabulary && id < static_cast<int64_t>(2 * vocabulary + 1024); ++id) {
    const std::optional<std::string> token = backend.id_to_token(id);
    token_strings_.push_back(token ? clean_token(backend, prefix_tokens, *token, mode) : std::u32string());
    known_.push_back(token.has_value());
    found += token.has_value();
  }
  bool any_can_end = false;
  for (size_t id = 0; id < token_strings_.size() && !any_can_end; ++id)
    for (const std::u32string& stop : stop_strings_)
      if (known_[id] && can_end_match(token_strings_[id], stop)) any_can_end = true;
  if (!any_can_end)
    throw InvalidArgument(
        "Stop string preprocessing was unable to identify tokens matching one or more of the supplied stop "
        "string(s). This is most often caused by the stop strings containing unusual characters that are not in the "
        "tokenizer vocabulary.");
}

std::vector<bool> StopStringCriteria::operator()(const Tensor& input_ids) const {
  const generation_detail::IdRows ids(input_ids);
  std::vector<bool> done(static_cast<size_t>(ids.rows), false);
  const int64_t window = std::min<int64_t>(ids.length, static_cast<int64_t>(maximum_token_len_));
  const auto known = [&](int64_t id) { return id >= 0 && id < static_cast<int64_t>(known_.size()) && known_[id]; };
  for (int64_t r = 0; r < ids.rows && window > 0; ++r) {
    const int64_t* tail = ids.row(r) + ids.length - window;
    std::u32string text;  // the window's tokens after the last one the vocabulary lacks
    for (int64_t i = 0; i < window; ++i) {
      if (!known(tail[i])) text.clear();
      if (known(tail[i])) text += token_strings_[static_cast<size_t>(tail[i])];
    }
    if (!known(tail[window - 1])) continue;
    const size_t last_length = token_strings_[static_cast<size_t>(tail[window - 1])].size();
    for (const std::u32string& stop : stop_strings_)
      for (size_t end = text.size() - last_length + 1; end <= text.size() && !done[static_cast<size_t>(r)]; ++end)
        if (end >= stop.size() && text.compare(end - stop.size(), stop.size(), stop) == 0)
          done[static_cast<size_t>(r)] = true;
  }
  return done;
}

}  // namespace transformers
