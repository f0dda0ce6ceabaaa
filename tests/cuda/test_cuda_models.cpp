// Whole models on the GPU against the same models on the CPU (llama.cpp's habit: every backend
// checked against the CPU): every entry of the Auto registry, built from its family's tiny config
// with the same seeded random weights, a padded batch, every output; then a pipeline built with
// device cuda:0 against one on the CPU.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "cuda_test_utils.hpp"
#include "transformers/models/auto.hpp"
#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;
using cuda_test::kGpu;
using cuda_test::require_close;

namespace {

void require_same_output(const Tensor& gpu, const Tensor& cpu) {
  REQUIRE(gpu.defined() == cpu.defined());
  if (cpu.defined()) require_close(gpu, cpu);
}

}  // namespace

TEST_CASE("cuda: every registered model gives the CPU's outputs", "[cuda][models]") {
  ModelInputs in;  // on the host, as callers build them: the model moves them to its device
  in.input_ids = Tensor::from_vector(std::vector<int64_t>{5, 17, 98, 3, 0, 0, 1, 2, 3, 4, 5, 6}, {2, 6});
  in.attention_mask = Tensor::from_vector(std::vector<int64_t>{1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}, {2, 6});
  for (const ModelEntry& entry : model_registry()) {
    INFO(entry.class_name);
    const PretrainedConfig config = tiny_config(entry.model_type);
    const ModelOutput cpu = auto_model_from_config(config, entry.task, 7)->forward(in, true);
    const ModelOutput gpu = auto_model_from_config(config, entry.task, 7, kGpu)->forward(in, true);
    REQUIRE(gpu.last_hidden_state.device() == kGpu);
    require_same_output(gpu.last_hidden_state, cpu.last_hidden_state);
    require_same_output(gpu.pooler_output, cpu.pooler_output);
    require_same_output(gpu.logits, cpu.logits);
    require_same_output(gpu.start_logits, cpu.start_logits);
    require_same_output(gpu.end_logits, cpu.end_logits);
    REQUIRE(gpu.hidden_states.size() == cpu.hidden_states.size());
    for (size_t i = 0; i < cpu.hidden_states.size(); ++i)
      require_same_output(gpu.hidden_states[i], cpu.hidden_states[i]);
  }
}

TEST_CASE("cuda: pipeline(device=cuda:0) answers as on the CPU", "[cuda][pipelines]") {
  const std::string model = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/tiny-ner";
  PipelineOptions on_gpu;
  on_gpu.device = kGpu;
  const auto cpu = pipeline("ner", model);
  const auto gpu = pipeline("ner", model, on_gpu);
  const nlohmann::json inputs = {"Hugging Face is based in New York City", "Sarah lives in Paris"};
  const nlohmann::json kwargs = {{"ignore_labels", nlohmann::json::array()}};  // every token, with its score
  const nlohmann::json want = (*cpu)(inputs, kwargs), got = (*gpu)(inputs, kwargs);
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    REQUIRE(got[i].size() == want[i].size());
    for (size_t j = 0; j < want[i].size(); ++j) {
      CHECK(got[i][j]["entity"] == want[i][j]["entity"]);
      CHECK(got[i][j]["index"] == want[i][j]["index"]);
      CHECK(got[i][j]["start"] == want[i][j]["start"]);
      CHECK(got[i][j]["end"] == want[i][j]["end"]);
      CHECK(got[i][j]["score"].get<double>() == Approx(want[i][j]["score"].get<double>()).margin(1e-4));
    }
  }
}
