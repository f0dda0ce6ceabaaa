// Stopping criteria: stop strings against transformers' StopStringCriteria on fixture tokenizers
// (tests/fixtures/generation/stop_strings.json), and the simple criteria.
#include <thread>

#include "fixtures.hpp"
#include "transformers/generation/stopping_criteria.hpp"

using namespace transformers;
using generation_test::json;

TEST_CASE("stop strings stop where transformers' StopStringCriteria does", "[generation][stop_strings]") {
  const json cases = generation_test::load_fixture("stop_strings.json");
  size_t checked = 0;
  for (const json& c : cases) {
    INFO(c["tokenizer"].get<std::string>()
         << ": " << c["text"].get<std::string>() << " / " << c["stop_strings"].dump());
    const auto tokenizer = AutoTokenizer::from_pretrained(generation_test::tokenizer_path(c["tokenizer"]));
    const std::vector<std::string> stops = c["stop_strings"];
    if (c.contains("error")) {
      CHECK_THROWS_WITH(StopStringCriteria(tokenizer, stops), c["error"]["message"].get<std::string>());
      continue;
    }
    const StopStringCriteria criteria(tokenizer, stops);
    const std::vector<int64_t> ids = c["ids"];
    const std::vector<bool> expected = c["stops"];
    for (size_t k = 1; k <= ids.size(); ++k) {
      INFO("first " << k << " tokens");
      const Tensor prefix = Tensor::from_vector(std::vector<int64_t>(ids.begin(), ids.begin() + static_cast<long>(k)),
                                                {1, static_cast<int64_t>(k)});
      CHECK(criteria(prefix)[0] == expected[k - 1]);
      ++checked;
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("max length, eos and max time criteria", "[generation][criteria]") {
  const Tensor ids = Tensor::from_vector(std::vector<int64_t>{1, 2, 3, 4, 5, 2}, {2, 3});
  CHECK(MaxLengthCriteria(3)(ids) == std::vector<bool>{true, true});
  CHECK(MaxLengthCriteria(4)(ids) == std::vector<bool>{false, false});
  CHECK(EosTokenCriteria({3, 7})(ids) == std::vector<bool>{true, false});
  CHECK(EosTokenCriteria({2})(ids) == std::vector<bool>{false, true});
  const MaxTimeCriteria timer(0.02);
  CHECK(timer(ids) == std::vector<bool>{false, false});
  std::this_thread::sleep_for(std::chrono::milliseconds(40));
  CHECK(timer(ids) == std::vector<bool>{true, true});
}
