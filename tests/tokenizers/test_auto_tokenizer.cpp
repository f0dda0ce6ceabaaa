// AutoTokenizer on the real all-MiniLM-L6-v2 tokenizer files: transformers' call semantics.
#include <catch2/catch.hpp>

#include <filesystem>

#include "transformers/tokenizers/auto_tokenizer.hpp"

using namespace transformers;

namespace {
const std::string kMiniLm =
    (std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "tokenizers" / "minilm").string();
}

TEST_CASE("AutoTokenizer reads tokenizer_config.json and calls like transformers", "[tokenizers][auto]") {
  PreTrainedTokenizerFast tok = AutoTokenizer::from_pretrained(kMiniLm);
  CHECK(tok.model_max_length() == 512u);
  CHECK(tok.pad_token_id() == 0);
  CHECK(tok.special_token_id("cls_token") == 101);
  CHECK(tok.special_token_id("mask_token") == 103);
  CHECK(tok.returns_token_type_ids());

  // No padding requested: the file's own "pad to 128" setting must not apply.
  BatchEncoding one = tok({"Hello world"});
  CHECK(one.encodings[0].ids == std::vector<int64_t>{101, 7592, 2088, 102});
  CHECK(one.input_ids.shape() == Shape{1, 4});

  TokenizeOptions pad;
  pad.padding = PaddingStrategy::Longest;
  BatchEncoding two = tok({"Hello world", "Hi"}, pad);
  CHECK(two.input_ids.to_vector<int64_t>() == std::vector<int64_t>{101, 7592, 2088, 102, 101, 7632, 102, 0});
  CHECK(two.attention_mask.to_vector<int64_t>() == std::vector<int64_t>{1, 1, 1, 1, 1, 1, 1, 0});
  CHECK(two.token_type_ids.shape() == Shape{2, 4});
  CHECK_FALSE(tok({"Hello world", "Hi"}).input_ids.defined());  // ragged without padding

  TokenizeOptions cut;
  cut.truncation = true;
  cut.max_length = 3;
  CHECK(tok({"Hello world"}, cut).encodings[0].ids == std::vector<int64_t>{101, 7592, 102});

  BatchEncoding pair = tok({"Hello"}, {"world"});
  CHECK(pair.token_type_ids.to_vector<int64_t>() == std::vector<int64_t>{0, 0, 0, 1, 1});
  CHECK(tok.decode(pair.encodings[0].ids, true) == "hello world");
}

TEST_CASE("AutoTokenizer errors name the folder", "[tokenizers][auto]") {
  const std::string models =
      (std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models" / "tiny-bert").string();
  CHECK_THROWS_WITH(AutoTokenizer::from_pretrained(models),
                    Catch::Contains("tiny-bert") && Catch::Contains("tokenizer.json"));
}
