// One const Tokenizer used from several threads at once (encode, encode of pairs, decode) must give
// what a single thread gets. The BPE model's word cache is the only state written during encode,
// so the shared tokenizer starts cold: the threads fill its cache concurrently. CI also runs this
// under ThreadSanitizer (scripts/test.sh, preset "tsan").
#include <latch>
#include <thread>

#include "parity_fixture.hpp"

namespace {

using parity::json;
using namespace transformers::tokenizers;

struct Work {
  std::vector<std::string> texts;
  std::vector<std::pair<std::string, std::string>> pairs;
};

struct Output {
  std::vector<Encoding> singles, pairs;
  std::vector<std::string> decoded, decoded_with_special;
};

// The texts of the fixture's records (transformers accepted them all), and consecutive texts as pairs.
Work corpus_of(const std::string& name) {
  Work work;
  const std::vector<json> lines = parity::read_jsonl(parity::fixture_dir(name) + "/expected.jsonl");
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].contains("error")) continue;
    for (const json& text : lines[i]["texts"]) work.texts.push_back(text.get<std::string>());
    if (!lines[i]["pairs"].is_null())
      for (const json& text : lines[i]["pairs"]) work.texts.push_back(text.get<std::string>());
  }
  for (size_t i = 0; i + 1 < work.texts.size(); i += 2) work.pairs.emplace_back(work.texts[i], work.texts[i + 1]);
  return work;
}

// Everything one thread does; `rotation` changes the order so that threads hit different words first.
Output run(const Tokenizer& tokenizer, const Work& work, size_t rotation) {
  Output out;
  const size_t n = work.texts.size(), m = work.pairs.size();
  out.singles.resize(n);
  out.decoded.resize(n);
  out.decoded_with_special.resize(n);
  out.pairs.resize(m);
  for (size_t k = 0; k < n; ++k) {
    const size_t i = (k + rotation) % n;
    out.singles[i] = tokenizer.encode(work.texts[i]);
    out.decoded[i] = tokenizer.decode(out.singles[i].ids, true);
    out.decoded_with_special[i] = tokenizer.decode(out.singles[i].ids, false);
  }
  for (size_t k = 0; k < m; ++k) {
    const size_t i = (k + rotation) % m;
    out.pairs[i] = tokenizer.encode(work.pairs[i].first, work.pairs[i].second);
  }
  return out;
}

void check_same(const Encoding& actual, const Encoding& expected) {
  CHECK(actual.ids == expected.ids);
  CHECK(actual.type_ids == expected.type_ids);
  CHECK(actual.tokens == expected.tokens);
  CHECK(actual.offsets == expected.offsets);
  CHECK(actual.special_tokens_mask == expected.special_tokens_mask);
  CHECK(actual.attention_mask == expected.attention_mask);
  CHECK(actual.word_ids == expected.word_ids);
  CHECK(actual.sequence_ids == expected.sequence_ids);
}

}  // namespace

TEST_CASE("one Tokenizer shared by 4 threads gives the single-threaded results", "[tokenizers][threads]") {
  const std::string name = GENERATE(as<std::string>{}, "minilm", "bpe-bytelevel", "bpe-gpt2-style",
                                    "bpe-split-sequence", "unigram-t5-style", "unigram-byte-fallback");
  INFO("fixture " << name);
  const std::string path = parity::fixture_dir(name) + "/tokenizer.json";
  const Work work = corpus_of(name);
  REQUIRE(work.texts.size() > 100);

  // The reference comes from its own tokenizer, so that the shared one starts with an empty cache.
  const Output expected = run(Tokenizer::from_file(path), work, 0);
  const Tokenizer shared = Tokenizer::from_file(path);

  constexpr size_t kThreads = 4;
  std::vector<Output> outputs(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      outputs[t] = run(shared, work, t * work.texts.size() / kThreads);
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (size_t t = 0; t < kThreads; ++t) {
    INFO("thread " << t);
    REQUIRE(outputs[t].singles.size() == expected.singles.size());
    for (size_t i = 0; i < expected.singles.size(); ++i) {
      INFO("text " << i << ": " << work.texts[i]);
      check_same(outputs[t].singles[i], expected.singles[i]);
      CHECK(outputs[t].decoded[i] == expected.decoded[i]);
      CHECK(outputs[t].decoded_with_special[i] == expected.decoded_with_special[i]);
    }
    REQUIRE(outputs[t].pairs.size() == expected.pairs.size());
    for (size_t i = 0; i < expected.pairs.size(); ++i) {
      INFO("pair " << i);
      check_same(outputs[t].pairs[i], expected.pairs[i]);
    }
  }
}
