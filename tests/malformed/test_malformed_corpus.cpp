// The malformed-input corpus (tests/fixtures/malformed, scripts/make_malformed_fixtures.py): every
// hostile or broken file, read all the way through by the reader of its format
// (tests/fuzz/readers.hpp), must give a transformers::Error whose message names the file and says
// what is wrong (the case's `expect`), within a time limit: no crash, no hang, no other exception.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <iterator>

#include "fuzz/readers.hpp"

namespace {

namespace fs = std::filesystem;
const fs::path kCorpus = fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "malformed";
constexpr auto kTimeLimit = std::chrono::seconds(20);

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void read_as(const std::string& format, const fs::path& path) {
  if (format == "pytorch") return readers::read_pytorch(path.string());
  if (format == "gguf") return readers::read_gguf(path.string());
  if (format == "tokenizer") return readers::read_tokenizer_json(path.string());
  if (format == "config") return readers::read_config(path.string());
  if (format == "chat_template") {
    readers::render_chat_template(read_text(path), path.string());
    return;
  }
  FAIL("unknown format " << format);
}

// The error reading the file gives: "" when it reads fine; anything but a transformers::Error, or
// more than the time limit, fails the whole run (a hung reader cannot be stopped from here).
std::string error_of(const std::string& format, const fs::path& path) {
  auto reading = std::async(std::launch::async, [&]() -> std::string {
    try {
      read_as(format, path);
      return "";
    } catch (const transformers::Error& e) {
      return e.what();
    }
  });
  if (reading.wait_for(kTimeLimit) == std::future_status::timeout) {
    std::cerr << path << ": still reading after " << kTimeLimit.count() << " s\n";
    std::_Exit(1);
  }
  return reading.get();  // another exception type is rethrown here and fails the case
}

}  // namespace

TEST_CASE("malformed corpus: every hostile file gives a named, typed error", "[malformed]") {
  std::ifstream cases(kCorpus / "cases.jsonl");
  size_t count = 0;
  for (std::string line; std::getline(cases, line); ++count) {
    const auto entry = nlohmann::json::parse(line);
    const fs::path path = kCorpus / entry.at("file").get<std::string>();
    const std::string expect = entry.at("expect");
    INFO(entry.at("file").get<std::string>() << " (" << entry.at("why").get<std::string>() << ")");
    const std::string error = error_of(entry.at("format"), path);
    if (std::getenv("MALFORMED_PRINT")) std::cout << entry.at("file") << "\t" << error << "\n";
    CHECK_THAT(error, Catch::Contains(path.string()) && Catch::Contains(expect));
  }
  CHECK(count >= 150);
}
