// MarianTokenizer from source.spm / target.spm / vocab.json (tests/fixtures/tokenizers/marian-spm,
// scripts/make_text2text_fixtures.py): ids and decoded texts equal transformers' MarianTokenizer,
// which runs the sentencepiece library itself - language codes, special tokens inside the text,
// pieces vocab.json lacks, NFKC and whitespace included.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "transformers/tokenizers/auto_tokenizer.hpp"

using namespace transformers;
using nlohmann::json;

namespace {

const std::filesystem::path kFolder =
    std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "tokenizers" / "marian-spm";

std::vector<json> records() {
  std::ifstream in(kFolder / "marian.jsonl");
  REQUIRE(in);
  std::vector<json> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(json::parse(line));
  return lines;
}

}  // namespace

TEST_CASE("MarianTokenizer encodes and decodes as transformers", "[tokenizers][legacy][marian]") {
  const PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained(kFolder.string());
  CHECK(tokenizer.pad_token_id() == 210);
  int encoded = 0, decoded = 0;
  for (const json& record : records()) {
    INFO(record.dump());
    const std::vector<int64_t> ids = record["ids"].get<std::vector<int64_t>>();
    if (record.contains("text")) {
      CHECK(tokenizer({record["text"].get<std::string>()}).encodings.at(0).ids == ids);
      ++encoded;
    } else {
      CHECK(tokenizer.decode(ids, record["skip_special_tokens"].get<bool>()) == record["decoded"].get<std::string>());
      ++decoded;
    }
  }
  CHECK(encoded >= 12);
  CHECK(decoded >= 24);
}

TEST_CASE("MarianTokenizer names a missing file", "[tokenizers][legacy][marian]") {
  const auto folder = std::filesystem::temp_directory_path() / "marian-missing-target";
  std::filesystem::create_directories(folder);
  for (const char* name : {"source.spm", "vocab.json", "tokenizer_config.json"})
    std::filesystem::copy_file(kFolder / name, folder / name, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::remove(folder / "target.spm");
  CHECK_THROWS_WITH(AutoTokenizer::from_pretrained(folder.string()), Catch::Contains("target.spm"));
  std::filesystem::remove_all(folder);
}
