// tokenizer.json documents for the two GGUF vocabulary kinds llama.cpp calls BPE ("gpt2") and SPM
// ("llama"), written so that our BPE model computes what llama.cpp's tokenizers compute.
#include <algorithm>
#include <tuple>

#include "fast_json.hpp"
#include "gguf_vocab_parts.hpp"
#include "legacy_tokenizer.hpp"
#include "transformers/core/error.hpp"
#include "unicode.hpp"

namespace transformers::tokenizers::gguf_parts {

using nlohmann::json;

namespace {

// The vocabulary and merges are written as the compact blobs the tokenizer.json loader scans big
// arrays into (fast_json.hpp): tens of thousands of DOM nodes would cost more than the rest of
// loading a model.
size_t total_bytes(const std::vector<std::string>& tokens) {
  size_t bytes = 0;
  for (const std::string& token : tokens) bytes += token.size() + 16;
  return bytes;
}

json vocab_object(const Vocab& vocab) {
  detail::CompactWriter out(total_bytes(vocab.tokens));
  for (size_t id = 0; id < vocab.tokens.size(); ++id) {
    out.string(vocab.tokens[id]);
    out.put(static_cast<int64_t>(id));
    out.next();
  }
  return out.finish(detail::kCompactVocabObject);
}

void add_merge(detail::CompactWriter& out, std::string_view left, std::string_view right) {
  out.string(left);
  out.string(right);
  out.next();
}

json split_pattern(const std::string& pattern) {
  return {{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", "Isolated"}, {"invert", false}};
}

// The file's "a b" merges as [a, b]. llama.cpp splits at the first space after the first byte and
// simply never applies a merge whose tokens are not in the vocabulary; our BPE refuses such a merge,
// so it is left out (it could not change the result).
json byte_level_merges(const json& merges, const Vocab& vocab) {
  detail::CompactWriter out(merges.size() * 24);
  std::string left, right;
  for (const json& entry : merges) {
    if (!entry.is_string()) continue;
    const std::string& text = entry.get_ref<const std::string&>();
    const size_t space = text.find(' ', 1);
    if (space == std::string::npos) continue;
    left.assign(text, 0, space);
    right.assign(text, space + 1);
    if (!vocab.ids.count(left) || !vocab.ids.count(right) || !vocab.ids.count(left + right)) continue;
    add_merge(out, left, right);
  }
  return out.finish(detail::kCompactMerges);
}

// llama.cpp's SentencePiece tokenizer merges, at each step, the adjacent pair whose concatenation is
// the vocabulary token with the highest score (leftmost on ties). As BPE merges: every split of every
// token into two vocabulary tokens, ranked by the token's score (then id, then the halves' ids).
json score_ranked_merges(const Vocab& vocab) {
  struct Merge {
    float score;
    int64_t merged, left, right;
  };
  std::vector<Merge> merges;
  for (size_t id = 0; id < vocab.tokens.size(); ++id) {
    const std::string& token = vocab.tokens[id];
    for (size_t split = 0, length = 0; split < token.size(); split += length) {
      detail::decode_utf8(token, split, length);
      if (split == 0) continue;
      const auto left = vocab.id_of(token.substr(0, split)), right = vocab.id_of(token.substr(split));
      if (left && right) merges.push_back({vocab.scores[id], static_cast<int64_t>(id), *left, *right});
    }
  }
  std::sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) {
    return std::tuple(-a.score, a.merged, a.left, a.right) < std::tuple(-b.score, b.merged, b.left, b.right);
  });
  detail::CompactWriter out(merges.size() * 24);
  for (const Merge& merge : merges)
    add_merge(out, vocab.tokens[static_cast<size_t>(merge.left)], vocab.tokens[static_cast<size_t>(merge.right)]);
  return out.finish(detail::kCompactMerges);
}

json bpe_model(json vocab, json merges, bool byte_fallback, bool ignore_merges, json unk_token) {
  return {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", std::move(unk_token)},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", byte_fallback},
          {"byte_fallback", byte_fallback},
          {"ignore_merges", ignore_merges},
          {"vocab", std::move(vocab)},
          {"merges", std::move(merges)}};
}

json document(const Vocab& vocab, json normalizer, json pre_tokenizer, const SpecialTokens& special, json decoder,
              json model) {
  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", added_tokens(vocab)},
          {"normalizer", std::move(normalizer)},
          {"pre_tokenizer", std::move(pre_tokenizer)},
          {"post_processor", bos_eos_processor(special)},
          {"decoder", std::move(decoder)},
          {"model", std::move(model)}};
}

}  // namespace

json added_tokens(const Vocab& vocab) {
  json entries = json::array();
  for (size_t id = 0; id < vocab.tokens.size(); ++id) {
    const TokenType type = vocab.types[id];
    if (type != TokenType::Control && type != TokenType::Unknown && type != TokenType::UserDefined) continue;
    entries.push_back({{"id", static_cast<int64_t>(id)},
                       {"content", vocab.tokens[id]},
                       {"single_word", false},
                       {"lstrip", false},
                       {"rstrip", false},
                       {"normalized", false},
                       {"special", type != TokenType::UserDefined}});
  }
  return entries;
}

json bos_eos_processor(const SpecialTokens& special) {
  auto sequence = [&](const std::string& name, int type_id) {
    const std::string type = ":" + std::to_string(type_id);
    return (special.bos ? special.bos->first + type + " " : "") + name + type +
           (special.eos ? " " + special.eos->first + type : "");
  };
  std::vector<std::pair<std::string, int64_t>> ids;
  if (special.bos) ids.push_back(*special.bos);
  if (special.eos) ids.push_back(*special.eos);
  return template_processing(sequence("$A", 0), sequence("$A", 0) + " " + sequence("$B", 1), ids);
}

json byte_level_bpe_document(const Vocab& vocab, const json& merges, const GgufPreTokenizer& pre,
                             const SpecialTokens& special, const std::string& source) {
  if (!merges.is_array()) throw FileError(source + ": tokenizer.ggml.merges must be a list of strings");
  json steps = json::array();
  for (const std::string& pattern : pre.patterns) steps.push_back(split_pattern(pattern));
  steps.push_back({{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}});
  return document(vocab, nullptr, {{"type", "Sequence"}, {"pretokenizers", std::move(steps)}}, special,
                  {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}},
                  bpe_model(vocab_object(vocab), byte_level_merges(merges, vocab), false, pre.ignore_merges, nullptr));
}

json sentencepiece_bpe_document(const Vocab& vocab, std::optional<int64_t> unknown_id, bool add_space_prefix,
                                const SpecialTokens& special) {
  // llama.cpp puts a space before each stretch of raw text (the start, and after every token found in
  // the raw text) even when the text starts with one, then writes every space as ▁.
  json normalizers = json::array();
  if (add_space_prefix) normalizers.push_back({{"type", "Prepend"}, {"prepend", "\u2581"}});
  normalizers.push_back({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}});
  json decoders = {{{"type", "Replace"}, {"pattern", {{"String", "\u2581"}}}, {"content", " "}},
                   {{"type", "ByteFallback"}},
                   {{"type", "Fuse"}}};
  if (add_space_prefix) decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
  json unk = unknown_id ? json(vocab.tokens[static_cast<size_t>(*unknown_id)]) : json(nullptr);
  return document(vocab, {{"type", "Sequence"}, {"normalizers", std::move(normalizers)}}, nullptr, special,
                  {{"type", "Sequence"}, {"decoders", std::move(decoders)}},
                  bpe_model(vocab_object(vocab), score_ranked_merges(vocab), true, false, std::move(unk)));
}

}  // namespace transformers::tokenizers::gguf_parts
