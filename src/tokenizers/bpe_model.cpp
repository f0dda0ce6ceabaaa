// BPE: chars (with optional prefix/suffix, byte fallback, unk) merged by rank, lowest first.
#include <mutex>
#include <queue>
#include <shared_mutex>
#include <unordered_map>

#include "../core/huge_pages.hpp"
#include "fast_json.hpp"
#include "flat_hash.hpp"
#include "model.hpp"
#include "transformers/core/error.hpp"
#include "unicode.hpp"
#include "vocabulary.hpp"

namespace transformers::tokenizers::detail {

namespace {

struct MergeRule {
  uint32_t rank;
  uint32_t merged_id;
};

// (left id, right id) -> rule, open addressing over one array (ids are < 2^32, as in HF).
class MergeMap {
 public:
  void reserve(size_t count) {
    if (items_.size() >= flat_capacity(count)) return;
    auto old = std::move(items_);
    items_.assign(flat_capacity(count), Item{kEmpty, {0, 0}});
    const size_t mask = items_.size() - 1;
    for (const Item& item : old) {
      if (item.key == kEmpty) continue;
      size_t at = hash_u64(item.key) & mask;
      while (items_[at].key != kEmpty) at = (at + 1) & mask;
      items_[at] = item;
    }
  }
  struct Entry {
    uint64_t key;
    MergeRule rule;
  };
  static Entry entry(int64_t left, int64_t right, MergeRule rule) { return {pack(left, right), rule}; }
  void prefetch(const Entry& entry) const {
    if (!items_.empty()) __builtin_prefetch(&items_[hash_u64(entry.key) & (items_.size() - 1)]);
  }
  // A pair seen again takes the new rule (as assigning into a map did).
  void set(int64_t left, int64_t right, MergeRule rule) { set(entry(left, right, rule)); }
  void set(const Entry& entry) {
    if (needs_growth(items_.size(), size_ + 1)) reserve(std::max<size_t>(16, 2 * size_));
    const uint64_t key = entry.key;
    const MergeRule rule = entry.rule;
    const size_t mask = items_.size() - 1;
    for (size_t at = hash_u64(key) & mask;; at = (at + 1) & mask) {
      Item& item = items_[at];
      if (item.key == key) {
        item.rule = rule;
        return;
      }
      if (item.key == kEmpty) {
        item = {key, rule};
        ++size_;
        return;
      }
    }
  }
  const MergeRule* find(int64_t left, int64_t right) const {
    if (items_.empty()) return nullptr;
    const uint64_t key = pack(left, right);
    const size_t mask = items_.size() - 1;
    for (size_t at = hash_u64(key) & mask;; at = (at + 1) & mask) {
      const Item& item = items_[at];
      if (item.key == key) return &item.rule;
      if (item.key == kEmpty) return nullptr;
    }
  }

 private:
  struct Item {
    uint64_t key;
    MergeRule rule;
  };
  static constexpr uint64_t kEmpty = ~uint64_t{0};
  static uint64_t pack(int64_t left, int64_t right) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(left)) << 32) | static_cast<uint32_t>(right);
  }
  std::vector<Item, transformers::detail::HugePageAllocator<Item>> items_;
  size_t size_ = 0;
};

struct Symbol {
  int64_t id;
  size_t start, length;  // bytes of the word
  std::ptrdiff_t previous, next;
};

// Merges a word's symbols: repeatedly the lowest-rank adjacent pair, leftmost first.
void merge_symbols(std::vector<Symbol>& symbols, const MergeMap& merges) {
  struct Candidate {
    size_t rank, position;
    int64_t merged_id;
    bool operator>(const Candidate& other) const {
      return rank != other.rank ? rank > other.rank : position > other.position;
    }
  };
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
  auto push_pair = [&](size_t left) {
    const auto right = symbols[left].next;
    if (right < 0) return;
    if (const MergeRule* found = merges.find(symbols[left].id, symbols[static_cast<size_t>(right)].id))
      queue.push({found->rank, left, found->merged_id});
  };
  for (size_t i = 0; i + 1 < symbols.size(); ++i) push_pair(i);
  while (!queue.empty()) {
    const Candidate top = queue.top();
    queue.pop();
    Symbol& left = symbols[top.position];
    if (left.length == 0 || left.next < 0) continue;
    Symbol& right = symbols[static_cast<size_t>(left.next)];
    // Skip entries made stale by an earlier merge on either side.
    const MergeRule* current = merges.find(left.id, right.id);
    if (!current || current->merged_id != top.merged_id) continue;
    left.id = top.merged_id;
    left.length += right.length;
    left.next = right.next;
    right.length = 0;
    if (left.next >= 0) symbols[static_cast<size_t>(left.next)].previous = static_cast<std::ptrdiff_t>(top.position);
    if (left.previous >= 0) push_pair(static_cast<size_t>(left.previous));
    push_pair(top.position);
  }
  std::erase_if(symbols, [](const Symbol& symbol) { return symbol.length == 0; });
}

struct BpeOptions {
  std::optional<std::string> unk_token;
  std::optional<std::string> continuing_subword_prefix;
  std::optional<std::string> end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class Bpe final : public VocabularyModel {
 public:
  Bpe(Vocabulary vocab, MergeMap merges, BpeOptions options)
      : VocabularyModel(std::move(vocab)), merges_(std::move(merges)), options_(std::move(options)) {}

  std::vector<Token> tokenize(std::string_view word) const override {
    if (word.empty()) return {};
    if (options_.ignore_merges)
      if (const auto id = vocab_.id(word)) return {Token{*id, std::string(word), {0, word.size()}}};
    {
      // Readers share the lock: threads encoding with one Tokenizer mostly hit the cache.
      std::shared_lock<std::shared_mutex> lock(cache_mutex_);
      const auto found = cache_.find(word);
      if (found != cache_.end()) return to_tokens(found->second);
    }
    std::vector<Symbol> symbols = initial_symbols(word);
    merge_symbols(symbols, merges_);
    cache_store(word, symbols);
    return to_tokens(symbols);
  }

 private:
  static constexpr size_t kCacheCapacity = 10000;
  static constexpr size_t kMaxCachedWordBytes = 256;

  std::vector<Symbol> initial_symbols(std::string_view word) const {
    std::vector<Symbol> symbols;
    // Unknown chars wait here so that consecutive ones can be fused (fuse_unk).
    struct PendingUnk {
      bool active = false;
      int64_t id = 0;
      size_t length = 0;
    } pending_unk;
    auto add = [&](int64_t id, size_t length) {
      const size_t start = symbols.empty() ? 0 : symbols.back().start + symbols.back().length;
      const auto index = static_cast<std::ptrdiff_t>(symbols.size());
      symbols.push_back({id, start, length, index - 1, -1});
      if (index > 0) symbols[symbols.size() - 2].next = index;
    };
    auto flush_unk = [&] {
      if (pending_unk.active) add(pending_unk.id, pending_unk.length);
      pending_unk.active = false;
    };
    for (size_t at = 0, length = 0; at < word.size(); at += length) {
      decode_utf8(word, at, length);
      std::string piece(word.substr(at, length));
      if (at > 0 && options_.continuing_subword_prefix) piece = *options_.continuing_subword_prefix + piece;
      if (at + length == word.size() && options_.end_of_word_suffix) piece += *options_.end_of_word_suffix;
      if (const auto id = vocab_.id(piece)) {
        flush_unk();
        add(*id, length);
        continue;
      }
      if (options_.byte_fallback) {
        if (const auto byte_ids = byte_token_ids(piece)) {
          for (int64_t id : *byte_ids) add(id, 1);
          continue;
        }
      }
      if (!options_.unk_token) continue;  // no unk: the char is dropped, as in HF
      if (pending_unk.active && options_.fuse_unk) {
        pending_unk.length += length;
        continue;
      }
      flush_unk();
      pending_unk = {true, unk_id(), length};
    }
    flush_unk();
    return symbols;
  }

  std::optional<std::vector<int64_t>> byte_token_ids(std::string_view piece) const {
    std::vector<int64_t> ids;
    static const char* hex = "0123456789ABCDEF";
    for (char c : piece) {
      const auto byte = static_cast<unsigned char>(c);
      const std::string name = std::string("<0x") + hex[byte >> 4] + hex[byte & 15] + ">";
      const auto id = vocab_.id(name);
      if (!id) return std::nullopt;
      ids.push_back(*id);
    }
    return ids;
  }

  int64_t unk_id() const {
    const auto id = vocab_.id(*options_.unk_token);
    if (!id) throw Error("tokenizer BPE model: unk_token '" + *options_.unk_token + "' is not in the vocab");
    return *id;
  }

  std::vector<Token> to_tokens(const std::vector<Symbol>& symbols) const {
    std::vector<Token> tokens;
    tokens.reserve(symbols.size());
    for (const Symbol& symbol : symbols) {
      const auto value = vocab_.token(symbol.id);
      tokens.push_back(
          {symbol.id, value ? std::string(*value) : std::string(), {symbol.start, symbol.start + symbol.length}});
    }
    return tokens;
  }

  void cache_store(std::string_view word, const std::vector<Symbol>& symbols) const {
    if (word.size() >= kMaxCachedWordBytes) return;
    std::unique_lock<std::shared_mutex> lock(cache_mutex_);
    if (cache_.size() < kCacheCapacity) cache_.emplace(std::string(word), symbols);
  }

  MergeMap merges_;
  BpeOptions options_;
  struct WordHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  mutable std::shared_mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<Symbol>, WordHash, std::equal_to<>> cache_;
};

std::pair<std::string, std::string> parse_merge(const json& entry, size_t rank, const std::string& where) {
  if (entry.is_string()) {
    const std::string text = entry.get<std::string>();
    const size_t space = text.find(' ');
    if (space == std::string::npos || text.find(' ', space + 1) != std::string::npos)
      throw_config_error(where, "merges[" + std::to_string(rank) + "] must be \"a b\", found \"" + text + "\"");
    return {text.substr(0, space), text.substr(space + 1)};
  }
  if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string())
    return {entry[0].get<std::string>(), entry[1].get<std::string>()};
  throw_config_error(where, "merges[" + std::to_string(rank) + "] must be \"a b\" or [a, b], found " + entry.dump());
}

MergeMap parse_merges(const json& config, const Vocabulary& vocab, const BpeOptions& options,
                      const std::string& where) {
  MergeMap merges;
  const auto found = config.find("merges");
  if (found == config.end() || found->is_null()) return merges;
  const size_t prefix_length = options.continuing_subword_prefix ? options.continuing_subword_prefix->size() : 0;
  auto id_of = [&](std::string_view token) {
    const auto id = vocab.id(token);
    if (!id) throw_config_error(where, "merge token '" + std::string(token) + "' is not in the vocab");
    if (*id < 0 || *id > static_cast<int64_t>(UINT32_MAX))
      throw_config_error(where, "merge token '" + std::string(token) + "' has an id outside [0, 2^32)");
    return *id;
  };
  std::string merged;
  auto add = [&](size_t rank, std::string_view left, std::string_view right) {
    merged.assign(left);
    merged.append(right.substr(std::min(prefix_length, right.size())));
    merges.set(id_of(left), id_of(right), MergeRule{static_cast<uint32_t>(rank), static_cast<uint32_t>(id_of(merged))});
  };
  if (is_compact(*found, kCompactMerges)) {
    // Hundreds of thousands of lookups that each miss the cache, so they are pipelined: merge i's
    // three tokens are hashed and their slots prefetched, at i + kAhead / 2 the bytes of the tokens
    // in those slots are prefetched, at i + kAhead they are looked up. The (pair -> rule) inserts
    // are collected and done the same way.
    CompactReader reader(found->get_binary());
    const size_t count = reader.count();
    merges.reserve(count);
    constexpr size_t kAhead = 16;
    struct Pending {
      std::string_view left, right;
      std::string merged;
      uint64_t hashes[3] = {0, 0, 0};
    };
    std::vector<Pending> ring(kAhead);
    auto lookup = [&](std::string_view token, uint64_t hash) {
      const auto id = vocab.id(token, hash);
      if (!id) throw_config_error(where, "merge token '" + std::string(token) + "' is not in the vocab");
      if (*id < 0 || *id > static_cast<int64_t>(UINT32_MAX))
        throw_config_error(where, "merge token '" + std::string(token) + "' has an id outside [0, 2^32)");
      return *id;
    };
    std::vector<MergeMap::Entry, transformers::detail::HugePageAllocator<MergeMap::Entry>> entries;
    entries.reserve(count);
    for (size_t i = 0; i < count + kAhead; ++i) {
      if (i >= kAhead) {
        const Pending& ready = ring[(i - kAhead) % kAhead];
        const int64_t left = lookup(ready.left, ready.hashes[0]), right = lookup(ready.right, ready.hashes[1]);
        const int64_t merged_id = lookup(ready.merged, ready.hashes[2]);
        entries.push_back(MergeMap::entry(
            left, right, MergeRule{static_cast<uint32_t>(i - kAhead), static_cast<uint32_t>(merged_id)}));
      }
      if (i >= kAhead / 2 && i - kAhead / 2 < count)
        for (uint64_t hash : ring[(i - kAhead / 2) % kAhead].hashes) vocab.prefetch_token(hash);
      if (i < count) {
        Pending& next = ring[i % kAhead];
        next.left = reader.string();
        next.right = reader.string();
        next.merged.assign(next.left);
        next.merged.append(next.right.substr(std::min(prefix_length, next.right.size())));
        next.hashes[0] = hash_bytes(next.left);
        next.hashes[1] = hash_bytes(next.right);
        next.hashes[2] = hash_bytes(next.merged);
        for (uint64_t hash : next.hashes) __builtin_prefetch(vocab.probe_address(hash));
      }
    }
    for (size_t i = 0; i < entries.size(); ++i) {
      if (i + kAhead < entries.size()) merges.prefetch(entries[i + kAhead]);
      merges.set(entries[i]);
    }
    return merges;
  }
  if (!found->is_array()) throw_config_error(where, "field 'merges' must be a list");
  merges.reserve(found->size());
  for (size_t rank = 0; rank < found->size(); ++rank) {
    const auto [left, right] = parse_merge((*found)[rank], rank, where);
    add(rank, left, right);
  }
  return merges;
}

}  // namespace

std::unique_ptr<Model> make_bpe_model(const json& config, const std::string& where) {
  if (const auto dropout = config.find("dropout"); dropout != config.end() && !dropout->is_null()) {
    if (!dropout->is_number() || dropout->get<double>() < 0.0 || dropout->get<double>() > 1.0)
      throw_config_error(where, "field 'dropout' must be null or a number in [0, 1]");
    if (dropout->get<double>() > 0.0)
      throw_config_error(where, "BPE dropout is a training feature; inference needs dropout null or 0");
  }
  BpeOptions options;
  options.unk_token = optional_string_field(config, "unk_token", where);
  options.continuing_subword_prefix = optional_string_field(config, "continuing_subword_prefix", where);
  options.end_of_word_suffix = optional_string_field(config, "end_of_word_suffix", where);
  options.fuse_unk = bool_field(config, "fuse_unk", false, where);
  options.byte_fallback = bool_field(config, "byte_fallback", false, where);
  options.ignore_merges = bool_field(config, "ignore_merges", false, where);
  Vocabulary vocab = Vocabulary::from_json(required_field(config, "vocab", where), where);
  MergeMap merges = parse_merges(config, vocab, options, where);
  return std::make_unique<Bpe>(std::move(vocab), std::move(merges), std::move(options));
}

}  // namespace transformers::tokenizers::detail
