// ALBERT beyond what test_auto_fixtures checks for every architecture: the base model on a head
// checkpoint, and loading errors that name the missing tensor.
#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

#include "models/encoder_fixtures.hpp"
#include "transformers/models/albert.hpp"

using namespace transformers;

TEST_CASE("ALBERT base model reads a head checkpoint", "[models][albert]") {
  // AlbertModel on the token-classification folder: the prefixed base weights, the head ignored.
  const auto dir = encoder_fixtures::folder("albert", "token-classification");
  AlbertModel model(PretrainedConfig::from_pretrained(dir.string()),
                    nn::Weights(safetensors::Checkpoint::open(dir.string()), AlbertModel::base_model_prefix),
                    nn::Part::Absent);
  ModelOutput out = model.forward(encoder_fixtures::load_inputs(dir));
  auto expected = safetensors::File::open((dir / "expected.safetensors").string());
  REQUIRE_CLOSE(out.last_hidden_state, expected->get("last_hidden_state"), 1e-4);
  CHECK(out.hidden_states.empty());
  CHECK_FALSE(out.pooler_output.defined());
}

TEST_CASE("ALBERT names a missing tensor", "[models][albert]") {
  const auto dir = encoder_fixtures::folder("albert", "masked-lm");
  auto source = safetensors::Checkpoint::open(dir.string());
  for (const std::string missing :
       {"albert.encoder.albert_layer_groups.0.albert_layers.0.ffn.weight", "predictions.dense.weight"}) {
    std::vector<std::pair<std::string, Tensor>> kept;
    for (const std::string& name : source.names())
      if (name != missing) kept.emplace_back(name, source.get(name));
    const auto path = std::filesystem::temp_directory_path() /
                      ("transformers_albert_missing_" + std::to_string(::getpid()) + ".safetensors");
    safetensors::save(path.string(), kept);
    INFO(missing);
    CHECK_THROWS_WITH(
        AlbertForMaskedLM(PretrainedConfig::from_pretrained(dir.string()),
                          nn::Weights(safetensors::Checkpoint::open(path.string()), AlbertModel::base_model_prefix)),
        Catch::Contains("missing tensor") && Catch::Contains(missing));
    std::filesystem::remove(path);
  }
}
