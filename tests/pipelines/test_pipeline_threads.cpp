// One pipeline object called from several threads at once gives what serial calls give: the
// tokenizer, the model and the ops share nothing mutable between calls. CI also runs this under
// ThreadSanitizer (scripts/test.sh, preset "tsan", the CTest entry pipelines_threads).
#include <latch>
#include <thread>

#include <catch2/catch.hpp>

#include "transformers/pipelines/pipeline.hpp"

using nlohmann::json;

namespace {

const std::string kFixtures = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/";

void check_threads_match_serial(const std::string& task, const std::string& model, const std::vector<json>& inputs,
                                const json& kwargs) {
  auto pipe = transformers::pipeline(task, kFixtures + model);
  std::vector<json> serial;
  for (const json& input : inputs) serial.push_back((*pipe)(input, kwargs));

  constexpr size_t kThreads = 4;
  std::vector<std::vector<json>> results(kThreads);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      start.arrive_and_wait();
      for (size_t i = 0; i < inputs.size(); ++i) {
        const size_t index = (i + t) % inputs.size();  // each thread in its own order
        results[t].resize(inputs.size());
        results[t][index] = (*pipe)(inputs[index], kwargs);
      }
    });
  for (std::thread& thread : threads) thread.join();
  for (size_t t = 0; t < kThreads; ++t) CHECK(results[t] == serial);
}

}  // namespace

TEST_CASE("a text-classification pipeline shared by threads gives the serial results", "[pipelines][threads]") {
  check_threads_match_serial("sentiment-analysis", "tiny-sentiment",
                             {"I loved it", "terrible, never again", json::array({"a", "b", "a much longer text here"}),
                              "", "the movie was fine I guess"},
                             json{{"top_k", 2}});
}

TEST_CASE("a token-classification pipeline shared by threads gives the serial results", "[pipelines][threads]") {
  check_threads_match_serial("ner", "tiny-ner", {"John lives in Berlin", "Mary and Paul visited New York", "nothing"},
                             json{{"aggregation_strategy", "simple"}});
}
