// Every normalizer, pre-tokenizer and decoder alone, against what the Python `tokenizers` library
// outputs for the same tokenizer.json component (tests/fixtures/tokenizers/components).
#include "parity_fixture.hpp"
#include "src/tokenizers/decoder.hpp"
#include "src/tokenizers/normalizer.hpp"
#include "src/tokenizers/pre_tokenizer.hpp"

namespace {

using namespace transformers::tokenizers::detail;

size_t char_index(const std::string& text, size_t byte) {
  size_t chars = 0;
  for (size_t i = 0; i < byte && i < text.size(); ++i) chars += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
  return chars;
}

void check_normalizer(const parity::json& record) {
  const auto normalizer = make_normalizer(record["config"], "normalizer");
  NormalizedString text(record["input"].get<std::string>());
  normalizer->normalize(text);
  CHECK(text.get() == record["output"].get<std::string>());
}

void check_pre_tokenizer(const parity::json& record) {
  const auto pre_tokenizer = make_pre_tokenizer(record["config"], "pre_tokenizer");
  const std::string input = record["input"];
  PreTokenizedString pieces(input);
  pre_tokenizer->pre_tokenize(pieces);
  std::vector<std::pair<std::string, std::pair<size_t, size_t>>> actual, expected;
  for (const Split& split : pieces.splits()) {
    const ByteRange bytes = split.normalized.original_range(0, split.normalized.size());
    actual.push_back({split.normalized.get(), {char_index(input, bytes.first), char_index(input, bytes.second)}});
  }
  for (const auto& piece : record["output"])
    expected.push_back({piece[0].get<std::string>(), {piece[1][0].get<size_t>(), piece[1][1].get<size_t>()}});
  CHECK(actual == expected);
}

void check_decoder(const parity::json& record) {
  const auto decoder = make_decoder(record["config"], "decoder");
  std::string decoded;
  for (const std::string& piece : decoder->decode_chain(record["tokens"].get<std::vector<std::string>>()))
    decoded += piece;
  CHECK(decoded == record["output"].get<std::string>());
}

}  // namespace

TEST_CASE("normalizers, pre-tokenizers and decoders match the tokenizers library one by one", "[tokenizers][parity]") {
  const auto records = parity::read_jsonl(parity::fixture_dir("components") + "/expected.jsonl");
  REQUIRE(records.size() > 1000);
  for (size_t i = 0; i < records.size(); ++i) {
    const parity::json& record = records[i];
    INFO("record " << i << ": " << record["kind"] << " " << record["config"].dump() << " on "
                   << (record.contains("input") ? record["input"].dump() : record["tokens"].dump()));
    if (record["kind"] == "normalizer")
      check_normalizer(record);
    else if (record["kind"] == "pre_tokenizer")
      check_pre_tokenizer(record);
    else
      check_decoder(record);
  }
}
