// Tokenizers built from a GGUF file's vocabulary, against llama.cpp's own ids on the small files of
// tests/fixtures/tokenizers/gguf (scripts/make_gguf_tokenizer_fixtures.py): byte-level BPE with two
// named pre-tokenizers (smollm, llama-bpe) and SentencePiece BPE with byte fallback.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "transformers/tokenizers/auto_tokenizer.hpp"

using namespace transformers;
namespace fs = std::filesystem;

namespace {

const fs::path kFolder = fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "tokenizers" / "gguf";

const nlohmann::json& expected() {
  static const nlohmann::json document = [] {
    std::ifstream in(kFolder / "expected.json");
    return nlohmann::json::parse(in);
  }();
  return document;
}

std::vector<int64_t> ids_of(const PreTrainedTokenizerFast& tokenizer, const std::string& text,
                            bool add_special_tokens) {
  TokenizeOptions options;
  options.add_special_tokens = add_special_tokens;
  return tokenizer({text}, options).encodings[0].ids;
}

}  // namespace

TEST_CASE("GGUF vocabularies tokenize as llama.cpp does", "[tokenizers][gguf]") {
  for (const auto& [file, cases] : expected()["files"].items()) {
    INFO(file);
    PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained((kFolder / file).string());
    PreTrainedTokenizerFast raw = tokenizer;
    raw.set_split_special_tokens(true);  // llama.cpp's parse_special = false
    for (const nlohmann::json& entry : cases) {
      const std::string text = entry["text"];
      INFO("text: '" << text << "'");
      CHECK(ids_of(raw, text, false) == entry["ids"].get<std::vector<int64_t>>());
      const auto with_special = entry["ids_with_special_tokens"].get<std::vector<int64_t>>();
      CHECK(ids_of(tokenizer, text, true) == with_special);
      CHECK(tokenizer.decode(with_special) == entry["decoded_with_special_tokens"].get<std::string>());
    }
  }
}

TEST_CASE("A GGUF vocabulary's special tokens and chat template", "[tokenizers][gguf]") {
  PreTrainedTokenizerFast bpe = AutoTokenizer::from_pretrained((kFolder / "bpe-smollm.gguf").string());
  CHECK(bpe.special_token_id("bos_token") == bpe.backend().token_to_id("<s>"));
  CHECK(bpe.special_token_id("eos_token") == bpe.backend().token_to_id("<|im_end|>"));
  CHECK(bpe.pad_token_id() == bpe.backend().token_to_id("<pad>"));
  REQUIRE(bpe.chat_template_text());
  CHECK(bpe.chat_template_text()->starts_with("{% for message in messages %}<|im_start|>"));
  CHECK_FALSE(bpe.returns_token_type_ids());

  // The smollm split makes every digit a piece; llama-bpe keeps up to three together.
  PreTrainedTokenizerFast llama3 = AutoTokenizer::from_pretrained((kFolder / "bpe-llama3.gguf").string());
  CHECK(ids_of(bpe, "2024", false).size() == 4);
  CHECK(ids_of(llama3, "2024", false).size() < 4);

  PreTrainedTokenizerFast spm = AutoTokenizer::from_pretrained((kFolder / "spm.gguf").string());
  CHECK_FALSE(spm.chat_template_text());
  CHECK(spm.special_token_id("unk_token") == 0);
  CHECK(spm.decode(ids_of(spm, "Hello world", true), true) == "Hello world");
}

TEST_CASE("A GGUF file named by gguf_file inside a folder", "[tokenizers][gguf]") {
  hub::HubOptions options;
  options.gguf_file = "spm.gguf";
  PreTrainedTokenizerFast by_option = AutoTokenizer::from_pretrained(kFolder.string(), options);
  PreTrainedTokenizerFast by_path = AutoTokenizer::from_pretrained((kFolder / "spm.gguf").string());
  CHECK(ids_of(by_option, "a <sep> b", true) == ids_of(by_path, "a <sep> b", true));

  options.gguf_file = "../gguf/spm.gguf";  // names must stay inside the folder
  CHECK_THROWS_AS(AutoTokenizer::from_pretrained(kFolder.string(), options), FileError);
  options.gguf_file = "missing.gguf";
  CHECK_THROWS_AS(AutoTokenizer::from_pretrained(kFolder.string(), options), FileError);
}

TEST_CASE("A GGUF vocabulary llama.cpp would refuse is refused by name", "[tokenizers][gguf]") {
  CHECK_THROWS_WITH(AutoTokenizer::from_pretrained((kFolder / "bad-pre.gguf").string()),
                    Catch::Contains("tokenizer.ggml.pre") && Catch::Contains("no-such-pre-tokenizer"));
  CHECK_THROWS_AS(AutoTokenizer::from_pretrained((kFolder / "no-such-file.gguf").string()), FileError);
}
