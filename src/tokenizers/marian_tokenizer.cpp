// MarianTokenizer (the opus-mt models): transformers' class runs the sentencepiece library itself
// and maps its pieces through vocab.json, which is not aligned with the SentencePiece ids, so no
// tokenizer.json can describe it. We do the same with libsentencepiece, behind the usual
// added-token / post-processor / decoder pipeline:
//   model "MarianSentencePiece": a leading ">>xx<<" language code kept as one token, the rest
//     encoded by source.spm, each piece's id from vocab.json (<unk> when it has none);
//   post-processor: the text then </s>;
//   decoder "MarianSentencePiece": convert_tokens_to_string's way - runs of pieces decoded by the
//     SentencePiece model, special tokens inserted as they are with a space after, "▁" made a space,
//     the result stripped.
// Target-side tokenization (text_target, for training labels) is not built.
#include <sentencepiece_processor.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "decoder.hpp"
#include "legacy_tokenizer.hpp"
#include "model.hpp"
#include "transformers/core/error.hpp"

namespace transformers::tokenizers {
namespace fs = std::filesystem;
using nlohmann::json;

namespace detail {
namespace {

std::shared_ptr<sentencepiece::SentencePieceProcessor> load_spm(const std::string& path) {
  auto processor = std::make_shared<sentencepiece::SentencePieceProcessor>();
  if (auto status = processor->Load(path); !status.ok())
    throw FileError(path + ": not a usable SentencePiece model: " + status.ToString());
  return processor;
}

std::string string_field(const json& config, const char* key, const std::string& where) {
  if (!config.contains(key) || !config[key].is_string()) throw_config_error(where, std::string("needs '") + key + "'");
  return config[key].get<std::string>();
}

class MarianSentencePieceModel final : public Model {
 public:
  MarianSentencePieceModel(const json& config, const std::string& where)
      : source_(load_spm(string_field(config, "source_spm", where))) {
    for (const auto& [token, id] : config.at("vocab").items()) {
      encoder_.emplace(token, id.get<int64_t>());
      decoder_.emplace(id.get<int64_t>(), token);
    }
    const auto unk = encoder_.find(string_field(config, "unk_token", where));
    if (unk == encoder_.end()) throw_config_error(where, "<unk> token must be in the vocab");
    unk_id_ = unk->second;
  }

  std::vector<Token> tokenize(std::string_view word) const override {
    std::vector<Token> tokens;
    size_t start = 0;
    // transformers' remove_language_code: ">>xx<<" at the start is one token of its own.
    if (word.rfind(">>", 0) == 0) {
      const size_t end = word.find("<<");
      if (end != std::string_view::npos) {
        start = end + 2;
        const std::string code(word.substr(0, start));
        tokens.push_back({id_of(code), code, {0, start}});
      }
    }
    const std::string_view rest = word.substr(start);
    const sentencepiece::ImmutableSentencePieceText pieces =
        source_->EncodeAsImmutableProto(absl::string_view(rest.data(), rest.size()));
    for (size_t i = 0; i < pieces.pieces_size(); ++i) {
      const auto piece = pieces.pieces(static_cast<int>(i));
      tokens.push_back({id_of(piece.piece()), piece.piece(), {start + piece.begin(), start + piece.end()}});
    }
    return tokens;
  }

  std::optional<int64_t> token_to_id(std::string_view token) const override {
    const auto it = encoder_.find(std::string(token));
    return it == encoder_.end() ? std::optional<int64_t>(unk_id_) : std::optional<int64_t>(it->second);
  }
  // As _convert_id_to_token: vocab.json's token, else the SentencePiece model's piece of that id.
  std::optional<std::string> id_to_token(int64_t id) const override {
    const auto it = decoder_.find(id);
    if (it != decoder_.end()) return it->second;
    if (id >= 0 && id < source_->GetPieceSize()) return source_->IdToPiece(static_cast<int>(id));
    return std::nullopt;
  }
  size_t vocab_size() const override { return encoder_.size(); }

 private:
  int64_t id_of(const std::string& piece) const {
    const auto it = encoder_.find(piece);
    return it == encoder_.end() ? unk_id_ : it->second;
  }

  std::shared_ptr<sentencepiece::SentencePieceProcessor> source_;
  std::map<std::string, int64_t> encoder_;
  std::map<int64_t, std::string> decoder_;
  int64_t unk_id_ = 0;
};

class MarianSentencePieceDecoder final : public Decoder {
 public:
  MarianSentencePieceDecoder(const json& config, const std::string& where)
      : spm_(load_spm(string_field(config, "spm", where))) {
    for (const json& token : config.at("special_tokens")) special_.insert(token.get<std::string>());
  }

  std::vector<std::string> decode_chain(std::vector<std::string> tokens) const override {
    std::string out;
    std::vector<std::string> run;
    auto flush = [&] {
      std::string text;
      if (!run.empty()) spm_->Decode(run, &text);  // an invalid piece decodes to nothing, as in Python
      out += text;
      run.clear();
    };
    for (std::string& token : tokens) {
      if (special_.count(token)) {
        flush();
        out += token + " ";
      } else {
        run.push_back(std::move(token));
      }
    }
    flush();
    static const std::string kSpaceSymbol = "\xE2\x96\x81";
    for (size_t at = out.find(kSpaceSymbol); at != std::string::npos; at = out.find(kSpaceSymbol, at + 1))
      out.replace(at, kSpaceSymbol.size(), " ");
    const size_t first = out.find_first_not_of(" \t\n\r\f\v");
    if (first == std::string::npos) return {""};
    const size_t last = out.find_last_not_of(" \t\n\r\f\v");
    return {out.substr(first, last - first + 1)};
  }

 private:
  std::shared_ptr<sentencepiece::SentencePieceProcessor> spm_;
  std::set<std::string> special_;
};

}  // namespace

std::unique_ptr<Model> make_marian_model(const json& config, const std::string& where) {
  return std::make_unique<MarianSentencePieceModel>(config, where);
}

std::unique_ptr<Decoder> make_marian_decoder(const json& config, const std::string& where) {
  return std::make_unique<MarianSentencePieceDecoder>(config, where);
}

}  // namespace detail

namespace {

json read_vocab_object(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileError(path.string() + ": cannot be read (MarianTokenizer needs it)");
  json vocab = json::parse(in, nullptr, false);
  if (vocab.is_discarded() || !vocab.is_object()) throw FileError(path.string() + ": expected a JSON object {token: id}");
  for (const auto& [token, id] : vocab.items())
    if (!id.is_number_integer() || id.get<int64_t>() < 0)
      throw FileError(path.string() + ": the id of token '" + token + "' is not a non-negative integer");
  return vocab;
}

fs::path required_file(const fs::path& folder, const char* name) {
  const fs::path path = folder / name;
  if (!fs::exists(path)) throw FileError(folder.string() + ": MarianTokenizer needs " + name);
  return path;
}

}  // namespace

LegacyTokenizer marian_legacy_tokenizer(const fs::path& folder, const json& config, const json& special_tokens_map) {
  const fs::path source = required_file(folder, "source.spm"), target = required_file(folder, "target.spm");
  const json vocab = read_vocab_object(required_file(folder, "vocab.json"));
  const bool separate = config.is_object() && config.value("separate_vocabs", false);
  if (separate)
    throw FileError(folder.string() + ": MarianTokenizer with separate_vocabs (target_vocab.json) is not supported");

  LegacyTokenizer result;
  result.tokenizer_class = "MarianTokenizer";
  result.special_tokens = resolve_special_tokens({{"eos_token", "</s>"}, {"unk_token", "<unk>"}, {"pad_token", "<pad>"}},
                                                 config, special_tokens_map);
  AddedTokenTable added(
      [&vocab](const std::string& token) -> std::optional<int64_t> {
        return vocab.contains(token) ? std::optional<int64_t>(vocab[token].get<int64_t>()) : std::nullopt;
      },
      static_cast<int64_t>(vocab.size()));
  add_special_tokens(added, result.special_tokens, config);
  json specials = json::array();
  for (const auto& [role, token] : result.special_tokens) specials.push_back(token);

  const std::string eos = special_token(result.special_tokens, "eos_token").value_or("</s>");
  const std::string unk = special_token(result.special_tokens, "unk_token").value_or("<unk>");
  result.document = tokenizer_document(
      added, json(), json(),
      template_processing("$A:0 " + eos + ":0", "$A:0 $B:0 " + eos + ":0", {{eos, added.id_of(eos).value_or(0)}}),
      // Decoding reads the source model unless the vocabularies are separate, as _decode does.
      {{"type", "MarianSentencePiece"}, {"spm", source.string()}, {"special_tokens", specials}},
      {{"type", "MarianSentencePiece"},
       {"source_spm", source.string()},
       {"target_spm", target.string()},
       {"unk_token", unk},
       {"vocab", vocab}});
  return result;
}

}  // namespace transformers::tokenizers
