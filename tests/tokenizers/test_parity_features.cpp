// Parity with tokenizers / transformers on the features around encoding
// (tests/fixtures/tokenizers/features/expected.jsonl, made by scripts/make_tokenizer_fixtures.py):
// pre-tokenized input, split_special_tokens, tokens added at run time, and decode with
// clean_up_tokenization_spaces, on WordPiece, byte-level BPE, Unigram and SentencePiece-BPE tokenizers.
#include <map>

#include "parity_fixture.hpp"

using parity::json;
using namespace transformers::tokenizers;
using transformers::AutoTokenizer;
using transformers::PreTrainedTokenizerFast;

namespace {

std::optional<bool> optional_flag(const json& value) {
  return value.is_null() ? std::nullopt : std::optional<bool>(value.get<bool>());
}

}  // namespace

TEST_CASE("pre-tokenized input, split_special_tokens, added tokens and decode clean-up match transformers",
          "[tokenizers][parity][features]") {
  const auto records = parity::read_jsonl(parity::fixture_dir("features") + "/expected.jsonl");
  std::map<std::string, PreTrainedTokenizerFast> loaded, with_added_tokens;
  std::map<std::string, size_t> checked;
  for (size_t i = 0; i < records.size(); ++i) {
    const json& record = records[i];
    const std::string name = record["tokenizer"], kind = record["kind"];
    INFO(name << " record " << i << " (" << kind << "): " << record.dump().substr(0, 300));
    if (!loaded.count(name)) loaded.emplace(name, AutoTokenizer::from_pretrained(parity::fixture_dir(name)));
    const PreTrainedTokenizerFast& tokenizer = loaded.at(name);
    ++checked[kind];
    if (kind == "words") {
      parity::check_encoding(tokenizer.backend().encode_words(record["words"].get<std::vector<std::string>>(),
                                                              record["add_special_tokens"].get<bool>()),
                             record["row"]);
    } else if (kind == "word_pairs") {
      parity::check_encoding(tokenizer.backend().encode_words(record["words"].get<std::vector<std::string>>(),
                                                              record["pair_words"].get<std::vector<std::string>>()),
                             record["row"]);
    } else if (kind == "split_special_tokens") {
      Tokenizer backend = tokenizer.backend();
      backend.set_encode_special_tokens(true);
      parity::check_encoding(backend.encode(record["text"].get<std::string>()), record["row"]);
    } else if (kind == "decode") {
      CHECK(tokenizer.decode(record["ids"].get<std::vector<int64_t>>(), record["skip_special_tokens"].get<bool>(),
                             optional_flag(record["clean_up_tokenization_spaces"])) ==
            record["text"].get<std::string>());
    } else if (kind == "added_tokens") {
      if (!with_added_tokens.count(name)) {
        PreTrainedTokenizerFast copy = tokenizer;
        const size_t plain = copy.add_tokens({"newword", "[NEW]", "the"});
        const size_t special = copy.add_tokens({"<sp1>", "<sp2>", "[NEW]"}, true);
        CHECK(plain == record["added"][0].get<size_t>());
        CHECK(special == record["added"][1].get<size_t>());
        CHECK(copy.backend().vocab_size() == record["vocab_size"].get<size_t>());
        with_added_tokens.emplace(name, std::move(copy));
      }
      const PreTrainedTokenizerFast& added = with_added_tokens.at(name);
      const auto batch = added({record["text"].get<std::string>()});
      CHECK(batch.encodings[0].ids == record["ids"].get<std::vector<int64_t>>());
      std::vector<CharOffsets> offsets;
      for (const json& pair : record["offsets"]) offsets.emplace_back(pair[0].get<size_t>(), pair[1].get<size_t>());
      CHECK(batch.encodings[0].offsets == offsets);
      CHECK(added.decode(batch.encodings[0].ids, true) == record["decoded"].get<std::string>());
    } else {
      FAIL("unknown record kind " << kind);
    }
  }
  // The original tokenizers are unchanged by add_tokens on their copies.
  CHECK_FALSE(loaded.at("minilm").backend().token_to_id("newword").has_value());
  CHECK(checked["words"] >= 60);
  CHECK(checked["split_special_tokens"] >= 18);
  CHECK(checked["decode"] >= 100);
  CHECK(checked["added_tokens"] >= 18);
}
