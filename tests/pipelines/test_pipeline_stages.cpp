// The stages every pipeline runs, called the way a batching server would: items of several calls,
// each with its own kwargs, through shared forward passes give each call what it gets alone.
#include <algorithm>

#include "recorded_calls.hpp"
#include "transformers/pipelines/model_inputs.hpp"
#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;
using nlohmann::json;
using recorded::kFixtures;

namespace {

const std::string kLongContext =
    "The hotel was opened in 1921 by a family from Vienna. It has 45 rooms, a small garden and a restaurant "
    "where Wolfgang has been the chef since 2015. Before that he worked at the old train station as a cook. "
    "Sarah Miller from Paris runs the front desk, and on Sundays the whole staff plays football in the park "
    "next to the river, where the Vienna Philharmonic sometimes gives a free concert in the summer.";

// Each call alone, then all of them together at several batch sizes: the same results (within the
// float noise that padding brings).
void check_shared_forwards(const std::string& task, const std::string& model, const std::vector<PipelineCall>& calls) {
  auto pipe = pipeline(task, (kFixtures / model).string());
  std::vector<json> alone;
  for (const PipelineCall& call : calls) alone.push_back((*pipe)(call.inputs, call.kwargs));
  for (size_t batch_size : {1, 3, 16}) {
    INFO(task << " batch_size " << batch_size);
    const std::vector<json> together = (*pipe)(calls, batch_size);
    REQUIRE(together.size() == calls.size());
    for (size_t i = 0; i < calls.size(); ++i) recorded::require_equal(together[i], alone[i], 1e-5);
  }
}

}  // namespace

TEST_CASE("calls with their own kwargs share forward passes and get their own results", "[pipelines][stages]") {
  check_shared_forwards("sentiment-analysis", "tiny-sentiment",
                        {{"I loved it", json::object()},
                         {json::array({"terrible", "a much longer text than the others here"}), {{"top_k", nullptr}}},
                         {{{"text", "a text"}, {"text_pair", "its pair"}}, {{"function_to_apply", "sigmoid"}}}});
  check_shared_forwards("ner", "tiny-ner",
                        {{"John lives in Berlin", {{"aggregation_strategy", "simple"}}},
                         {json::array({"Mary", "visited", "New", "York"}), {{"is_split_into_words", true}}},
                         {kLongContext, {{"aggregation_strategy", "first"}, {"stride", 4}}}});
  check_shared_forwards(
      "question-answering", "tiny-qa",
      {{{{"question", "Who is the chef?"}, {"context", kLongContext}}, {{"max_seq_len", 40}, {"doc_stride", 10}}},
       {{{"question", "Where does Wolfgang live?"}, {"context", "I live in Berlin."}}, {{"top_k", 2}}}});
  check_shared_forwards("fill-mask", "tiny-mlm",
                        {{"the movie was [MASK] .", {{"top_k", 2}}},
                         {json::array({"[MASK] was great", "a [MASK] and a [MASK]"}), json::object()}});
  check_shared_forwards(
      "zero-shot-classification", "tiny-nli",
      {{"a match of football", {{"candidate_labels", {"sports", "politics"}}}},
       {json::array({"a song", "a dinner"}), {{"candidate_labels", "music, food, travel"}, {"multi_label", true}}}});
  check_shared_forwards("feature-extraction", "tiny-sentiment",
                        {{"short", json::object()}, {json::array({"a longer text", "x"}), json::object()}});
}

TEST_CASE("the stages by hand: two inputs' items in one forward", "[pipelines][stages]") {
  auto ner = pipeline("ner", (kFixtures / "tiny-ner").string());
  const json kwargs = {{"aggregation_strategy", "simple"}};
  const json first = "John lives in Berlin", second = "Mary and Paul visited New York";
  const std::vector<tokenizers::Encoding> first_items = ner->preprocess(first, kwargs);
  const std::vector<tokenizers::Encoding> second_items = ner->preprocess(second, kwargs);
  REQUIRE(first_items.size() == 1);
  REQUIRE(second_items.size() == 1);
  const std::vector<ItemOutput> outputs = ner->forward({&first_items[0], &second_items[0]});
  REQUIRE(outputs.size() == 2);
  const size_t width = std::max(first_items[0].size(), second_items[0].size());
  for (size_t i = 0; i < 2; ++i) {
    CHECK(outputs[i].width == width);
    CHECK(outputs[i].first_token == 0);           // the tokenizer pads on the right
    CHECK(outputs[i].last_hidden_state.empty());  // only the logits are read
  }
  CHECK(outputs[0].tokens == first_items[0].size());
  recorded::require_equal(ner->postprocess(first, first_items, {outputs[0]}, kwargs), (*ner)(first, kwargs), 1e-5);
  recorded::require_equal(ner->postprocess(second, second_items, {outputs[1]}, kwargs), (*ner)(second, kwargs), 1e-5);
}

TEST_CASE("pad_collate pads encodings as the tokenizer's padding does", "[pipelines][stages]") {
  const PreTrainedTokenizerFast tokenizer = AutoTokenizer::from_pretrained((kFixtures / "tiny-sentiment").string());
  TokenizeOptions padded;
  padded.padding = PaddingStrategy::Longest;
  const BatchEncoding batch = tokenizer({"a rather long sentence", "short"}, padded);
  const BatchEncoding ragged = tokenizer({"a rather long sentence", "short"});
  const ModelInputs collated = pad_collate({&ragged.encodings[0], &ragged.encodings[1]}, tokenizer);
  const ModelInputs direct = model_inputs(batch);
  CHECK(collated.input_ids.to_vector<int64_t>() == direct.input_ids.to_vector<int64_t>());
  CHECK(collated.attention_mask.to_vector<int64_t>() == direct.attention_mask.to_vector<int64_t>());
  REQUIRE(collated.token_type_ids.defined() == direct.token_type_ids.defined());
  if (direct.token_type_ids.defined())
    CHECK(collated.token_type_ids.to_vector<int64_t>() == direct.token_type_ids.to_vector<int64_t>());
}
