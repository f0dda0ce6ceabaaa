// Precompiled: SentencePiece's compiled normalization rules (a double-array trie of UTF-8 keys and
// a blob of NUL-terminated replacements), applied per grapheme cluster exactly as HF does.
#include <cstring>

#include "normalizer.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

std::string decode_base64(const std::string& text, const std::string& where) {
  auto value_of = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const int value = value_of(c);
    if (value < 0) throw_config_error(where, "field 'precompiled_charsmap' is not valid base64");
    buffer = (buffer << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  return out;
}

class CharsMap {
 public:
  CharsMap(const std::string& blob, const std::string& where) {
    if (blob.size() < 4) throw_config_error(where, "field 'precompiled_charsmap' is too short");
    uint32_t trie_bytes = 0;
    for (int i = 3; i >= 0; --i)
      trie_bytes = (trie_bytes << 8) | static_cast<unsigned char>(blob[static_cast<size_t>(i)]);
    if (trie_bytes % 4 != 0 || trie_bytes > blob.size() - 4)
      throw_config_error(where, "field 'precompiled_charsmap': trie size " + std::to_string(trie_bytes) +
                                    " does not fit the " + std::to_string(blob.size()) + "-byte blob");
    units_.resize(trie_bytes / 4);
    for (size_t i = 0; i < units_.size(); ++i) {
      uint32_t unit = 0;
      for (int b = 3; b >= 0; --b)
        unit = (unit << 8) | static_cast<unsigned char>(blob[4 + i * 4 + static_cast<size_t>(b)]);
      units_[i] = unit;
    }
    replacements_ = blob.substr(4 + trie_bytes);
  }

  // The replacement of the shortest key that prefixes `text`, if any.
  std::optional<std::string_view> lookup(std::string_view text) const {
    if (units_.empty()) return std::nullopt;
    size_t node = offset(units_[0]);
    for (char byte : text) {
      const auto c = static_cast<unsigned char>(byte);
      if (c == 0) break;
      node ^= c;
      if (node >= units_.size() || label(units_[node]) != c) return std::nullopt;
      const bool leaf = has_leaf(units_[node]);
      node ^= offset(units_[node]);
      if (leaf) {
        if (node >= units_.size()) return std::nullopt;
        const size_t start = units_[node] & 0x7FFFFFFFu;
        if (start >= replacements_.size()) return std::nullopt;
        const size_t end = replacements_.find('\0', start);
        return std::string_view(replacements_)
            .substr(start, (end == std::string::npos ? replacements_.size() : end) - start);
      }
    }
    return std::nullopt;
  }

 private:
  static bool has_leaf(uint32_t unit) { return (unit >> 8) & 1; }
  static uint32_t label(uint32_t unit) { return unit & 0x800000FFu; }
  static size_t offset(uint32_t unit) { return (unit >> 10) << ((unit & (1u << 9)) >> 6); }

  std::vector<uint32_t> units_;
  std::string replacements_;
};

// HF's replace(): the new chars take the old chars' places; extra ones are insertions, and a
// shorter replacement removes the rest through the last change.
void append_replacement(std::vector<CharChange>& changes, std::string_view old_part, std::string_view new_part) {
  const auto old_count = static_cast<std::ptrdiff_t>(count_chars(old_part));
  const std::vector<char32_t> replacement = to_code_points(new_part);
  const auto difference = static_cast<std::ptrdiff_t>(replacement.size()) - old_count;
  for (char32_t c : replacement) changes.push_back({c, 0});
  if (difference > 0) {
    for (std::ptrdiff_t i = 0; i < difference && static_cast<size_t>(i) < changes.size(); ++i)
      changes[changes.size() - 1 - static_cast<size_t>(i)].change = 1;
  } else if (difference < 0 && !changes.empty()) {
    changes.back().change += static_cast<int>(difference);
  }
}

std::vector<std::string_view> graphemes(std::string_view text) {
  std::vector<std::string_view> clusters;
  int state = 0;
  size_t start = 0;
  char32_t previous = 0;
  for (size_t at = 0, length = 0; at < text.size(); at += length) {
    const char32_t c = decode_utf8(text, at, length);
    if (at > 0 && is_grapheme_break(previous, c, state)) {
      clusters.push_back(text.substr(start, at - start));
      start = at;
    }
    previous = c;
  }
  if (start < text.size()) clusters.push_back(text.substr(start));
  return clusters;
}

class PrecompiledNormalizer final : public Normalizer {
 public:
  explicit PrecompiledNormalizer(CharsMap map) : map_(std::move(map)) {}

  void normalize(NormalizedString& text) const override {
    const std::string input = text.get();
    std::vector<CharChange> changes;
    bool modified = false;
    for (std::string_view cluster : graphemes(input)) {
      if (cluster.size() < 6) {
        if (const auto replacement = map_.lookup(cluster)) {
          append_replacement(changes, cluster, *replacement);
          modified = true;
          continue;
        }
      }
      for (size_t at = 0, length = 0; at < cluster.size(); at += length) {
        const char32_t c = decode_utf8(cluster, at, length);
        const std::string_view part = cluster.substr(at, length);
        if (const auto replacement = map_.lookup(part)) {
          append_replacement(changes, part, *replacement);
          modified = true;
        } else {
          changes.push_back({c, 0});
        }
      }
    }
    if (modified) text.transform(changes, 0);
  }

 private:
  CharsMap map_;
};

}  // namespace

std::unique_ptr<Normalizer> make_precompiled_normalizer(const json& config, const std::string& where) {
  const json& charsmap = required_field(config, "precompiled_charsmap", where);
  std::string blob;
  if (charsmap.is_string())
    blob = decode_base64(charsmap.get<std::string>(), where);
  else if (charsmap.is_array())
    for (const json& byte : charsmap) blob += static_cast<char>(byte.get<int>());
  else
    throw_config_error(where, "field 'precompiled_charsmap' must be a base64 string");
  return std::make_unique<PrecompiledNormalizer>(CharsMap(blob, where));
}

}  // namespace transformers::tokenizers::detail
