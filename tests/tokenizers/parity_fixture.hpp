#pragma once
// Replays tests/fixtures/tokenizers/<name>/expected.jsonl (written by
// scripts/make_tokenizer_fixtures.py from transformers' fast tokenizers) against the C++ Tokenizer
// and requires identical ids, type ids, tokens, offsets, masks, word/sequence ids and decoded text.
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "transformers/core/error.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

namespace parity {

using nlohmann::json;
using namespace transformers::tokenizers;

inline std::string fixture_dir(const std::string& name) {
  return std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/tokenizers/" + name;
}

inline std::vector<json> read_jsonl(const std::string& path) {
  std::ifstream file(path);
  REQUIRE(file.good());
  std::vector<json> lines;
  for (std::string line; std::getline(file, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

inline std::optional<TruncationParams> truncation_of(const json& settings) {
  if (settings.is_null()) return std::nullopt;
  TruncationParams params;
  params.max_length = settings["max_length"].get<size_t>();
  params.stride = settings["stride"].get<size_t>();
  const std::string strategy = settings["strategy"];
  params.strategy = strategy == "only_first"    ? TruncationStrategy::OnlyFirst
                    : strategy == "only_second" ? TruncationStrategy::OnlySecond
                                                : TruncationStrategy::LongestFirst;
  params.direction = settings["direction"] == "left" ? Side::Left : Side::Right;
  return params;
}

inline std::optional<PaddingParams> padding_of(const json& settings) {
  if (settings.is_null()) return std::nullopt;
  PaddingParams params;
  if (!settings["length"].is_null()) params.fixed_length = settings["length"].get<size_t>();
  if (!settings["pad_to_multiple_of"].is_null())
    params.pad_to_multiple_of = settings["pad_to_multiple_of"].get<size_t>();
  params.direction = settings["direction"] == "left" ? Side::Left : Side::Right;
  params.pad_id = settings["pad_id"].get<int64_t>();
  params.pad_type_id = settings["pad_type_id"].get<int64_t>();
  params.pad_token = settings["pad_token"].get<std::string>();
  return params;
}

template <typename T>
std::vector<std::optional<T>> optional_list(const json& values) {
  std::vector<std::optional<T>> out;
  for (const json& value : values) out.push_back(value.is_null() ? std::nullopt : std::optional<T>(value.get<T>()));
  return out;
}

// Every field of an encoding against a fixture row.
inline void check_encoding(const Encoding& actual, const json& expected) {
  CHECK(actual.ids == expected["ids"].get<std::vector<int64_t>>());
  CHECK(actual.type_ids == expected["type_ids"].get<std::vector<int64_t>>());
  CHECK(actual.tokens == expected["tokens"].get<std::vector<std::string>>());
  std::vector<CharOffsets> offsets;
  for (const json& pair : expected["offsets"]) offsets.emplace_back(pair[0].get<size_t>(), pair[1].get<size_t>());
  CHECK(actual.offsets == offsets);
  CHECK(actual.special_tokens_mask == expected["special_tokens_mask"].get<std::vector<int64_t>>());
  CHECK(actual.attention_mask == expected["attention_mask"].get<std::vector<int64_t>>());
  CHECK(actual.word_ids == optional_list<int64_t>(expected["word_ids"]));
  CHECK(actual.sequence_ids == optional_list<int64_t>(expected["sequence_ids"]));
}

// The encoding and what it decodes to, with and without special tokens.
inline void check_row(const Tokenizer& tokenizer, const Encoding& actual, const json& expected) {
  check_encoding(actual, expected);
  CHECK(tokenizer.decode(actual.ids, true) == expected["decoded"].get<std::string>());
  CHECK(tokenizer.decode(actual.ids, false) == expected["decoded_with_special"].get<std::string>());
}

inline std::vector<Encoding> encode_record(const Tokenizer& tokenizer, const json& record) {
  const auto texts = record["texts"].get<std::vector<std::string>>();
  const bool add_special_tokens = record["add_special_tokens"];
  if (record["pairs"].is_null()) return tokenizer.encode_batch(texts, add_special_tokens);
  const auto pairs = record["pairs"].get<std::vector<std::string>>();
  std::vector<std::pair<std::string, std::string>> inputs;
  for (size_t i = 0; i < texts.size(); ++i) inputs.emplace_back(texts[i], pairs[i]);
  return tokenizer.encode_batch(inputs, add_special_tokens);
}

// transformers returns each encoding followed by its (first-level) overflowing windows.
inline std::vector<Encoding> rows_of(const std::vector<Encoding>& encodings, bool overflowing) {
  std::vector<Encoding> rows;
  for (const Encoding& encoding : encodings) {
    rows.push_back(encoding);
    if (overflowing) rows.insert(rows.end(), encoding.overflowing.begin(), encoding.overflowing.end());
  }
  return rows;
}

// Replays `expected_jsonl` against the tokenizer of `folder` (a path or a cached Hub id); returns
// the number of rows compared.
inline size_t check_fixture_at(const std::string& folder, const std::string& expected_jsonl) {
  const std::string name = folder;
  const std::vector<json> lines = read_jsonl(expected_jsonl);
  REQUIRE(lines.size() > 1);
  // Through AutoTokenizer, as transformers made the fixture: tokenizer.json, or the legacy files.
  const auto pretrained = transformers::AutoTokenizer::from_pretrained(folder);
  Tokenizer tokenizer = pretrained.backend();
  CHECK(tokenizer.vocab_size() == lines[0]["vocab_size"].get<size_t>());
  size_t compared = 0;
  for (size_t i = 1; i < lines.size(); ++i) {
    const json& record = lines[i];
    INFO(name << " record " << i << ": " << record["texts"].dump() << " / " << record["pairs"].dump() << " truncation "
              << record["truncation"].dump() << " padding " << record["padding"].dump());
    tokenizer.set_truncation(std::nullopt);
    if (record.contains("error") && !record["padding"].is_null() && record["padding"]["pad_token"].is_null()) {
      // transformers refuses to pad without a pad token; so must AutoTokenizer's call.
      transformers::TokenizeOptions options;
      options.padding = transformers::PaddingStrategy::Longest;
      CHECK_THROWS_AS(pretrained(record["texts"].get<std::vector<std::string>>(), options), transformers::Error);
      continue;
    }
    if (record.contains("error")) {
      CHECK_THROWS_AS((tokenizer.set_truncation(truncation_of(record["truncation"])), encode_record(tokenizer, record)),
                      transformers::Error);
      continue;
    }
    tokenizer.set_truncation(truncation_of(record["truncation"]));
    tokenizer.set_padding(padding_of(record["padding"]));
    const bool overflowing = !record["truncation"].is_null() && record["truncation"]["overflowing"].get<bool>();
    const std::vector<Encoding> rows = rows_of(encode_record(tokenizer, record), overflowing);
    REQUIRE(rows.size() == record["rows"].size());
    for (size_t r = 0; r < rows.size(); ++r) {
      INFO("row " << r);
      check_row(tokenizer, rows[r], record["rows"][r]);
    }
    compared += rows.size();
  }
  return compared;
}

inline size_t check_fixture(const std::string& name) {
  return check_fixture_at(fixture_dir(name), fixture_dir(name) + "/expected.jsonl");
}

}  // namespace parity
