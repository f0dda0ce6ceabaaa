// Checkpoints written by transformers' save_pretrained (tests/fixtures/models, made by
// scripts/make_fixtures.py): the f16, bf16 and sharded copies of tiny-bert must hold exactly the
// f32 model's weights, converted the way torch converts them.
#include <catch2/catch.hpp>

#include <filesystem>

#include "transformers/io/safetensors.hpp"

using namespace transformers;

namespace {

const std::filesystem::path kTinyBert =
    std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models" / "tiny-bert";

std::vector<uint16_t> bits_of(const Tensor& half_tensor) {
  std::vector<uint16_t> bits(static_cast<size_t>(half_tensor.numel()));
  std::memcpy(bits.data(), half_tensor.contiguous().data_ptr(), bits.size() * sizeof(uint16_t));
  return bits;
}

}  // namespace

TEST_CASE("f16 and bf16 checkpoints equal the f32 weights rounded as torch rounds", "[io][checkpoint]") {
  safetensors::Checkpoint f32 = safetensors::Checkpoint::open(kTinyBert.string());
  REQUIRE(f32.names().size() > 30);
  for (auto [folder, dtype] : {std::pair{"f16", DType::F16}, {"bf16", DType::BF16}}) {
    safetensors::Checkpoint half = safetensors::Checkpoint::open((kTinyBert / folder).string());
    CHECK(half.names() == f32.names());
    for (const std::string& name : f32.names()) {
      Tensor reference = f32.get(name);
      if (reference.dtype() != DType::F32) continue;  // integer buffers (position_ids) are not cast
      INFO(folder << " " << name);
      Tensor stored = half.get(name);
      REQUIRE(stored.dtype() == dtype);
      CHECK(bits_of(stored) == bits_of(reference.to(dtype)));
    }
  }
}

TEST_CASE("a sharded checkpoint holds the same tensors, byte for byte", "[io][checkpoint]") {
  safetensors::Checkpoint whole = safetensors::Checkpoint::open(kTinyBert.string());
  safetensors::Checkpoint sharded = safetensors::Checkpoint::open((kTinyBert / "sharded").string());
  CHECK(sharded.files().size() > 1);
  REQUIRE(sharded.names() == whole.names());
  for (const std::string& name : whole.names()) {
    INFO(name);
    Tensor a = whole.get(name), b = sharded.get(name);
    REQUIRE(a.shape() == b.shape());
    REQUIRE(a.dtype() == b.dtype());
    CHECK(std::memcmp(a.data_ptr(), b.data_ptr(), a.nbytes()) == 0);
  }
}
