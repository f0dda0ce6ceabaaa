// Weight lookup as from_pretrained does it: prefixes, legacy names, shape and dtype checks.
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "transformers/nn/weights.hpp"

using namespace transformers;

namespace {

std::string write_checkpoint(const std::string& name, const std::vector<std::pair<std::string, Tensor>>& tensors) {
  auto dir = std::filesystem::temp_directory_path() / ("transformers_weights_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  safetensors::save(path, tensors);
  return path;
}

}  // namespace

TEST_CASE("weights are found with or without the base-model prefix", "[models][weights]") {
  std::string base =
      write_checkpoint("base.safetensors", {{"pooler.dense.weight", Tensor::zeros({2, 2})},
                                            {"embeddings.LayerNorm.gamma", Tensor::full({2}, 1.0)},
                                            {"embeddings.LayerNorm.beta", Tensor::zeros({2}, DType::F16)},
                                            {"embeddings.position_ids", Tensor::zeros({1, 2}, DType::I64)}});
  nn::Weights w(safetensors::Checkpoint::open(base), "bert");
  CHECK(w.get("bert.pooler.dense.weight", {2, 2}).shape() == Shape{2, 2});  // head model name, base checkpoint
  CHECK(w.get("pooler.dense.weight", {2, 2}).dtype() == DType::F32);
  CHECK(w.get("bert.embeddings.LayerNorm.weight", {2}).to_vector<float>() == std::vector<float>{1, 1});  // gamma
  Tensor beta = w.get("bert.embeddings.LayerNorm.bias", {2});  // beta, stored as f16, computed in f32
  CHECK(beta.dtype() == DType::F32);
  CHECK_THROWS_WITH(w.get("bert.pooler.dense.weight", {3, 2}),
                    Catch::Contains("pooler.dense.weight") && Catch::Contains("[2, 2]") && Catch::Contains("[3, 2]"));
  CHECK_THROWS_WITH(w.get("classifier.weight", {2, 2}),
                    Catch::Contains("missing tensor 'classifier.weight'") && Catch::Contains("base.safetensors"));
  CHECK_THROWS_WITH(w.get("embeddings.position_ids", {1, 2}), Catch::Contains("int64"));

  std::string head = write_checkpoint("head.safetensors", {{"bert.pooler.dense.weight", Tensor::zeros({2, 2})}});
  nn::Weights from_head(safetensors::Checkpoint::open(head), "bert");
  CHECK(from_head.contains("pooler.dense.weight"));  // a base model reading a head checkpoint
  CHECK_FALSE(from_head.contains("classifier.weight"));
}
