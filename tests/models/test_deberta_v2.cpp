// DeBERTa-v2/v3 beyond what test_auto_fixtures checks for every architecture (the tiny fixtures in
// tests/fixtures/models/encoders/deberta-v2, a deberta-v3-small layout): relative position
// buckets, config parsing, refused configs and the convolution layer.
#include <catch2/catch.hpp>

#include <string>

#include "encoder_fixtures.hpp"
#include "transformers/models/deberta_v2.hpp"

using namespace transformers;

namespace {

// The tiny fixture's config.json with some fields replaced.
PretrainedConfig fixture_config_with(const nlohmann::json& changes) {
  PretrainedConfig base = PretrainedConfig::from_pretrained(encoder_fixtures::folder("deberta-v2", "base").string());
  nlohmann::json raw = base.raw;
  raw.update(changes);
  return PretrainedConfig::from_json(raw, "deberta-v2 test config");
}

}  // namespace

TEST_CASE("DeBERTa-v2 relative positions are log-bucketed as transformers does", "[models][deberta]") {
  // make_log_bucket_position(rel, 8, 64): |rel| <= 4 unchanged, farther ones compressed; the
  // tiny fixture's 9 tokens reach +-8.
  CHECK(deberta_v2::log_bucket_position(0, 8, 64) == 0);
  CHECK(deberta_v2::log_bucket_position(-4, 8, 64) == -4);
  CHECK(deberta_v2::log_bucket_position(5, 8, 64) == 5);
  CHECK(deberta_v2::log_bucket_position(8, 8, 64) == 5);
  CHECK(deberta_v2::log_bucket_position(-63, 8, 64) == -7);
  // deberta-v3: 256 buckets over 512 positions.
  CHECK(deberta_v2::log_bucket_position(128, 256, 512) == 128);
  CHECK(deberta_v2::log_bucket_position(511, 256, 512) == 255);
  CHECK(deberta_v2::log_bucket_position(-300, 256, 512) == -207);
}

TEST_CASE("DeBERTa-v2 reads pos_att_type and norm_rel_ebd as lists or '|' strings", "[models][deberta]") {
  const DebertaV2Config listed = DebertaV2Config::from(fixture_config_with({{"pos_att_type", {"c2p"}}}));
  CHECK(listed.c2p);
  CHECK_FALSE(listed.p2c);
  CHECK(listed.scale_factor() == 2);
  const DebertaV2Config joined =
      DebertaV2Config::from(fixture_config_with({{"pos_att_type", "P2C | c2p"}, {"norm_rel_ebd", "none"}}));
  CHECK(joined.c2p);
  CHECK(joined.p2c);
  CHECK_FALSE(joined.norm_rel_ebd_layer_norm);
  // max_relative_positions < 1 means max_position_embeddings; position_buckets > 0 sets the span.
  CHECK(joined.max_relative_positions == 64);
  CHECK(joined.pos_ebd_size() == 8);
}

TEST_CASE("DeBERTa-v2 refuses unsupported config values by name", "[models][deberta]") {
  const nn::Weights weights = nn::Weights::random(DebertaV2Model::base_model_prefix);
  REQUIRE_THROWS_WITH(DebertaV2Model(fixture_config_with({{"conv_kernel_size", 3}, {"conv_groups", 2}}), weights),
                      Catch::Contains("conv_groups"));
  REQUIRE_THROWS_WITH(DebertaV2Model(fixture_config_with({{"conv_kernel_size", 4}}), weights),
                      Catch::Contains("conv_kernel_size"));
}

// deberta-v2-xlarge/xxlarge's convolution after the first layer (conv_kernel_size 3) has no
// Python fixture here; this checks what it must keep: each sequence of a padded batch gives the
// states it gives alone (the zero padding along the sequence, done per sequence, never mixes them).
TEST_CASE("DeBERTa-v2 conv layer: a padded batch gives each sequence's own states", "[models][deberta]") {
  const PretrainedConfig config = fixture_config_with({{"conv_kernel_size", 3}, {"conv_act", "gelu"}});
  const DebertaV2Model model(config, nn::Weights::random(DebertaV2Model::base_model_prefix, 3));
  ModelInputs batch;
  batch.input_ids = Tensor::from_vector(std::vector<int64_t>{1, 17, 42, 9, 2, 1, 33, 2, 0, 0}, {2, 5});
  batch.attention_mask = Tensor::from_vector(std::vector<int64_t>{1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, {2, 5});
  const Tensor together = model.forward(batch).last_hidden_state;
  for (int64_t row = 0; row < 2; ++row) {
    const int64_t length = row == 0 ? 5 : 3;
    ModelInputs alone;
    alone.input_ids = batch.input_ids.narrow(0, row, 1).narrow(1, 0, length).contiguous();
    REQUIRE_CLOSE(model.forward(alone).last_hidden_state, together.narrow(0, row, 1).narrow(1, 0, length), 1e-5);
  }
}
