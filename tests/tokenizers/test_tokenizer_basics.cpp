// Hand-checked behaviour of the tokenizer.json pipeline on small inline tokenizers.
#include <catch2/catch.hpp>

#include <thread>

#include "transformers/core/error.hpp"
#include "transformers/tokenizers/tokenizer.hpp"

using namespace transformers;
using namespace transformers::tokenizers;

namespace {

// A tiny BERT-style tokenizer.json.
std::string tiny_bert_json() {
  return R"({
    "version": "1.0", "truncation": null, "padding": null,
    "added_tokens": [
      {"id": 0, "content": "[PAD]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
      {"id": 1, "content": "[UNK]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
      {"id": 2, "content": "[CLS]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true},
      {"id": 3, "content": "[SEP]", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}
    ],
    "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true},
    "pre_tokenizer": {"type": "BertPreTokenizer"},
    "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
    "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
    "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
      "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "hello": 4, "world": 5, "un": 6, "##aff": 7, "##able": 8,
                "!": 9, "cafe": 10, "中": 11}}
  })";
}

}  // namespace

TEST_CASE("a BERT-style tokenizer encodes with offsets into the original text", "[tokenizers]") {
  const Tokenizer tokenizer = Tokenizer::from_json(tiny_bert_json());
  const Encoding encoding = tokenizer.encode("Héllo  UNAFFABLE! Café中");
  CHECK(encoding.tokens ==
        std::vector<std::string>{"[CLS]", "hello", "un", "##aff", "##able", "!", "cafe", "中", "[SEP]"});
  CHECK(encoding.ids == std::vector<int64_t>{2, 4, 6, 7, 8, 9, 10, 11, 3});
  CHECK(encoding.offsets ==
        std::vector<CharOffsets>{{0, 0}, {0, 5}, {7, 9}, {9, 12}, {12, 16}, {16, 17}, {18, 22}, {22, 23}, {0, 0}});
  CHECK(encoding.special_tokens_mask == std::vector<int64_t>{1, 0, 0, 0, 0, 0, 0, 0, 1});
  CHECK(encoding.word_ids[0] == std::nullopt);
  CHECK(encoding.word_ids[2] == 1);
  CHECK(encoding.word_ids[4] == 1);
  CHECK(tokenizer.decode(encoding.ids) == "hello unaffable! cafe 中");
}

TEST_CASE("pairs get type ids and truncation keeps the budget", "[tokenizers]") {
  Tokenizer tokenizer = Tokenizer::from_json(tiny_bert_json());
  const Encoding pair = tokenizer.encode("hello world", "hello");
  CHECK(pair.type_ids == std::vector<int64_t>{0, 0, 0, 0, 1, 1});
  tokenizer.set_truncation(TruncationParams{4, 0, TruncationStrategy::LongestFirst, Side::Right});
  const Encoding truncated = tokenizer.encode("hello world hello", false);
  CHECK(truncated.tokens == std::vector<std::string>{"hello", "world", "hello"});
  const Encoding with_specials = tokenizer.encode("hello world hello");
  CHECK(with_specials.tokens == std::vector<std::string>{"[CLS]", "hello", "world", "[SEP]"});
  REQUIRE(with_specials.overflowing.size() == 1);
  CHECK(with_specials.overflowing[0].tokens == std::vector<std::string>{"[CLS]", "hello", "[SEP]"});
}

TEST_CASE("invalid input and malformed files are reported", "[tokenizers]") {
  const Tokenizer tokenizer = Tokenizer::from_json(tiny_bert_json());
  CHECK_THROWS_AS(tokenizer.encode(std::string("abc\xff", 4)), InvalidArgument);
  CHECK_THROWS_WITH(Tokenizer::from_json(R"({"model": {"type": "Nope"}})", "x.json"),
                    Catch::Contains("x.json: model") && Catch::Contains("Nope"));
  CHECK_THROWS_WITH(Tokenizer::from_json(R"({"model": {"type": "WordPiece", "vocab": {}},
                                           "normalizer": {"type": "BertNormalizer", "lowercase": "yes"}})"),
                    Catch::Contains("normalizer BertNormalizer") && Catch::Contains("lowercase"));
}

TEST_CASE("malformed components name the component and field", "[tokenizers]") {
  const std::string model = R"("model": {"type": "BPE", "vocab": {"a": 0, "b": 1}, "merges": ["a b"]})";
  CHECK_THROWS_WITH(Tokenizer::from_json("{" + model + "}"), Catch::Contains("merge token 'ab'"));
  CHECK_THROWS_WITH(Tokenizer::from_json(R"({"model": {"type": "WordPiece", "vocab": {}},
                                           "pre_tokenizer": {"type": "Sequence", "pretokenizers": [{"type": "Nope"}]}})"),
                    Catch::Contains("pretokenizers[0]") && Catch::Contains("Nope"));
  CHECK_THROWS_WITH(Tokenizer::from_json(R"({"model": {"type": "WordPiece", "vocab": {}},
                                           "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "("}, "behavior": "Isolated"}})"),
                    Catch::Contains("pre_tokenizer Split") && Catch::Contains("invalid regex"));
  CHECK_THROWS_WITH(Tokenizer::from_json(R"({"model": {"type": "Unigram", "vocab": [["a", "x"]]}})"),
                    Catch::Contains("model Unigram") && Catch::Contains("vocab[0]"));
  CHECK_THROWS_WITH(
      Tokenizer::from_json(R"({"model": {"type": "WordPiece", "vocab": {}}, "padding": {"strategy": "Huge"}})"),
      Catch::Contains("padding") && Catch::Contains("strategy"));
}

TEST_CASE("a model without a type tag is recognised by its fields", "[tokenizers]") {
  const Tokenizer tokenizer =
      Tokenizer::from_json(R"({"model": {"vocab": {"hello": 0, "<unk>": 1}, "unk_token": "<unk>"},
                                                      "pre_tokenizer": {"type": "WhitespaceSplit"}})");
  const Encoding encoding = tokenizer.encode("hello there");
  CHECK(encoding.ids == std::vector<int64_t>{0, 1});
  CHECK(encoding.offsets == std::vector<CharOffsets>{{0, 5}, {6, 11}});
  CHECK(tokenizer.decode(encoding.ids) == "hello <unk>");
}

TEST_CASE("a Tokenizer can be copied and used from several threads", "[tokenizers]") {
  const Tokenizer tokenizer =
      Tokenizer::from_file(std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/tokenizers/bpe-bytelevel/tokenizer.json");
  const Tokenizer copy = tokenizer;
  const Encoding expected = tokenizer.encode("the quick brown fox, don't stop");
  std::vector<std::thread> threads;
  std::vector<int> same(4, 0);
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      bool all = true;
      for (int i = 0; i < 50; ++i) all = all && copy.encode("the quick brown fox, don't stop").ids == expected.ids;
      same[static_cast<size_t>(t)] = all;
    });
  for (auto& thread : threads) thread.join();
  CHECK(same == std::vector<int>{1, 1, 1, 1});
}
