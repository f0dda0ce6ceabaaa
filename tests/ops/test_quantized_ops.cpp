// linear and embedding on block-quantized weights (GGUF's Q8_0 ... kept as stored): against the
// same weights dequantized, with activations an int8 block holds exactly so that the only
// difference is float rounding (the rounding of other activations is bounded in
// tests/kernels/test_quantized_kernels.cpp). Rows 1 to 70 cover decoding, a prompt and more than
// one tile of activation rows; 33 outputs leave a thread's band ragged.
#include <catch2/catch.hpp>

#include <cstring>
#include <random>

#include "ops/device_under_test.hpp"
#include "test_util.hpp"
#include "transformers/io/gguf.hpp"
#include "transformers/ops/ops.hpp"
#include "transformers/ops/reference.hpp"

using namespace transformers;
using device_test::dev;
using device_test::random_input;

namespace {

// A Q8_0 weight [out, in] with random quants and scales, and the same dequantized (f32).
std::pair<Tensor, Tensor> random_q8_0(int64_t out, int64_t in, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> quant(-128, 127);
  std::uniform_real_distribution<float> scale(-0.02f, 0.02f);
  const int64_t blocks = out * in / 32;
  Tensor packed = Tensor::empty({out, in / 32 * 34}, DType::Q8_0);
  auto* bytes = static_cast<uint8_t*>(packed.data_ptr());
  for (int64_t b = 0; b < blocks; ++b) {
    const uint16_t d = float_to_f16_bits(scale(rng));
    std::memcpy(bytes + b * 34, &d, 2);
    for (int i = 0; i < 32; ++i) bytes[b * 34 + 2 + i] = static_cast<uint8_t>(quant(rng));
  }
  Tensor dequantized = Tensor::empty({out, in});
  gguf::dequantize(gguf::TensorType::Q8_0, bytes, dequantized.data<float>(), out * in);
  return {packed, dequantized};
}

// [rows, in] activations 0.01 * q, q in [-127, 127], every block of 32 reaching 127.
Tensor exact_activations(int64_t rows, int64_t in, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> quant(-127, 127);
  std::vector<float> values(static_cast<size_t>(rows * in));
  for (size_t i = 0; i < values.size(); ++i) values[i] = i % 32 == 7 ? -1.27f : 0.01f * static_cast<float>(quant(rng));
  return Tensor::from_vector(values, {rows, in});
}

}  // namespace

TEST_CASE("linear multiplies block-quantized weights as they are stored", "[ops][linear][quantized]") {
  if (!device_test::test_device().is_cpu()) {  // quantized blocks are the CPU's alone: a clear error elsewhere
    const auto [packed, dequantized] = random_q8_0(8, 64, 1);
    CHECK_THROWS_WITH(ops::linear(random_input({2, 64}, 1), dev(packed)), Catch::Contains("only the CPU"));
    return;
  }
  for (auto [rows, in, out] : {std::tuple{1, 64, 33}, {3, 96, 40}, {21, 64, 33}, {70, 128, 33}}) {
    INFO("rows " << rows << " in " << in << " out " << out);
    const auto [packed, dequantized] = random_q8_0(out, in, static_cast<uint32_t>(rows));
    const Tensor x = exact_activations(rows, in, 2), b = random_input({out}, 3), residual = random_input({rows, out}, 4);
    const Tensor expected = ops::reference::linear(x, dequantized, b);
    REQUIRE_CLOSE(ops::linear(x, packed, b), expected, 1e-4);
    REQUIRE_CLOSE(ops::linear(x, packed, b, {.activation = "silu", .residual = residual}),
                  ops::add(ops::activation(expected, "silu"), residual), 1e-4);
    // Interleaved by eight rows for the CPU's kernels where the rows come in whole groups.
    const Tensor interleaved = ops::pack_quantized(packed);
    CHECK(interleaved.dtype() == (out % 8 == 0 ? DType::Q8_0x8 : DType::Q8_0));
    REQUIRE_CLOSE(ops::linear(x, interleaved, b, {.activation = "silu", .residual = residual}),
                  ops::add(ops::activation(expected, "silu"), residual), 1e-4);
    // Rows of a fused projection are a view of whole rows of blocks.
    REQUIRE_CLOSE(ops::linear(x, packed.narrow(0, 8, 16)), ops::reference::linear(x, dequantized.narrow(0, 8, 16)),
                  1e-4);
  }
  const auto [packed, dequantized] = random_q8_0(16, 64, 1);
  CHECK_THROWS_WITH(ops::linear(random_input({2, 32}, 1), packed), Catch::Contains("in_features = 64"));
  const Tensor interleaved = ops::pack_quantized(packed);
  CHECK_THROWS_WITH(ops::linear(random_input({2, 64}, 1), interleaved.narrow(0, 4, 8)),
                    Catch::Contains("splits a group of eight"));
}

TEST_CASE("embedding dequantizes the rows it looks up from a quantized table", "[ops][embedding][quantized]") {
  if (!device_test::test_device().is_cpu()) return;  // the linear test checks the error
  const auto [packed, dequantized] = random_q8_0(50, 96, 5);
  const Tensor ids = Tensor::from_vector<int64_t>({3, 0, 49, 3, 17}, {5});
  const Tensor rows = ops::embedding(packed, ids);
  CHECK(rows.shape() == Shape{5, 96});
  CHECK(rows.to_vector<float>() == ops::embedding(dequantized, ids).to_vector<float>());
  const auto [table48, dequantized48] = random_q8_0(48, 96, 6);
  const Tensor interleaved = ops::pack_quantized(table48);
  CHECK(interleaved.dtype() == DType::Q8_0x8);
  const Tensor ids48 = Tensor::from_vector<int64_t>({3, 0, 47, 9, 17}, {5});
  CHECK(ops::embedding(interleaved, ids48).to_vector<float>() == ops::embedding(dequantized48, ids48).to_vector<float>());
  CHECK_THROWS_WITH(ops::embedding(packed, Tensor::from_vector<int64_t>({50}, {1})), Catch::Contains("out of range"));
}
