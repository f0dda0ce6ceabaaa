// MPNet beyond what test_auto_fixtures checks for every architecture: its relative position
// buckets and position ids, and loading errors that name the missing tensor.
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "models/encoder_fixtures.hpp"
#include "transformers/models/mpnet.hpp"
#include "transformers/nn/positions.hpp"

using namespace transformers;

TEST_CASE("MPNet relative position buckets equal transformers'", "[models][mpnet]") {
  // MPNetEncoder.relative_position_bucket(key - query, 32, 128) from transformers 5.23 (torch
  // computes the logarithm in float32), including distances at the edges of the log buckets.
  const std::vector<std::pair<int64_t, int64_t>> expected{
      {0, 0},   {1, 17},   {-1, 1},   {7, 23},  {-7, 7},    {8, 24},   {-8, 8},    {11, 24},  {12, 25},
      {-15, 9}, {16, 26},  {-16, 10}, {22, 26}, {23, 27},   {-32, 12}, {45, 28},   {46, 29},  {63, 29},
      {64, 30}, {-64, 14}, {90, 30},  {91, 31}, {-127, 15}, {128, 31}, {-500, 15}, {1000, 31}};
  for (const auto& [relative, bucket] : expected) {
    INFO("relative position " << relative);
    CHECK(nn::relative_position_bucket(relative, /*bidirectional=*/true, 32, 128) == bucket);
  }
}

TEST_CASE("padding-offset position ids count real tokens from padding_idx + 1", "[models][mpnet]") {
  Tensor ids = Tensor::from_vector(std::vector<int64_t>{0, 5, 6, 2, 1, 1, 0, 7, 2, 1, 1, 1}, {2, 6});
  CHECK(nn::padding_offset_position_ids(ids, 1).to_vector<int64_t>() ==
        std::vector<int64_t>{2, 3, 4, 5, 1, 1, 2, 3, 4, 1, 1, 1});
}

TEST_CASE("MPNet names a missing tensor", "[models][mpnet]") {
  const auto dir = encoder_fixtures::folder("mpnet", "masked-lm");
  auto source = safetensors::Checkpoint::open(dir.string());
  for (const std::string missing : {"mpnet.encoder.relative_attention_bias.weight", "lm_head.bias"}) {
    std::vector<std::pair<std::string, Tensor>> kept;
    for (const std::string& name : source.names())
      if (name != missing) kept.emplace_back(name, source.get(name));
    const auto path = std::filesystem::temp_directory_path() /
                      ("transformers_mpnet_missing_" + std::to_string(::getpid()) + ".safetensors");
    safetensors::save(path.string(), kept);
    INFO(missing);
    // lm_head.bias may also be stored as lm_head.decoder.bias; the error names the last spelling tried.
    const std::string named = missing == "lm_head.bias" ? "lm_head.decoder.bias" : missing;
    CHECK_THROWS_WITH(
        MPNetForMaskedLM(PretrainedConfig::from_pretrained(dir.string()),
                         nn::Weights(safetensors::Checkpoint::open(path.string()), MPNetModel::base_model_prefix)),
        Catch::Contains("missing tensor") && Catch::Contains(named));
    std::filesystem::remove(path);
  }
}
