// The Auto registry: every entry builds and runs from its family's tiny config, the Auto classes
// pick the right class for real folders and keep their load options, and unknown model types are
// refused with the supported list.
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "test_util.hpp"
#include "transformers/models/auto.hpp"

using namespace transformers;

namespace {

// A padded batch of two within every tiny config's vocabulary of 99.
ModelInputs padded_batch() {
  ModelInputs in;
  in.input_ids = Tensor::from_vector(std::vector<int64_t>{5, 17, 98, 3, 0, 0, 1, 2, 3, 4, 5, 6}, {2, 6});
  in.attention_mask = Tensor::from_vector(std::vector<int64_t>{1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}, {2, 6});
  return in;
}

}  // namespace

TEST_CASE("every registered model builds and runs from its tiny config", "[models][auto]") {
  const ModelInputs in = padded_batch();
  for (const ModelEntry& entry : model_registry()) {
    INFO(entry.class_name);
    auto model = auto_model_from_config(tiny_config(entry.model_type), entry.task);
    if (dynamic_cast<const EncoderDecoderModel*>(model.get())) continue;  // test_seq2seq.cpp runs them
    ModelOutput out = model->forward(in, true);
    // Every tiny config: hidden size 32, 2 layers, 3 labels.
    CHECK(out.last_hidden_state.shape() == Shape{2, 6, 32});
    CHECK(out.hidden_states.size() == 3);
    if (entry.task == Task::SequenceClassification) CHECK(out.logits.shape() == Shape{2, 3});
    if (entry.task == Task::TokenClassification) CHECK(out.logits.shape() == Shape{2, 6, 3});
    if (entry.task == Task::QuestionAnswering) CHECK(out.start_logits.shape() == Shape{2, 6});
    // Padding does not leak into real tokens: batch 0 alone gives the same first 4 states.
    ModelInputs alone;
    alone.input_ids = in.input_ids.narrow(0, 0, 1).narrow(1, 0, 4);
    REQUIRE_CLOSE(model->forward(alone).last_hidden_state, out.last_hidden_state.narrow(0, 0, 1).narrow(1, 0, 4), 1e-5);
  }
}

TEST_CASE("Auto classes pick the class from config.json", "[models][auto]") {
  const auto models = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models";
  auto bert = AutoModelForSequenceClassification::from_pretrained((models / "tiny-bert").string());
  CHECK(bert->config().model_type == "bert");
  CHECK(dynamic_cast<BertForSequenceClassification*>(bert.get()) != nullptr);
  auto distil = AutoModel::from_pretrained((models / "tiny-distilbert").string());
  CHECK(dynamic_cast<DistilBertModel*>(distil.get()) != nullptr);
  CHECK_THROWS_WITH(AutoModel::from_config(PretrainedConfig::from_json({{"model_type", "mamba"}}, "mamba config")),
                    Catch::Contains("mamba") && Catch::Contains("supported") && Catch::Contains("BertModel") &&
                        Catch::Contains("LlamaModel"));
  CHECK_THROWS_WITH(tiny_config("mamba"), Catch::Contains("mamba") && Catch::Contains("model_registry"));
}

TEST_CASE("from_pretrained takes LoadOptions; from_config keeps its seed", "[models][auto]") {
  const auto folder = (std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models" / "tiny-bert").string();
  const ModelInputs in = padded_batch();
  LoadOptions options;
  options.dtype = DType::F32;
  const Tensor with_options = AutoModelForSequenceClassification::from_pretrained(folder, options)->forward(in).logits;
  const Tensor plain = AutoModelForSequenceClassification::from_pretrained(folder)->forward(in).logits;
  REQUIRE_CLOSE(with_options, plain, 0.0);

  const PretrainedConfig config = tiny_config(model_registry().front().model_type);
  const Tensor seed_1 = AutoModel::from_config(config, 1)->forward(in).last_hidden_state;
  REQUIRE_CLOSE(AutoModel::from_config(config, 1, Device::cpu())->forward(in).last_hidden_state, seed_1, 0.0);
  CHECK(test_util::max_abs_diff(AutoModel::from_config(config, 2)->forward(in).last_hidden_state, seed_1) > 1e-3);
}

TEST_CASE("Auto classes resolve Hub ids through the Hugging Face cache", "[models][auto][hub]") {
  // A cache holding tiny-bert as "tiny/bert", installed the way a download would.
  const auto models = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models" / "tiny-bert";
  const auto cache = std::filesystem::temp_directory_path() / ("transformers_auto_hub_" + std::to_string(::getpid()));
  std::filesystem::remove_all(cache);
  const std::string commit(40, 'a');
  for (const char* file : {"config.json", "model.safetensors"})
    hub::install_into_cache("tiny/bert", commit, file, (models / file).string(), cache.string());
  hub::HubOptions options;
  options.cache_dir = cache.string();
  options.local_files_only = true;  // the test must never reach huggingface.co
  auto model = AutoModelForSequenceClassification::from_pretrained("tiny/bert", options);
  CHECK(model->config().id2label.at(2) == "POS");
  options.revision = "aaaaaaa";  // a short commit
  CHECK_NOTHROW(AutoModel::from_pretrained("tiny/bert", options));
  CHECK_THROWS_AS(AutoModel::from_pretrained("tiny/missing", options), hub::HubError);
  std::filesystem::remove_all(cache);
}
