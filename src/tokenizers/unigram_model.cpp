// Unigram: the best-scoring segmentation (Viterbi over bytes), unknown runs fused into one unk.
#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "fast_json.hpp"
#include "model.hpp"
#include "transformers/core/error.hpp"
#include "flat_hash.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

// The pieces: their bytes in one arena, their scores, and a byte trie over them for "every piece
// that starts here". The trie is laid out breadth-first, so a node's children are consecutive node
// ids [first_child_[node], first_child_[node + 1]) sorted by byte: three flat arrays, no per-node
// containers (a 250k-piece vocab takes a few MB instead of ~150 MB of hash maps).
class PieceTable {
 public:
  explicit PieceTable(size_t count = 0) {
    offsets_.reserve(count + 1);
    scores_.reserve(count);
    offsets_.push_back(0);
  }
  void add(std::string_view piece, double score) {
    arena_.append(piece);
    offsets_.push_back(arena_.size());
    scores_.push_back(score);
  }
  size_t size() const { return scores_.size(); }
  std::string_view piece(size_t id) const { return {arena_.data() + offsets_[id], offsets_[id + 1] - offsets_[id]}; }
  double score(size_t id) const { return scores_[id]; }

  void build_trie() {
    arena_.shrink_to_fit();
    const size_t count = size();
    if (count >= kTail) throw Error("tokenizer Unigram model: too many pieces");
    struct Ref {
      uint32_t offset, length, id;
    };
    std::vector<Ref> order(count);
    for (size_t i = 0; i < count; ++i)
      order[i] = {static_cast<uint32_t>(offsets_[i]), static_cast<uint32_t>(offsets_[i + 1] - offsets_[i]),
                  static_cast<uint32_t>(i)};
    // Breadth-first: a node is a range of `order` sharing `depth` leading bytes. Splitting a range
    // by the next byte (stable, so the lowest id comes first among equal pieces) gives its children.
    struct Pending {
      uint32_t lo, hi, depth;
    };
    std::vector<Pending> queue{{0, static_cast<uint32_t>(count), 0}};
    first_child_.clear();
    byte_.assign(1, 0);
    piece_.assign(1, kNoPiece);
    std::vector<Ref> buffer;
    std::vector<int16_t> keys, sorted_keys;
    for (size_t node = 0; node < queue.size(); ++node) {
      const Pending range = queue[node];
      const size_t n = range.hi - range.lo;
      Ref* refs = order.data() + range.lo;
      keys.resize(n);
      for (size_t i = 0; i < n; ++i)  // -1: the piece ends here
        keys[i] = range.depth < refs[i].length ? static_cast<unsigned char>(arena_[refs[i].offset + range.depth]) : -1;
      if (n > 32) {
        // Counting sort on the byte.
        size_t counts[258] = {};
        for (size_t i = 0; i < n; ++i) ++counts[keys[i] + 2];
        for (size_t b = 1; b < 258; ++b) counts[b] += counts[b - 1];
        buffer.resize(n);
        sorted_keys.resize(n);
        for (size_t i = 0; i < n; ++i) {
          const size_t at = counts[keys[i] + 1]++;
          buffer[at] = refs[i];
          sorted_keys[at] = keys[i];
        }
        std::copy(buffer.begin(), buffer.end(), refs);
        keys.swap(sorted_keys);
      } else {
        for (size_t i = 1; i < n; ++i) {  // insertion sort (stable)
          const Ref ref = refs[i];
          const int16_t key = keys[i];
          size_t hole = i;
          for (; hole > 0 && keys[hole - 1] > key; --hole) {
            refs[hole] = refs[hole - 1];
            keys[hole] = keys[hole - 1];
          }
          refs[hole] = ref;
          keys[hole] = key;
        }
      }
      first_child_.push_back(static_cast<uint32_t>(queue.size()));
      size_t at = 0;
      if (at < n && keys[at] < 0) {
        piece_[node] = refs[at].id;
        while (at < n && keys[at] < 0) ++at;
      }
      while (at < n) {
        const int16_t byte = keys[at];
        size_t stop = at;
        while (stop < n && keys[stop] == byte) ++stop;
        byte_.push_back(static_cast<uint8_t>(byte));
        if (stop - at > 1) {
          queue.push_back(
              {static_cast<uint32_t>(range.lo + at), static_cast<uint32_t>(range.lo + stop), range.depth + 1});
          piece_.push_back(kNoPiece);
        } else {
          // A leaf: the only piece below. Its remaining bytes (if any) are compared with the text
          // instead of becoming a chain of one-child nodes.
          queue.push_back({0, 0, 0});
          piece_.push_back(refs[at].length > range.depth + 1 ? refs[at].id | kTail : refs[at].id);
        }
        at = stop;
      }
    }
    first_child_.push_back(static_cast<uint32_t>(queue.size()));
    byte_.shrink_to_fit();
    piece_.shrink_to_fit();
    first_child_.shrink_to_fit();
    if (queue.size() >= kTail) throw Error("tokenizer Unigram model: too many trie nodes");
  }

  template <typename Visit>  // Visit(piece_id, byte_length), shortest first
  void for_each_prefix(std::string_view text, Visit visit) const {
    uint32_t node = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      node = child(node, static_cast<uint8_t>(text[i]));
      if (node == kNoPiece) return;
      const uint32_t found = piece_[node];
      if (found == kNoPiece) continue;
      if (!(found & kTail)) {
        visit(found, i + 1);
        continue;
      }
      const uint32_t id = found & ~kTail;
      const std::string_view rest = piece(id).substr(i + 1);
      if (text.substr(i + 1).starts_with(rest)) visit(id, i + 1 + rest.size());
      return;
    }
  }

  std::optional<int64_t> find(std::string_view text) const {
    uint32_t node = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      node = child(node, static_cast<uint8_t>(text[i]));
      if (node == kNoPiece) return std::nullopt;
      if (piece_[node] != kNoPiece && (piece_[node] & kTail)) {
        const uint32_t id = piece_[node] & ~kTail;
        if (piece(id).substr(i + 1) == text.substr(i + 1)) return id;
        return std::nullopt;
      }
    }
    if (piece_[node] == kNoPiece) return std::nullopt;
    return piece_[node];
  }

 private:
  static constexpr uint32_t kNoPiece = UINT32_MAX;
  static constexpr uint32_t kTail = 0x80000000u;  // piece_ flag: a leaf whose piece goes on past it

  uint32_t child(uint32_t node, uint8_t byte) const {
    const uint8_t* lo = byte_.data() + first_child_[node];
    const uint8_t* hi = byte_.data() + first_child_[node + 1];
    if (hi - lo <= 8) {
      for (const uint8_t* at = lo; at < hi; ++at)
        if (*at == byte) return static_cast<uint32_t>(at - byte_.data());
      return kNoPiece;
    }
    const uint8_t* at = std::lower_bound(lo, hi, byte);
    return at != hi && *at == byte ? static_cast<uint32_t>(at - byte_.data()) : kNoPiece;
  }

  std::string arena_;
  std::vector<size_t> offsets_;
  std::vector<double> scores_;
  std::vector<uint32_t> first_child_;  // per node, plus one past the last
  std::vector<uint8_t> byte_;          // per node: the byte that leads to it
  std::vector<uint32_t> piece_;        // per node: the piece ending there, or kNoPiece
};

class Unigram final : public Model {
 public:
  Unigram(PieceTable pieces, std::optional<int64_t> unk_id, bool byte_fallback)
      : pieces_(std::move(pieces)), unk_id_(unk_id), byte_fallback_(byte_fallback) {
    min_score_ = std::numeric_limits<double>::infinity();
    for (size_t id = 0; id < pieces_.size(); ++id) min_score_ = std::min(min_score_, pieces_.score(id));
    pieces_.build_trie();
  }

  std::vector<Token> tokenize(std::string_view word) const override {
    std::vector<Token> tokens;
    for (const Segment& segment : best_segmentation(word)) {
      const ByteRange span{segment.start, segment.end};
      const std::string_view piece = word.substr(segment.start, segment.end - segment.start);
      if (segment.id >= 0) {
        tokens.push_back({segment.id, std::string(piece), span});
        continue;
      }
      if (const auto id = token_to_id(piece)) {
        tokens.push_back({*id, std::string(piece), span});
        continue;
      }
      if (byte_fallback_ && byte_tokens(piece, span, tokens)) continue;
      tokens.push_back({require_unk(), std::string(piece), span});
    }
    return tokens;
  }

  std::optional<int64_t> token_to_id(std::string_view token) const override { return pieces_.find(token); }
  std::optional<std::string> id_to_token(int64_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) return std::nullopt;
    return std::string(pieces_.piece(static_cast<size_t>(id)));
  }
  size_t vocab_size() const override { return pieces_.size(); }

 private:
  static constexpr double kUnknownPenalty = 10.0;

  struct BestPath {
    int64_t id = -1;
    double score = 0.0;
    size_t start = 0;
    bool reached = false;
  };
  struct Segment {
    size_t start, end;
    int64_t id;  // -1: a run of unknown pieces, looked up as a whole
  };

  std::vector<Segment> best_segmentation(std::string_view word) const {
    thread_local TRANSFORMERS_FAST_TLS std::vector<BestPath> best;
    best.assign(word.size() + 1, BestPath{});
    const double unk_score = min_score_ - kUnknownPenalty;
    auto offer = [&](size_t end, size_t start, int64_t id, double score) {
      BestPath& node = best[end];
      if (!node.reached || score > node.score) node = {id, score, start, true};
    };
    for (size_t start = 0, length = 0; start < word.size(); start += length) {
      decode_utf8(word, start, length);
      const double score_here = best[start].score;
      bool has_single_char_piece = false;
      pieces_.for_each_prefix(word.substr(start), [&](uint32_t id, size_t bytes) {
        offer(start + bytes, start, static_cast<int64_t>(id), score_here + pieces_.score(id));
        has_single_char_piece = has_single_char_piece || bytes == length;
      });
      if (!has_single_char_piece) offer(start + length, start, require_unk(), score_here + unk_score);
    }
    // Walk back; consecutive unknown pieces are always fused.
    std::vector<Segment> segments;
    std::optional<size_t> unknown_end;  // end of the unknown run being collected
    size_t unknown_start = 0;
    for (size_t end = word.size(); end > 0;) {
      const BestPath& node = best[end];
      const size_t start = node.start;
      if (unk_id_ && node.id == *unk_id_) {
        if (!unknown_end) unknown_end = end;
        unknown_start = start;
      } else {
        if (unknown_end) segments.push_back({unknown_start, *unknown_end, -1});
        unknown_end.reset();
        segments.push_back({start, end, node.id});
      }
      end = start;
    }
    if (unknown_end) segments.push_back({unknown_start, *unknown_end, -1});
    std::reverse(segments.begin(), segments.end());
    return segments;
  }

  bool byte_tokens(std::string_view piece, ByteRange span, std::vector<Token>& tokens) const {
    static const char* hex = "0123456789ABCDEF";
    const size_t first = tokens.size();
    for (char c : piece) {
      const auto byte = static_cast<unsigned char>(c);
      const std::string name = std::string("<0x") + hex[byte >> 4] + hex[byte & 15] + ">";
      const auto id = token_to_id(name);
      if (!id) {
        tokens.resize(first);
        return false;
      }
      tokens.push_back({*id, name, span});
    }
    return true;
  }

  int64_t require_unk() const {
    if (!unk_id_) throw Error("tokenizer Unigram model: text needs the unknown piece but the model has no unk_id");
    return *unk_id_;
  }

  PieceTable pieces_;
  std::optional<int64_t> unk_id_;
  bool byte_fallback_;
  double min_score_;
};

}  // namespace

std::unique_ptr<Model> make_unigram_model(const json& config, const std::string& where) {
  const json& vocab = required_field(config, "vocab", where);
  PieceTable pieces;
  if (is_compact(vocab, kCompactUnigramVocab)) {
    CompactReader reader(vocab.get_binary());
    pieces = PieceTable(reader.count());
    while (!reader.done()) {
      const std::string_view piece = reader.string();
      pieces.add(piece, reader.float64());
    }
  } else {
    if (!vocab.is_array()) throw_config_error(where, "field 'vocab' must be a list of [piece, score]");
    pieces = PieceTable(vocab.size());
    for (size_t i = 0; i < vocab.size(); ++i) {
      const json& entry = vocab[i];
      if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number())
        throw_config_error(where, "vocab[" + std::to_string(i) + "] must be [piece, score], found " + entry.dump());
      pieces.add(entry[0].get_ref<const std::string&>(), entry[1].get<double>());
    }
  }
  const std::optional<int64_t> unk_id = optional_int_field(config, "unk_id", where);
  if (unk_id && (*unk_id < 0 || static_cast<size_t>(*unk_id) >= pieces.size()))
    throw_config_error(where, "field 'unk_id' " + std::to_string(*unk_id) + " is outside the vocab");
  return std::make_unique<Unigram>(std::move(pieces), unk_id, bool_field(config, "byte_fallback", false, where));
}

}  // namespace transformers::tokenizers::detail
