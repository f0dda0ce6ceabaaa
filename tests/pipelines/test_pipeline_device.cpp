// PipelineOptions::device on a machine without a usable GPU (CI): the CPU gives the default's
// answers, a GPU device fails at construction with an error that says why (tests/cuda compares
// GPU pipelines with CPU ones where a GPU exists).
#include <catch2/catch.hpp>

#include <string>

#include "transformers/backends/cuda.hpp"
#include "transformers/pipelines/pipeline.hpp"

using namespace transformers;

namespace {
const std::string kModel = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/tiny-sentiment";
}

TEST_CASE("pipeline device: cpu, and a clear error for a GPU that is not there", "[pipelines][device]") {
  PipelineOptions on_cpu;
  on_cpu.device = Device("cpu");
  const nlohmann::json inputs = {"I love this", "I hate this"};
  CHECK((*pipeline("sentiment-analysis", kModel, on_cpu))(inputs) == (*pipeline("sentiment-analysis", kModel))(inputs));

  CHECK_THROWS_WITH(Device("tpu:0"), Catch::Contains("unknown device 'tpu:0'"));
  if (cuda::is_available()) return;
  PipelineOptions on_gpu;
  on_gpu.device = Device("cuda:0");
  if (!cuda::is_built()) {
    CHECK_THROWS_AS(pipeline("sentiment-analysis", kModel, on_gpu), NotBuilt);
  } else {
    CHECK_THROWS_AS(pipeline("sentiment-analysis", kModel, on_gpu), DeviceError);
    CHECK_THROWS_WITH(pipeline("sentiment-analysis", kModel, on_gpu), Catch::Contains("no CUDA GPU is available"));
  }
}
