// T5Tokenizer and LlamaTokenizer from a SentencePiece .model file, as transformers 5 builds them:
// the pieces (with scores and types) and the normalization charsmap are read from the model, then
// the class sets its own normalizer, pre-tokenizer, decoder and post-processor.
#include <algorithm>
#include <cstring>
#include <map>

#include <sentencepiece_processor.h>

#include "legacy_tokenizer.hpp"
#include "transformers/core/error.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

enum class PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

struct Piece {
  std::string text;
  float score = 0.0f;
  PieceType type = PieceType::Normal;
};

struct SentencePieceModel {
  std::vector<Piece> pieces;
  std::string precompiled_charsmap;
};

// The few fields of sentencepiece_model.proto we need, read straight from the protobuf wire format
// (libsentencepiece does not expose the proto's classes).
class WireReader {
 public:
  WireReader(std::string_view bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}
  bool done() const { return position_ >= bytes_.size(); }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (done()) fail("truncated varint");
      const auto byte = static_cast<uint8_t>(bytes_[position_++]);
      value |= static_cast<uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return value;
    }
    fail("varint too long");
  }
  std::string_view bytes() {
    const uint64_t size = varint();
    if (size > bytes_.size() - position_) fail("field longer than the message");
    std::string_view out = bytes_.substr(position_, size);
    position_ += size;
    return out;
  }
  float fixed32_float() {
    if (bytes_.size() - position_ < 4) fail("truncated float");
    float value;
    std::memcpy(&value, bytes_.data() + position_, 4);
    position_ += 4;
    return value;
  }
  void skip(uint64_t wire_type) {
    switch (wire_type) {
      case 0: varint(); return;
      case 1: advance(8); return;
      case 2: bytes(); return;
      case 5: advance(4); return;
      default: fail("unsupported wire type " + std::to_string(wire_type));
    }
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw FileError(where_ + ": malformed SentencePiece model (" + what + ")");
  }

 private:
  void advance(size_t count) {
    if (bytes_.size() - position_ < count) fail("truncated field");
    position_ += count;
  }
  std::string_view bytes_;
  std::string where_;
  size_t position_ = 0;
};

Piece parse_piece(std::string_view message, const std::string& where) {
  WireReader reader(message, where);
  Piece piece;
  while (!reader.done()) {
    const uint64_t tag = reader.varint();
    const uint64_t field = tag >> 3, wire_type = tag & 7;
    if (field == 1 && wire_type == 2)
      piece.text = std::string(reader.bytes());
    else if (field == 2 && wire_type == 5)
      piece.score = reader.fixed32_float();
    else if (field == 3 && wire_type == 0)
      piece.type = static_cast<PieceType>(reader.varint());
    else
      reader.skip(wire_type);
  }
  return piece;
}

std::string parse_charsmap(std::string_view normalizer_spec, const std::string& where) {
  WireReader reader(normalizer_spec, where);
  std::string charsmap;
  while (!reader.done()) {
    const uint64_t tag = reader.varint();
    if ((tag >> 3) == 2 && (tag & 7) == 2)
      charsmap = std::string(reader.bytes());
    else
      reader.skip(tag & 7);
  }
  return charsmap;
}

SentencePieceModel read_sentencepiece_model(const fs::path& path) {
  // libsentencepiece validates the file (and reports what is wrong with it) before we read it.
  sentencepiece::SentencePieceProcessor processor;
  if (auto status = processor.Load(path.string()); !status.ok())
    throw FileError(path.string() + ": not a usable SentencePiece model: " + status.ToString());
  const std::string proto = processor.serialized_model_proto();
  WireReader reader(proto, path.string());
  SentencePieceModel model;
  while (!reader.done()) {
    const uint64_t tag = reader.varint();
    const uint64_t field = tag >> 3, wire_type = tag & 7;
    if (field == 1 && wire_type == 2)
      model.pieces.push_back(parse_piece(reader.bytes(), path.string()));
    else if (field == 3 && wire_type == 2)
      model.precompiled_charsmap = parse_charsmap(reader.bytes(), path.string());
    else
      reader.skip(wire_type);
  }
  if (model.pieces.empty()) reader.fail("no pieces");
  return model;
}

// Control pieces become special added tokens and user-defined ones plain added tokens, in id order
// (transformers' SentencePieceExtractor).
void add_sentencepiece_symbols(AddedTokenTable& table, const SentencePieceModel& model) {
  for (const Piece& piece : model.pieces)
    if (piece.type == PieceType::Control || piece.type == PieceType::UserDefined)
      table.add(piece.text, piece.type == PieceType::Control);
}

json metaspace(const std::string& prepend_scheme, bool split) {
  return {{"type", "Metaspace"}, {"replacement", "\u2581"}, {"prepend_scheme", prepend_scheme}, {"split", split}};
}

std::function<std::optional<int64_t>(const std::string&)> lookup_in(const std::map<std::string, int64_t>& ids) {
  return [&ids](const std::string& token) -> std::optional<int64_t> {
    auto it = ids.find(token);
    return it == ids.end() ? std::nullopt : std::optional<int64_t>(it->second);
  };
}

json bytes_array(const std::string& bytes) {
  json out = json::array();
  for (char c : bytes) out.push_back(static_cast<int>(static_cast<uint8_t>(c)));
  return out;
}

LegacyTokenizer t5_tokenizer(const SentencePieceModel& model, const json& config, const json& special_tokens_map) {
  // T5's sentinels <extra_id_N> ... <extra_id_0> follow the pieces (highest first), score 0.
  int64_t extra_ids = 100;
  if (config.is_object() && config.contains("extra_ids") && config["extra_ids"].is_number_integer())
    extra_ids = config["extra_ids"].get<int64_t>();
  json vocab = json::array();
  std::map<std::string, int64_t> ids;
  for (const Piece& piece : model.pieces) {
    ids.emplace(piece.text, static_cast<int64_t>(vocab.size()));
    vocab.push_back({piece.text, piece.score});
  }
  std::vector<std::string> sentinels;
  for (int64_t i = extra_ids - 1; i >= 0; --i) {
    std::string sentinel = "<extra_id_" + std::to_string(i) + ">";
    ids.emplace(sentinel, static_cast<int64_t>(vocab.size()));
    vocab.push_back({sentinel, 0.0});
    sentinels.push_back(sentinel);
  }

  LegacyTokenizer result;
  result.tokenizer_class = "T5Tokenizer";
  result.special_tokens = resolve_special_tokens(
      {{"eos_token", "</s>"}, {"unk_token", "<unk>"}, {"pad_token", "<pad>"}}, config, special_tokens_map);
  AddedTokenTable added(lookup_in(ids), static_cast<int64_t>(vocab.size()));
  add_special_tokens(added, result.special_tokens, config);
  add_sentencepiece_symbols(added, model);
  for (auto it = sentinels.rbegin(); it != sentinels.rend(); ++it) added.add(*it, true);

  const std::string eos = special_token(result.special_tokens, "eos_token").value_or("</s>");
  result.document = tokenizer_document(
      added,
      model.precompiled_charsmap.empty()
          ? json()
          : json{{"type", "Precompiled"}, {"precompiled_charsmap", bytes_array(model.precompiled_charsmap)}},
      {{"type", "Sequence"}, {"pretokenizers", {{{"type", "WhitespaceSplit"}}, metaspace("always", true)}}},
      template_processing("$A " + eos, "$A " + eos + " $B " + eos, {{eos, added.id_of(eos).value_or(1)}}),
      metaspace("always", true),
      // T5Tokenizer fixes unk_id at 2 (T5's own vocabulary) and never falls back to bytes.
      {{"type", "Unigram"}, {"unk_id", 2}, {"vocab", std::move(vocab)}, {"byte_fallback", false}});
  return result;
}

// transformers' generate_merges without scores: every split of every piece into two pieces of the
// vocabulary is a merge, ranked by the merged piece's id, then by the left and right lengths (in
// characters), then by the halves' ids.
json generate_merges(const std::vector<std::string>& pieces_in_order, const std::map<std::string, int64_t>& vocab) {
  struct Merge {
    std::string left, right;
    int64_t rank;
    size_t left_chars, right_chars;
  };
  std::vector<Merge> merges;
  for (const std::string& merged : pieces_in_order) {
    const int64_t rank = vocab.at(merged);
    std::vector<Merge> local;
    const size_t total_chars = detail::count_chars(merged);
    size_t left_chars = 0, split = 0;
    while (true) {
      size_t length = 0;
      detail::decode_utf8(merged, split, length);
      split += length;
      ++left_chars;
      if (split >= merged.size()) break;
      std::string left = merged.substr(0, split), right = merged.substr(split);
      if (vocab.count(left) && vocab.count(right))
        local.push_back({std::move(left), std::move(right), rank, left_chars, total_chars - left_chars});
    }
    std::stable_sort(local.begin(), local.end(), [&](const Merge& a, const Merge& b) {
      return std::pair(vocab.at(a.left), vocab.at(a.right)) < std::pair(vocab.at(b.left), vocab.at(b.right));
    });
    merges.insert(merges.end(), local.begin(), local.end());
  }
  std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
    return std::tuple(a.rank, a.left_chars, a.right_chars) < std::tuple(b.rank, b.left_chars, b.right_chars);
  });
  json out = json::array();
  for (const Merge& merge : merges) out.push_back({merge.left, merge.right});
  return out;
}

LegacyTokenizer llama_tokenizer(const SentencePieceModel& model, const json& config, const json& special_tokens_map) {
  // A Python dict built from the pieces: a repeated piece keeps its first position and last id.
  std::map<std::string, int64_t> ids;
  std::vector<std::string> order;
  for (size_t i = 0; i < model.pieces.size(); ++i) {
    auto [it, inserted] = ids.insert_or_assign(model.pieces[i].text, static_cast<int64_t>(i));
    if (inserted) order.push_back(model.pieces[i].text);
  }
  json vocab = json::object();
  for (const auto& [piece, id] : ids) vocab[piece] = id;

  LegacyTokenizer result;
  result.tokenizer_class = "LlamaTokenizer";
  result.padding_side = Side::Left;
  result.special_tokens = resolve_special_tokens({{"bos_token", "<s>"}, {"eos_token", "</s>"}, {"unk_token", "<unk>"}},
                                                 config, special_tokens_map);
  AddedTokenTable added(lookup_in(ids), static_cast<int64_t>(ids.size()));
  add_special_tokens(added, result.special_tokens, config);
  add_sentencepiece_symbols(added, model);

  const bool add_prefix_space = config_flag(config, "add_prefix_space", true);
  const std::string prepend_scheme = !add_prefix_space                      ? "never"
                                     : config_flag(config, "legacy", false) ? "always"
                                                                            : "first";
  json decoders = {{{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}},
                   {{"type", "ByteFallback"}},
                   {{"type", "Fuse"}}};
  if (add_prefix_space) decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
  result.document =
      tokenizer_document(added, nullptr, metaspace(prepend_scheme, false),
                         bos_eos_template(result.special_tokens, added, config_flag(config, "add_bos_token", false),
                                          config_flag(config, "add_eos_token", false)),
                         {{"type", "Sequence"}, {"decoders", decoders}},
                         {{"type", "BPE"},
                          {"dropout", nullptr},
                          {"unk_token", nullptr},
                          {"continuing_subword_prefix", nullptr},
                          {"end_of_word_suffix", nullptr},
                          {"fuse_unk", true},
                          {"byte_fallback", true},
                          {"ignore_merges", false},
                          {"vocab", std::move(vocab)},
                          {"merges", generate_merges(order, ids)}});
  return result;
}

}  // namespace

LegacyTokenizer sentencepiece_legacy_tokenizer(const fs::path& model_file, const std::string& tokenizer_class,
                                               const json& config, const json& special_tokens_map) {
  const SentencePieceModel model = read_sentencepiece_model(model_file);
  if (tokenizer_class == "T5Tokenizer") return t5_tokenizer(model, config, special_tokens_map);
  return llama_tokenizer(model, config, special_tokens_map);
}

}  // namespace transformers::tokenizers
