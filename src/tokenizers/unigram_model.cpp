// Unigram: the best-scoring segmentation (Viterbi over bytes), unknown runs fused into one unk.
#include <cmath>
#include <limits>
#include <unordered_map>

#include "model.hpp"
#include "transformers/core/error.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::detail {

namespace {

// Byte trie over the pieces, for "every piece that starts here".
class PieceTrie {
 public:
  void add(std::string_view piece, size_t id) {
    size_t node = 0;
    for (char byte : piece) {
      auto& children = nodes_[node].children;
      const auto key = static_cast<unsigned char>(byte);
      auto found = children.find(key);
      if (found == children.end()) {
        nodes_.push_back(Node{});
        found = nodes_[node].children.emplace(key, nodes_.size() - 1).first;
      }
      node = found->second;
    }
    if (!nodes_[node].id) nodes_[node].id = id;
  }

  template <typename Visit>  // Visit(piece_id, byte_length), shortest first
  void for_each_prefix(std::string_view text, Visit visit) const {
    size_t node = 0;
    for (size_t i = 0; i < text.size(); ++i) {
      const auto found = nodes_[node].children.find(static_cast<unsigned char>(text[i]));
      if (found == nodes_[node].children.end()) return;
      node = found->second;
      if (nodes_[node].id) visit(*nodes_[node].id, i + 1);
    }
  }

 private:
  struct Node {
    std::unordered_map<unsigned char, size_t> children;
    std::optional<size_t> id;
  };
  std::vector<Node> nodes_{Node{}};
};

class Unigram final : public Model {
 public:
  Unigram(std::vector<std::pair<std::string, double>> pieces, std::optional<int64_t> unk_id, bool byte_fallback)
      : pieces_(std::move(pieces)), unk_id_(unk_id), byte_fallback_(byte_fallback) {
    min_score_ = std::numeric_limits<double>::infinity();
    for (size_t id = 0; id < pieces_.size(); ++id) {
      ids_.emplace(pieces_[id].first, static_cast<int64_t>(id));
      trie_.add(pieces_[id].first, id);
      min_score_ = std::min(min_score_, pieces_[id].second);
    }
  }

  std::vector<Token> tokenize(std::string_view word) const override {
    std::vector<Token> tokens;
    size_t offset = 0;
    for (const std::string& piece : best_segmentation(word)) {
      const ByteRange span{offset, offset + piece.size()};
      offset += piece.size();
      if (const auto id = token_to_id(piece)) {
        tokens.push_back({*id, piece, span});
        continue;
      }
      if (byte_fallback_) {
        if (auto bytes = byte_tokens(piece, span)) {
          tokens.insert(tokens.end(), bytes->begin(), bytes->end());
          continue;
        }
      }
      tokens.push_back({require_unk(), piece, span});
    }
    return tokens;
  }

  std::optional<int64_t> token_to_id(std::string_view token) const override {
    const auto found = ids_.find(std::string(token));
    if (found == ids_.end()) return std::nullopt;
    return found->second;
  }
  std::optional<std::string> id_to_token(int64_t id) const override {
    if (id < 0 || static_cast<size_t>(id) >= pieces_.size()) return std::nullopt;
    return pieces_[static_cast<size_t>(id)].first;
  }
  size_t vocab_size() const override { return pieces_.size(); }

 private:
  static constexpr double kUnknownPenalty = 10.0;

  struct BestPath {
    int64_t id = -1;
    double score = 0.0;
    std::optional<size_t> start;
  };

  std::vector<std::string> best_segmentation(std::string_view word) const {
    std::vector<BestPath> best(word.size() + 1);
    const double unk_score = min_score_ - kUnknownPenalty;
    auto offer = [&](size_t end, size_t start, int64_t id, double score) {
      BestPath& node = best[end];
      if (!node.start || score > node.score) node = {id, score, start};
    };
    for (size_t start = 0, length = 0; start < word.size(); start += length) {
      decode_utf8(word, start, length);
      const double score_here = best[start].score;
      bool has_single_char_piece = false;
      trie_.for_each_prefix(word.substr(start), [&](size_t id, size_t bytes) {
        offer(start + bytes, start, static_cast<int64_t>(id), score_here + pieces_[id].second);
        has_single_char_piece = has_single_char_piece || bytes == length;
      });
      if (!has_single_char_piece) offer(start + length, start, require_unk(), score_here + unk_score);
    }
    // Walk back; consecutive unknown pieces are always fused.
    std::vector<std::string> pieces;
    std::string unknown_run;
    for (size_t end = word.size(); end > 0;) {
      const BestPath& node = best[end];
      const size_t start = *node.start;
      const std::string piece(word.substr(start, end - start));
      if (unk_id_ && node.id == *unk_id_) {
        unknown_run.insert(0, piece);
      } else {
        if (!unknown_run.empty()) pieces.push_back(std::move(unknown_run));
        unknown_run.clear();
        pieces.push_back(piece);
      }
      end = start;
    }
    if (!unknown_run.empty()) pieces.push_back(std::move(unknown_run));
    return {pieces.rbegin(), pieces.rend()};
  }

  std::optional<std::vector<Token>> byte_tokens(const std::string& piece, ByteRange span) const {
    static const char* hex = "0123456789ABCDEF";
    std::vector<Token> tokens;
    for (char c : piece) {
      const auto byte = static_cast<unsigned char>(c);
      const std::string name = std::string("<0x") + hex[byte >> 4] + hex[byte & 15] + ">";
      const auto id = token_to_id(name);
      if (!id) return std::nullopt;
      tokens.push_back({*id, name, span});
    }
    return tokens;
  }

  int64_t require_unk() const {
    if (!unk_id_) throw Error("tokenizer Unigram model: text needs the unknown piece but the model has no unk_id");
    return *unk_id_;
  }

  std::vector<std::pair<std::string, double>> pieces_;
  std::unordered_map<std::string, int64_t> ids_;
  PieceTrie trie_;
  std::optional<int64_t> unk_id_;
  bool byte_fallback_;
  double min_score_;
};

}  // namespace

std::unique_ptr<Model> make_unigram_model(const json& config, const std::string& where) {
  const json& vocab = required_field(config, "vocab", where);
  if (!vocab.is_array()) throw_config_error(where, "field 'vocab' must be a list of [piece, score]");
  std::vector<std::pair<std::string, double>> pieces;
  pieces.reserve(vocab.size());
  for (size_t i = 0; i < vocab.size(); ++i) {
    const json& entry = vocab[i];
    if (!entry.is_array() || entry.size() != 2 || !entry[0].is_string() || !entry[1].is_number())
      throw_config_error(where, "vocab[" + std::to_string(i) + "] must be [piece, score], found " + entry.dump());
    pieces.emplace_back(entry[0].get<std::string>(), entry[1].get<double>());
  }
  const std::optional<int64_t> unk_id = optional_int_field(config, "unk_id", where);
  if (unk_id && (*unk_id < 0 || static_cast<size_t>(*unk_id) >= pieces.size()))
    throw_config_error(where, "field 'unk_id' " + std::to_string(*unk_id) + " is outside the vocab");
  return std::make_unique<Unigram>(std::move(pieces), unk_id, bool_field(config, "byte_fallback", false, where));
}

}  // namespace transformers::tokenizers::detail
