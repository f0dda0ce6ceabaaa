// Legacy tokenizer folders with something wrong: each error names the file and what is wrong.
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "transformers/core/error.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace fs = std::filesystem;
using transformers::AutoTokenizer;

namespace {

struct ScratchFolder {
  fs::path path;
  explicit ScratchFolder(const std::string& name)
      : path(fs::temp_directory_path() / ("tcpp-legacy-" + name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~ScratchFolder() { fs::remove_all(path); }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(path / name, std::ios::binary) << content;
  }
};

std::string error_of(const fs::path& folder) {
  try {
    AutoTokenizer::from_pretrained(folder.string());
  } catch (const transformers::Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a vocab.txt folder encodes like BertTokenizer with the configuration's casing", "[tokenizers][legacy]") {
  ScratchFolder folder("bert");
  folder.write("vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nHello\nhello\nw\n##or\n##ld\n!\n");
  folder.write("tokenizer_config.json", R"({"do_lower_case": false})");
  auto tokenizer = AutoTokenizer::from_pretrained(folder.path.string());
  auto batch = tokenizer({"Hello world!"});
  // Hand-derived: [CLS]=2, Hello=5, w ##or ##ld = 7 8 9, != 10, [SEP]=3.
  CHECK(batch.encodings[0].ids == std::vector<int64_t>{2, 5, 7, 8, 9, 10, 3});
  CHECK(tokenizer.pad_token_id() == 0);
  CHECK(tokenizer.returns_token_type_ids());
}

TEST_CASE("malformed legacy files are refused with the file named", "[tokenizers][legacy]") {
  SECTION("merges.txt with a line that is not a pair") {
    ScratchFolder folder("merges");
    folder.write("vocab.json", R"({"a": 0, "b": 1, "ab": 2})");
    folder.write("merges.txt", "#version: 0.2\na b\nabc\n");
    const std::string message = error_of(folder.path);
    CHECK(message.find("merges.txt") != std::string::npos);
    CHECK(message.find("line 3") != std::string::npos);
  }
  SECTION("vocab.json that is not an object of ids") {
    ScratchFolder folder("vocabjson");
    folder.write("vocab.json", R"(["a", "b"])");
    folder.write("merges.txt", "");
    CHECK(error_of(folder.path).find("vocab.json") != std::string::npos);
  }
  SECTION("a SentencePiece model that is not one") {
    ScratchFolder folder("spm");
    folder.write("spiece.model", "this is not a protobuf");
    const std::string message = error_of(folder.path);
    CHECK(message.find("spiece.model") != std::string::npos);
    CHECK(message.find("SentencePiece") != std::string::npos);
  }
  SECTION("a tokenizer class that has no legacy construction") {
    ScratchFolder folder("class");
    folder.write("vocab.txt", "[UNK]\n");
    folder.write("tokenizer_config.json", R"({"tokenizer_class": "XLNetTokenizer"})");
    const std::string message = error_of(folder.path);
    CHECK(message.find("XLNetTokenizer") != std::string::npos);
    CHECK(message.find("BertTokenizer") != std::string::npos);
  }
  SECTION("MarianTokenizer without its SentencePiece models") {
    ScratchFolder folder("marian");
    folder.write("vocab.json", R"({"</s>": 0, "<unk>": 1})");
    folder.write("tokenizer_config.json", R"({"tokenizer_class": "MarianTokenizer"})");
    CHECK(error_of(folder.path).find("MarianTokenizer needs source.spm") != std::string::npos);
  }
  SECTION("no tokenizer files at all") {
    ScratchFolder folder("empty");
    folder.write("config.json", "{}");
    CHECK(error_of(folder.path).find("no tokenizer files") != std::string::npos);
  }
}

TEST_CASE("BartTokenizer and model_type bart read vocab.json + merges.txt as RobertaTokenizer",
          "[tokenizers][legacy]") {
  const fs::path roberta = fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "tokenizers" / "legacy-roberta";
  const std::string text = "Hello world, this is <mask> BART!";
  const auto want = AutoTokenizer::from_pretrained(roberta.string())({text}).encodings.at(0).ids;
  for (const std::string config : {R"({"tokenizer_class": "BartTokenizer", "model_max_length": 512})", "{}"}) {
    INFO(config);
    ScratchFolder folder("bart");
    for (const char* name : {"vocab.json", "merges.txt"}) fs::copy_file(roberta / name, folder.path / name);
    folder.write("tokenizer_config.json", config);
    folder.write("config.json", R"({"model_type": "bart"})");
    CHECK(AutoTokenizer::from_pretrained(folder.path.string())({text}).encodings.at(0).ids == want);
  }
}
