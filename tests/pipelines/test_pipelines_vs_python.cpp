// Every call transformers' Python pipeline made on the tiny models in tests/fixtures/pipelines
// (scripts/make_pipeline_fixtures.py), replayed through ours: the same JSON shapes and labels,
// scores within 1e-4, and an error wherever Python raised one.
#include "recorded_calls.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;
using nlohmann::json;
using recorded::kFixtures;
using recorded::read_lines;
using recorded::require_equal;

namespace {

void replay(const Pipeline& pipe, const std::filesystem::path& jsonl) {
  int calls = 0;
  for (const json& call : read_lines(jsonl)) {
    INFO("inputs " << call["inputs"].dump().substr(0, 120) << " kwargs " << call["kwargs"].dump());
    if (call.contains("error")) {
      CHECK_THROWS_AS(pipe(call["inputs"], call["kwargs"]), Error);
    } else {
      require_equal(pipe(call["inputs"], call["kwargs"]), call["output"], 1e-4);
    }
    ++calls;
  }
  CHECK(calls > 0);
}

}  // namespace

TEST_CASE("text-classification equals the Python pipeline", "[pipelines][python]") {
  for (const char* model : {"tiny-sentiment", "tiny-multilabel"}) {
    INFO(model);
    auto classify = pipeline("sentiment-analysis", (kFixtures / model).string());
    replay(*classify, kFixtures / model / "expected.jsonl");
  }
}

TEST_CASE("feature-extraction equals the Python pipeline", "[pipelines][python]") {
  auto extract = pipeline("feature-extraction", (kFixtures / "tiny-sentiment").string());
  replay(*extract, kFixtures / "tiny-sentiment" / "feature_extraction.jsonl");
}

TEST_CASE("token-classification equals the Python pipeline", "[pipelines][python]") {
  auto ner = pipeline("ner", (kFixtures / "tiny-ner").string());
  replay(*ner, kFixtures / "tiny-ner" / "expected.jsonl");
}

TEST_CASE("question-answering equals transformers 4.57's pipeline", "[pipelines][python]") {
  auto answer = pipeline("question-answering", (kFixtures / "tiny-qa").string());
  replay(*answer, kFixtures / "tiny-qa" / "expected.jsonl");
}

TEST_CASE("fill-mask equals the Python pipeline", "[pipelines][python]") {
  auto fill = pipeline("fill-mask", (kFixtures / "tiny-mlm").string());
  replay(*fill, kFixtures / "tiny-mlm" / "expected.jsonl");
}

TEST_CASE("zero-shot-classification equals the Python pipeline", "[pipelines][python]") {
  auto classify = pipeline("zero-shot-classification", (kFixtures / "tiny-nli").string());
  replay(*classify, kFixtures / "tiny-nli" / "expected.jsonl");
}

TEST_CASE("a tokenizer without token_type_ids in model_input_names sends none to the model", "[pipelines][python]") {
  // tiny-nli's model behind a tokenizer_config naming the generic class: transformers sends no type ids,
  // so its scores differ from tiny-nli's.
  auto classify = pipeline("zero-shot-classification", (kFixtures / "tiny-nli-generic").string());
  replay(*classify, kFixtures / "tiny-nli-generic" / "expected.jsonl");
}

TEST_CASE("text-classification of pairs with an empty text_pair equals the Python pipeline", "[pipelines][python]") {
  for (const char* model : {"tiny-nli", "tiny-nli-generic"}) {
    INFO(model);
    auto classify = pipeline("text-classification", (kFixtures / model).string());
    replay(*classify, kFixtures / model / "pair_classification.jsonl");
  }
}

TEST_CASE("feature-extraction loads the base model from head checkpoints that have no pooler", "[pipelines][python]") {
  for (const char* model : {"tiny-roberta-cls", "tiny-xlm-roberta-cls", "tiny-mpnet-cls", "tiny-ner"}) {
    INFO(model);
    auto extract = pipeline("feature-extraction", (kFixtures / model).string());
    replay(*extract, kFixtures / model / "feature_extraction.jsonl");
    // The pooler is left out, not made up: the base model computes no pooler_output.
    auto base = AutoModel::from_pretrained((kFixtures / model).string());
    ModelInputs ids;
    ids.input_ids = Tensor::from_vector<int64_t>({2, 44, 3}, {1, 3});
    const ModelOutput out = base->forward(ids);
    CHECK(out.last_hidden_state.defined());
    CHECK_FALSE(out.pooler_output.defined());
  }
  // A head that needs the pooler still refuses a checkpoint without it.
  CHECK_THROWS_WITH(AutoModelForSequenceClassification::from_pretrained((kFixtures / "tiny-ner").string()),
                    Catch::Contains("bert.pooler.dense.weight"));
}
