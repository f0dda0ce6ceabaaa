#include "normalized_string.hpp"

#include <algorithm>
#include <optional>

#include "transformers/core/error.hpp"
#include "flat_hash.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

NormalizedString::NormalizedString(std::string_view original, size_t original_start)
    : normalized_(original), original_start_(original_start), original_end_(original_start + original.size()) {
  if (original_end_ > UINT32_MAX) throw InvalidArgument("tokenizer: texts longer than 4 GB are not supported");
  alignments_.resize(original.size());
  const auto base = static_cast<uint32_t>(original_start);
  for (size_t at = 0; at < original.size();) {
    const auto byte = static_cast<unsigned char>(original[at]);
    const size_t length = byte < 0x80 ? 1 : byte < 0xE0 ? 2 : byte < 0xF0 ? 3 : 4;
    const Alignment span{base + static_cast<uint32_t>(at),
                         base + static_cast<uint32_t>(std::min(at + length, original.size()))};
    for (size_t i = 0; i < length && at < original.size(); ++i) alignments_[at++] = span;
  }
}

ByteRange NormalizedString::original_range(size_t start, size_t end) const {
  if (start < end && end <= alignments_.size()) return {alignments_[start].first, alignments_[end - 1].second};
  if (start < alignments_.size()) return {alignments_[start].first, alignments_[start].first};
  if (!alignments_.empty()) return {alignments_.back().second, alignments_.back().second};
  return {original_start_, original_start_};
}

NormalizedString NormalizedString::slice(size_t start, size_t end) const {
  NormalizedString piece;
  piece.normalized_ = normalized_.substr(start, end - start);
  piece.alignments_.assign(alignments_.begin() + static_cast<std::ptrdiff_t>(start),
                           alignments_.begin() + static_cast<std::ptrdiff_t>(end));
  const ByteRange span = original_range(start, end);
  piece.original_start_ = span.first;
  piece.original_end_ = span.second;
  return piece;
}

namespace {

// Bytes of the UTF-8 sequence led by `lead` (the text is valid UTF-8).
inline size_t sequence_length(unsigned char lead) { return lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

// Appends the UTF-8 of `c`; returns its byte count.
inline size_t put_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
    return 1;
  }
  if (c < 0x800) {
    const char bytes[2] = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
    out.append(bytes, 2);
    return 2;
  }
  if (c < 0x10000) {
    const char bytes[3] = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                           static_cast<char>(0x80 | (c & 0x3F))};
    out.append(bytes, 3);
    return 3;
  }
  const char bytes[4] = {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
                         static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
  out.append(bytes, 4);
  return 4;
}

}  // namespace

void NormalizedString::transform(const std::vector<CharChange>& changes, size_t removed_leading_chars) {
  size_t offset = 0;  // byte offset in the old normalized text of the next char to consume
  auto skip_char = [&] {
    if (offset < normalized_.size()) offset += sequence_length(static_cast<unsigned char>(normalized_[offset]));
  };
  for (size_t i = 0; i < removed_leading_chars; ++i) skip_char();

  // Thread-local scratch buffers swapped with the members: steady state allocates nothing.
  thread_local TRANSFORMERS_FAST_TLS std::string rewritten;
  thread_local TRANSFORMERS_FAST_TLS std::vector<Alignment> alignments;
  rewritten.clear();
  alignments.clear();
  rewritten.reserve(normalized_.size());
  alignments.reserve(alignments_.size());
  for (const CharChange& change : changes) {
    Alignment alignment;
    if (change.change > 0) {
      // An inserted char shares the alignment of the char before it (or of the piece's start).
      alignment = offset == 0 ? compact({original_start_, original_start_}) : alignments_[offset - 1];
    } else {
      alignment = offset < alignments_.size() ? alignments_[offset] : compact({original_end_, original_end_});
      skip_char();
      for (int removed = 0; removed < -change.change; ++removed) skip_char();
    }
    const size_t bytes = put_utf8(rewritten, change.c);
    for (size_t i = 0; i < bytes; ++i) alignments.push_back(alignment);
  }
  normalized_.swap(rewritten);
  alignments_.swap(alignments);
}

void NormalizedString::map_bytes(const std::array<std::string, 256>& utf8_of_byte) {
  size_t mapped_size = 0;
  bool identity = true;
  for (char byte : normalized_) {
    const std::string& utf8 = utf8_of_byte[static_cast<unsigned char>(byte)];
    mapped_size += utf8.size();
    identity = identity && utf8.size() == 1 && utf8[0] == byte;
  }
  if (identity) return;
  std::string mapped(mapped_size, '\0');
  std::vector<Alignment> alignments(mapped_size);
  size_t write = 0;
  for (size_t at = 0; at < normalized_.size();) {
    const size_t length =
        std::min(sequence_length(static_cast<unsigned char>(normalized_[at])), normalized_.size() - at);
    for (size_t i = 0; i < length; ++i) {
      // The first byte's char replaces the input char; the others are inserted after it and take
      // the alignment of the char before them, the input char's last byte.
      const Alignment alignment = alignments_[i == 0 ? at : at + length - 1];
      const std::string& utf8 = utf8_of_byte[static_cast<unsigned char>(normalized_[at + i])];
      for (char c : utf8) {
        mapped[write] = c;
        alignments[write++] = alignment;
      }
    }
    at += length;
  }
  normalized_ = std::move(mapped);
  alignments_ = std::move(alignments);
}

void NormalizedString::map_ascii(const std::array<char, 128>& ascii_table) {
  for (char& byte : normalized_) byte = ascii_table[static_cast<unsigned char>(byte) & 0x7F];
}

// The three rewrites below build their changes in a thread-local buffer and skip transform()
// when nothing changes (an identity rewrite leaves the text and its alignments as they are).

void NormalizedString::filter(const std::function<bool(char32_t)>& keep) {
  // Removed chars are attached to the kept char before them (or dropped up front).
  thread_local TRANSFORMERS_FAST_TLS std::vector<CharChange> changes;
  changes.clear();
  size_t removed_leading = 0;
  bool changed = false;
  for (size_t at = 0, length = 0; at < normalized_.size(); at += length) {
    const char32_t c = decode_utf8(normalized_, at, length);
    if (keep(c)) {
      changes.push_back({c, 0});
      continue;
    }
    changed = true;
    if (changes.empty())
      ++removed_leading;
    else
      --changes.back().change;
  }
  if (changed) transform(changes, removed_leading);
}

void NormalizedString::map(const std::function<char32_t(char32_t)>& replace) {
  thread_local TRANSFORMERS_FAST_TLS std::vector<CharChange> changes;
  changes.clear();
  bool changed = false;
  for (size_t at = 0, length = 0; at < normalized_.size(); at += length) {
    const char32_t c = decode_utf8(normalized_, at, length);
    const char32_t replaced = replace(c);
    changed = changed || replaced != c;
    changes.push_back({replaced, 0});
  }
  if (changed) transform(changes, 0);
}

void NormalizedString::expand(const std::function<std::u32string(char32_t)>& replace) {
  thread_local TRANSFORMERS_FAST_TLS std::vector<CharChange> changes;
  changes.clear();
  bool changed = false;
  for (size_t at = 0, length = 0; at < normalized_.size(); at += length) {
    const char32_t c = decode_utf8(normalized_, at, length);
    const std::u32string replacement = replace(c);
    changed = changed || replacement.size() != 1 || replacement[0] != c;
    for (size_t i = 0; i < replacement.size(); ++i) changes.push_back({replacement[i], i == 0 ? 0 : 1});
  }
  if (changed) transform(changes, 0);
}

namespace {

struct TaggedChar {
  char32_t c;
  size_t source;  // index of the input char it came from
};

void canonical_reorder(std::vector<TaggedChar>& chars) {
  for (size_t start = 0; start < chars.size();) {
    if (combining_class(chars[start].c) == 0) {
      ++start;
      continue;
    }
    size_t end = start;
    while (end < chars.size() && combining_class(chars[end].c) != 0) ++end;
    std::stable_sort(
        chars.begin() + static_cast<std::ptrdiff_t>(start), chars.begin() + static_cast<std::ptrdiff_t>(end),
        [](const TaggedChar& a, const TaggedChar& b) { return combining_class(a.c) < combining_class(b.c); });
    start = end;
  }
}

// Unicode canonical composition (UAX #15): a char joins the last starter unless blocked.
void canonical_compose(std::vector<TaggedChar>& chars) {
  std::vector<TaggedChar> out;
  std::optional<size_t> starter;
  int last_class = -1;
  for (const TaggedChar& current : chars) {
    const int current_class = combining_class(current.c);
    if (starter && (last_class < current_class || (last_class == 0 && out.size() - 1 == *starter))) {
      if (const auto composed = compose_pair(out[*starter].c, current.c)) {
        out[*starter].c = *composed;
        continue;
      }
    }
    if (current_class == 0) {
      starter = out.size();
      last_class = 0;
    } else {
      last_class = current_class;
    }
    out.push_back(current);
  }
  chars = std::move(out);
}

// HF transform() changes from chars tagged with the input char they came from.
std::vector<CharChange> changes_from_sources(const std::vector<TaggedChar>& chars, size_t source_count,
                                             size_t& removed_leading) {
  std::vector<CharChange> changes;
  removed_leading = 0;
  std::ptrdiff_t last_source = -1;
  auto remove = [&](size_t count) {
    if (count == 0) return;
    // Removed input chars attach to the last replacing entry, like NormalizedString::filter.
    for (auto entry = changes.rbegin(); entry != changes.rend(); ++entry)
      if (entry->change <= 0) {
        entry->change -= static_cast<int>(count);
        return;
      }
    removed_leading += count;
  };
  for (const TaggedChar& tagged : chars) {
    const auto source = static_cast<std::ptrdiff_t>(tagged.source);
    if (source > last_source) {
      remove(static_cast<size_t>(source - last_source - 1));
      changes.push_back({tagged.c, 0});
      last_source = source;
    } else {
      changes.push_back({tagged.c, 1});
    }
  }
  remove(source_count - static_cast<size_t>(last_source + 1));
  return changes;
}

}  // namespace

void NormalizedString::normalize_unicode(bool compose, bool compat) {
  // ASCII is its own NFD, NFC, NFKD and NFKC.
  if (std::all_of(normalized_.begin(), normalized_.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
    return;
  const std::vector<char32_t> input = to_code_points(normalized_);
  std::vector<TaggedChar> chars;
  chars.reserve(input.size());
  for (size_t i = 0; i < input.size(); ++i)
    for (char32_t c : decompose(input[i], compat)) chars.push_back({c, i});
  canonical_reorder(chars);
  if (compose) canonical_compose(chars);
  bool changed = chars.size() != input.size();
  for (size_t i = 0; i < chars.size() && !changed; ++i) changed = chars[i].c != input[i] || chars[i].source != i;
  if (!changed) return;
  size_t removed_leading = 0;
  const std::vector<CharChange> changes = changes_from_sources(chars, input.size(), removed_leading);
  transform(changes, removed_leading);
}

void NormalizedString::replace(const std::vector<MatchSpan>& spans, std::string_view content) {
  thread_local TRANSFORMERS_FAST_TLS std::string rewritten;
  thread_local TRANSFORMERS_FAST_TLS std::vector<Alignment> alignments;
  rewritten.clear();
  alignments.clear();
  for (const MatchSpan& span : spans) {
    if (!span.is_match || span.start == span.end) {
      rewritten.append(normalized_, span.start, span.end - span.start);
      alignments.insert(alignments.end(), alignments_.begin() + static_cast<std::ptrdiff_t>(span.start),
                        alignments_.begin() + static_cast<std::ptrdiff_t>(span.end));
      continue;
    }
    rewritten.append(content);
    alignments.resize(rewritten.size(), alignments_[span.end - 1]);
  }
  normalized_.swap(rewritten);
  alignments_.swap(alignments);
}

void NormalizedString::lowercase() { expand(to_lowercase); }

void NormalizedString::prepend(std::string_view text) {
  if (normalized_.empty() || text.empty()) return;
  // Prepended chars take the alignment of the first char, as HF does (what transform() gives for
  // the first char replaced by the text's first char, then the rest and that char inserted).
  const Alignment first = alignments_[0];
  normalized_.insert(0, text);
  alignments_.insert(alignments_.begin(), text.size(), first);
}

std::vector<NormalizedString> NormalizedString::split(const std::vector<MatchSpan>& matches,
                                                      SplitBehavior behavior) const {
  struct Piece {
    size_t start, end;
    bool remove;
  };
  std::vector<Piece> pieces;
  bool previous_match = false;
  switch (behavior) {
    case SplitBehavior::Isolated:
      for (const MatchSpan& m : matches) pieces.push_back({m.start, m.end, false});
      break;
    case SplitBehavior::Removed:
      for (const MatchSpan& m : matches) pieces.push_back({m.start, m.end, m.is_match});
      break;
    case SplitBehavior::Contiguous:
      for (const MatchSpan& m : matches) {
        if (m.is_match == previous_match && !pieces.empty())
          pieces.back().end = m.end;
        else
          pieces.push_back({m.start, m.end, false});
        previous_match = m.is_match;
      }
      break;
    case SplitBehavior::MergedWithPrevious:
      for (const MatchSpan& m : matches) {
        if (m.is_match && !previous_match && !pieces.empty())
          pieces.back().end = m.end;
        else
          pieces.push_back({m.start, m.end, false});
        previous_match = m.is_match;
      }
      break;
    case SplitBehavior::MergedWithNext:
      for (auto m = matches.rbegin(); m != matches.rend(); ++m) {
        if (m->is_match && !previous_match && !pieces.empty())
          pieces.back().start = m->start;
        else
          pieces.push_back({m->start, m->end, false});
        previous_match = m->is_match;
      }
      std::reverse(pieces.begin(), pieces.end());
      break;
  }
  std::vector<NormalizedString> result;
  result.reserve(pieces.size());
  for (const Piece& piece : pieces)
    if (!piece.remove) result.push_back(slice(piece.start, piece.end));
  return result;
}

std::vector<MatchSpan> find_char_matches(std::string_view text, const std::function<bool(char32_t)>& is_delimiter) {
  if (text.empty()) return {{0, 0, false}};
  std::vector<MatchSpan> spans;
  size_t last = 0;
  for (size_t at = 0, length = 0; at < text.size(); at += length) {
    if (!is_delimiter(decode_utf8(text, at, length))) continue;
    if (last < at) spans.push_back({last, at, false});
    spans.push_back({at, at + length, true});
    last = at + length;
  }
  if (last < text.size()) spans.push_back({last, text.size(), false});
  return spans;
}

std::vector<MatchSpan> spans_from_matches(const std::vector<ByteRange>& matches, size_t text_size) {
  if (text_size == 0) return {{0, 0, false}};
  std::vector<MatchSpan> spans;
  size_t previous = 0;
  for (const auto& [start, end] : matches) {
    if (previous != start) spans.push_back({previous, start, false});
    spans.push_back({start, end, true});
    previous = end;
  }
  if (previous != text_size) spans.push_back({previous, text_size, false});
  return spans;
}

}  // namespace transformers::tokenizers::detail
