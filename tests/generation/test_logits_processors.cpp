// Every logits processor and warper against transformers' class on the same scores and ids
// (tests/fixtures/generation/processors.json), and the errors their constructors raise.
#include <memory>

#include "fixtures.hpp"
#include "transformers/generation/logits_process.hpp"

using namespace transformers;
using generation_test::json;

namespace {

std::vector<int64_t> ids_or_empty(const json& value) {
  return value.is_null() ? std::vector<int64_t>{} : value.get<std::vector<int64_t>>();
}

int64_t min_keep(const json& args) { return args.value("min_tokens_to_keep", int64_t{1}); }

// The C++ class transformers' class name and constructor arguments stand for.
std::shared_ptr<const LogitsProcessor> make_processor(const std::string& name, const json& a) {
  if (name == "RepetitionPenaltyLogitsProcessor")
    return std::make_shared<RepetitionPenaltyLogitsProcessor>(a["penalty"].get<double>(),
                                                              ids_or_empty(a.value("prompt_ignore_length", json())));
  if (name == "NoRepeatNGramLogitsProcessor")
    return std::make_shared<NoRepeatNGramLogitsProcessor>(a["ngram_size"].get<int64_t>());
  if (name == "NoBadWordsLogitsProcessor")
    return std::make_shared<NoBadWordsLogitsProcessor>(a["bad_words_ids"].get<std::vector<std::vector<int64_t>>>(),
                                                       ids_or_empty(a["eos_token_id"]));
  if (name == "SequenceBiasLogitsProcessor") {
    std::vector<SequenceBias> biases;
    for (const json& entry : a["sequence_bias"]) {
      SequenceBias bias;
      bias.tokens = entry[0].get<std::vector<int64_t>>();
      bias.bias = entry[1].get<double>();
      biases.push_back(bias);
    }
    return std::make_shared<SequenceBiasLogitsProcessor>(biases);
  }
  if (name == "MinLengthLogitsProcessor")
    return std::make_shared<MinLengthLogitsProcessor>(a["min_length"].get<int64_t>(), ids_or_empty(a["eos_token_id"]));
  if (name == "MinNewTokensLengthLogitsProcessor")
    return std::make_shared<MinNewTokensLengthLogitsProcessor>(
        a["prompt_length_to_skip"].get<int64_t>(), a["min_new_tokens"].get<int64_t>(), ids_or_empty(a["eos_token_id"]));
  if (name == "ForcedBOSTokenLogitsProcessor")
    return std::make_shared<ForcedBOSTokenLogitsProcessor>(a["bos_token_id"].get<int64_t>());
  if (name == "ForcedEOSTokenLogitsProcessor")
    return std::make_shared<ForcedEOSTokenLogitsProcessor>(a["max_length"].get<int64_t>(),
                                                           ids_or_empty(a["eos_token_id"]));
  if (name == "InfNanRemoveLogitsProcessor") return std::make_shared<InfNanRemoveLogitsProcessor>();
  if (name == "ExponentialDecayLengthPenalty") {
    const json& penalty = a["exponential_decay_length_penalty"];
    return std::make_shared<ExponentialDecayLengthPenalty>(
        std::pair<int64_t, double>{penalty[0].get<int64_t>(), penalty[1].get<double>()},
        ids_or_empty(a["eos_token_id"]), a["input_ids_seq_length"].get<int64_t>());
  }
  if (name == "SuppressTokensLogitsProcessor")
    return std::make_shared<SuppressTokensLogitsProcessor>(ids_or_empty(a["suppress_tokens"]));
  if (name == "SuppressTokensAtBeginLogitsProcessor")
    return std::make_shared<SuppressTokensAtBeginLogitsProcessor>(ids_or_empty(a["begin_suppress_tokens"]),
                                                                  a["begin_index"].get<int64_t>());
  if (name == "LogitNormalization") return std::make_shared<LogitNormalization>();
  if (name == "TemperatureLogitsWarper")
    return std::make_shared<TemperatureLogitsWarper>(a["temperature"].get<double>());
  if (name == "TopKLogitsWarper") return std::make_shared<TopKLogitsWarper>(a["top_k"].get<int64_t>(), min_keep(a));
  if (name == "TopPLogitsWarper") return std::make_shared<TopPLogitsWarper>(a["top_p"].get<double>(), min_keep(a));
  if (name == "MinPLogitsWarper") return std::make_shared<MinPLogitsWarper>(a["min_p"].get<double>(), min_keep(a));
  if (name == "TypicalLogitsWarper") return std::make_shared<TypicalLogitsWarper>(a["mass"].get<double>(), min_keep(a));
  if (name == "EpsilonLogitsWarper")
    return std::make_shared<EpsilonLogitsWarper>(a["epsilon"].get<double>(), min_keep(a));
  if (name == "EtaLogitsWarper") return std::make_shared<EtaLogitsWarper>(a["epsilon"].get<double>(), min_keep(a));
  FAIL("no C++ class for " << name);
  return nullptr;
}

}  // namespace

TEST_CASE("logits processors and warpers compute what transformers' classes compute", "[generation][processors]") {
  const json fixture = generation_test::load_fixture("processors.json");
  const json& inputs = fixture["inputs"];
  size_t compared = 0, refused = 0;
  for (const json& c : fixture["cases"]) {
    const std::string name = c["name"];
    INFO(name << ": " << c["class"] << " " << c["args"].dump());
    if (c.contains("error")) {
      const json& input = inputs["random"];
      try {
        const auto processor = make_processor(c["class"], c["args"]);
        (*processor)(generation_test::int_matrix(input["input_ids"]), generation_test::float_matrix(input["scores"]));
        FAIL("no error; transformers raised " << c["error"]["message"]);
      } catch (const InvalidArgument& e) {
        CHECK(std::string(e.what()) == c["error"]["message"].get<std::string>());
      }
      ++refused;
      continue;
    }
    const json& input = inputs[c["input"].get<std::string>()];
    const Tensor ids = generation_test::int_matrix(input["input_ids"]);
    const Tensor scores = generation_test::float_matrix(input["scores"]);
    const auto processor = make_processor(c["class"], c["args"]);
    CHECK(processor->name() == c["class"].get<std::string>());
    const Tensor out = (*processor)(ids, scores);
    CHECK(out.shape() == scores.shape());
    CHECK(generation_test::float_difference(out, c["expected"]) <= 1e-5);
    ++compared;
  }
  CHECK(compared >= 40);
  CHECK(refused >= 15);
}

TEST_CASE("processors leave their inputs alone and take scores from any device dtype", "[generation][processors]") {
  const Tensor scores = Tensor::from_vector(std::vector<float>{1.0f, 3.0f, 2.0f, -1.0f}, {1, 4});
  const Tensor ids = Tensor::from_vector(std::vector<int64_t>{1, 2}, {1, 2});
  const Tensor out = TopKLogitsWarper(2)(ids, scores.to(DType::BF16));
  CHECK(scores.to_vector<float>() == std::vector<float>{1.0f, 3.0f, 2.0f, -1.0f});
  CHECK(out.dtype() == DType::F32);
  const std::vector<float> kept = out.to_vector<float>();
  CHECK(std::isinf(kept[0]));
  CHECK(kept[1] == 3.0f);
  CHECK(kept[2] == 2.0f);
}

TEST_CASE("make_logits_processors: a custom processor of a built class takes its place", "[generation][processors]") {
  GenerationConfig config;
  config.update({{"repetition_penalty", 1.2},
                 {"suppress_tokens", {3}},
                 {"do_sample", true},
                 {"top_k", 5},
                 {"max_new_tokens", 4}});
  const GenerationConfig prepared = config.prepared_for(3);
  const auto custom_penalty = std::make_shared<RepetitionPenaltyLogitsProcessor>(3.0);
  const auto custom_bos = std::make_shared<ForcedBOSTokenLogitsProcessor>(1);
  const LogitsProcessorList list = make_logits_processors(prepared, 3, {}, {custom_penalty, custom_bos});
  std::vector<std::string> names;
  for (const auto& p : list) names.push_back(p->name());
  CHECK(names == std::vector<std::string>{"RepetitionPenaltyLogitsProcessor", "SuppressTokensLogitsProcessor",
                                          "ForcedBOSTokenLogitsProcessor", "TopKLogitsWarper"});
  CHECK(list[0] == custom_penalty);
}
