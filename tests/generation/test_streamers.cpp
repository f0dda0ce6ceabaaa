// TextStreamer's chunks against transformers' TextStreamer (tests/fixtures/generation/streamer.json),
// and TextIteratorStreamer across threads.
#include <map>
#include <thread>

#include "fixtures.hpp"
#include "transformers/generation/streamers.hpp"

using namespace transformers;
using generation_test::json;

namespace {

const PreTrainedTokenizerFast& fixture_tokenizer(const std::string& name) {
  static std::map<std::string, PreTrainedTokenizerFast> loaded;
  auto it = loaded.find(name);
  if (it == loaded.end())
    it = loaded.emplace(name, AutoTokenizer::from_pretrained(generation_test::tokenizer_path(name))).first;
  return it->second;
}

Tensor row(const std::vector<int64_t>& ids) { return Tensor::from_vector(ids, {1, static_cast<int64_t>(ids.size())}); }

}  // namespace

TEST_CASE("TextStreamer hands on the chunks transformers' TextStreamer does", "[generation][streamer]") {
  const json cases = generation_test::load_fixture("streamer.json");
  REQUIRE(cases.size() >= 60);
  for (const json& c : cases) {
    INFO(c["tokenizer"].get<std::string>() << " skip_prompt=" << c["skip_prompt"] << " skip_special_tokens="
                                           << c["skip_special_tokens"] << ": " << c["text"].get<std::string>());
    json chunks = json::array();
    StreamerDecodeOptions decode;
    decode.skip_special_tokens = c["skip_special_tokens"];
    TextStreamer streamer(fixture_tokenizer(c["tokenizer"]), c["skip_prompt"], decode,
                          [&](const std::string& text, bool stream_end) {
                            chunks.push_back({text, stream_end});
                          });
    const std::vector<int64_t> ids = c["ids"];
    streamer.put(row(std::vector<int64_t>(ids.begin(), ids.begin() + 3)));
    for (size_t i = 3; i < ids.size(); ++i) streamer.put(Tensor::from_vector(std::vector<int64_t>{ids[i]}, {1}));
    streamer.end();
    CHECK(chunks == c["chunks"]);
  }
}

TEST_CASE("a chunk never ends inside a UTF-8 sequence", "[generation][streamer]") {
  const PreTrainedTokenizerFast& tokenizer = fixture_tokenizer("bpe-bytelevel");
  const std::vector<int64_t> ids = tokenizer({"emoji 😀 and 日本語 text"}).encodings[0].ids;
  std::string joined;
  TextStreamer streamer(tokenizer, false, {}, [&](const std::string& text, bool) {
    CHECK(text.find("\xEF\xBF\xBD") == std::string::npos);  // no U+FFFD: never half a character
    joined += text;
  });
  for (int64_t id : ids) streamer.put(Tensor::from_vector(std::vector<int64_t>{id}, {1}));
  streamer.end();
  CHECK(joined == tokenizer.decode(ids));
}

TEST_CASE("TextStreamer refuses batches", "[generation][streamer]") {
  TextStreamer streamer(fixture_tokenizer("minilm"), false, {}, [](const std::string&, bool) {});
  CHECK_THROWS_WITH(streamer.put(Tensor::from_vector(std::vector<int64_t>{1, 2, 3, 4}, {2, 2})),
                    "TextStreamer only supports batch size 1");
}

TEST_CASE("TextIteratorStreamer: one thread puts, another iterates", "[generation][streamer][threads]") {
  const PreTrainedTokenizerFast& tokenizer = fixture_tokenizer("bpe-bytelevel");
  const std::vector<int64_t> ids = tokenizer({"The quick brown fox\njumps over the lazy dog"}).encodings[0].ids;
  TextIteratorStreamer streamer(tokenizer, /*skip_prompt=*/true, /*timeout=*/30.0);
  std::thread producer([&] {
    streamer.put(row({ids[0]}));  // the prompt, skipped
    for (size_t i = 1; i < ids.size(); ++i) streamer.put(Tensor::from_vector(std::vector<int64_t>{ids[i]}, {1}));
    streamer.end();
  });
  std::string text;
  size_t chunks = 0;
  for (const std::string& chunk : streamer.chunks()) {
    text += chunk;
    ++chunks;
  }
  producer.join();
  CHECK(chunks == ids.size());  // one per put after the prompt, and end()'s
  CHECK(text == tokenizer.decode(std::vector<int64_t>(ids.begin() + 1, ids.end())));
}

TEST_CASE("TextIteratorStreamer times out when nothing comes", "[generation][streamer]") {
  TextIteratorStreamer streamer(fixture_tokenizer("minilm"), false, 0.01);
  CHECK_THROWS_AS(streamer.next(), StreamerTimeout);
}
