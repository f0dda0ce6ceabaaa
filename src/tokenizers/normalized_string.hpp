#pragma once
// A piece of text being normalized, which remembers for every byte of the normalized text the
// byte span of the ORIGINAL input it came from, so that token offsets map back exactly as in
// HF tokenizers' NormalizedString.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace transformers::tokenizers::detail {

using ByteRange = std::pair<size_t, size_t>;

enum class SplitBehavior { Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous };

// One span of a pattern search over a normalized text: [start, end) bytes, and whether it matched.
struct MatchSpan {
  size_t start = 0;
  size_t end = 0;
  bool is_match = false;
};

// A rewrite step in HF's transform() convention: `change` 0 replaces the next char, > 0 inserts a
// char, < 0 replaces the next char and also removes the -change chars after it.
struct CharChange {
  char32_t c;
  int change;
};

class NormalizedString {
 public:
  // `original` starts at byte `original_start` of the whole input.
  explicit NormalizedString(std::string_view original, size_t original_start = 0);

  const std::string& get() const { return normalized_; }
  bool empty() const { return normalized_.empty(); }
  size_t size() const { return normalized_.size(); }
  // Where this piece starts in the whole input.
  size_t original_start() const { return original_start_; }

  // The span of the whole input that normalized bytes [start, end) came from.
  ByteRange original_range(size_t start, size_t end) const;
  NormalizedString slice(size_t start, size_t end) const;

  void transform(const std::vector<CharChange>& changes, size_t removed_leading_chars);
  // Replaces every byte b by the char whose UTF-8 is utf8_of_byte[b] (ByteLevel's table): what
  // transform() gives for "change 0 for a char's first byte, insert for the rest", in one pass.
  void map_bytes(const std::array<std::string, 256>& utf8_of_byte);
  // Replaces every byte of an all-ASCII text by ascii_table[byte], in place (alignments unchanged).
  void map_ascii(const std::array<char, 128>& ascii_table);
  void filter(const std::function<bool(char32_t)>& keep);
  void map(const std::function<char32_t(char32_t)>& replace);
  // Replaces each char by one or more chars that all keep its alignment.
  void expand(const std::function<std::u32string(char32_t)>& replace);
  void nfd() { normalize_unicode(false, false); }
  // NFD, NFKD, NFC (compose) or NFKC (compose + compat); composed chars align with their starter.
  void normalize_unicode(bool compose, bool compat);
  void lowercase();
  // Replaces every matched span by `content`, whose chars align with the match's last char (as HF).
  void replace(const std::vector<MatchSpan>& spans, std::string_view content);
  void prepend(std::string_view text);

  std::vector<NormalizedString> split(const std::vector<MatchSpan>& matches, SplitBehavior behavior) const;

 private:
  NormalizedString() = default;

  // Input offsets as 32 bits (texts up to 4 GB): half the bytes to copy per normalized byte.
  struct Alignment {
    uint32_t first, second;
  };
  static Alignment compact(ByteRange range) {
    return {static_cast<uint32_t>(range.first), static_cast<uint32_t>(range.second)};
  }

  std::string normalized_;
  std::vector<Alignment> alignments_;  // one per byte of normalized_, absolute input offsets
  size_t original_start_ = 0;
  size_t original_end_ = 0;
};

// Every char satisfying `is_delimiter` is a separate match.
std::vector<MatchSpan> find_char_matches(std::string_view text, const std::function<bool(char32_t)>& is_delimiter);
// Turns (start, end) match positions into alternating match / non-match spans covering `text_size`.
std::vector<MatchSpan> spans_from_matches(const std::vector<ByteRange>& matches, size_t text_size);

}  // namespace transformers::tokenizers::detail
