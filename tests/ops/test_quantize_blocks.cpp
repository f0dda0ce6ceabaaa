// ops::quantize_blocks: the bytes gguf.quants (gguf 0.19.0, ggml's reference arithmetic) writes for
// one fixed row, and on random rows values that dequantize to within half a step of the input.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "src/io/block_dequantize.hpp"
#include "transformers/ops/ops.hpp"

using namespace transformers;

namespace {

std::string hex(const Tensor& blocks) {
  const auto* bytes = static_cast<const uint8_t*>(blocks.data_ptr());
  std::string out;
  char digits[3];
  for (int64_t i = 0; i < blocks.numel(); ++i) {
    std::snprintf(digits, sizeof digits, "%02x", bytes[i]);
    out += digits;
  }
  return out;
}

}  // namespace

TEST_CASE("quantize_blocks writes the bytes gguf.quants writes", "[ops][quantize]") {
  std::vector<float> row(64);
  for (size_t i = 0; i < row.size(); ++i)
    row[i] = static_cast<float>(std::sin(static_cast<double>(i) * 0.37) * 0.8 + (i % 5 == 0 ? 0.3 : 0.0));
  const Tensor matrix = Tensor::from_vector(row, {1, 64});
  // python: gguf.quants.quantize(x.reshape(1, 64), GGMLQuantizationType.X).tobytes().hex()
  CHECK(hex(ops::quantize_blocks(matrix, DType::Q8_0)) ==
        "4f20242240555f7f4c3211eef1b4a4a1abe4de012341795f5b4b3134eecdb4a4c5ab6d20c3e001453f535c596c2f0fedced8a7a4aec3"
        "03022340547f58492f0f10cdb5a6");
  CHECK(hex(ops::quantize_blocks(matrix, DType::Q4_0)) ==
        "47b0a686644302202335575999bddeeecdda64b0dcca888464433202213557797bbbdeee");
  CHECK(hex(ops::quantize_blocks(matrix, DType::Q4_1)) ==
        "f52f5fba49699bbcfddfdccaa8a55531100021150a305cba1224766b9bbccdfccebaa77573341000");
}

TEST_CASE("quantized rows dequantize to within half a step", "[ops][quantize]") {
  std::mt19937 rng(5);
  std::normal_distribution<float> normal(0.0f, 0.5f);
  const int64_t rows = 7, columns = 96;
  std::vector<float> values(static_cast<size_t>(rows * columns));
  for (float& v : values) v = normal(rng);
  for (int64_t c = 0; c < columns; ++c) values[static_cast<size_t>(columns + c)] = 0.0f;  // an all-zero row
  values[static_cast<size_t>(2 * columns + 3)] = 40.0f;                                   // an outlier
  const Tensor matrix = Tensor::from_vector(values, {rows, columns}).to(DType::BF16).to(DType::F32);
  const std::vector<float> input = matrix.to_vector<float>();
  for (DType dtype : {DType::Q8_0, DType::Q4_0, DType::Q4_1}) {
    INFO(dtype_name(dtype));
    const Tensor blocks = ops::quantize_blocks(matrix.to(DType::BF16), dtype);
    REQUIRE(blocks.shape() == Shape{rows, columns / 32 * quant_block_bytes(dtype)});
    std::vector<float> back(input.size());
    dequantize_blocks(dtype, blocks.data_ptr(), back.data(), rows * columns);
    const float levels = dtype == DType::Q8_0 ? 127.0f : dtype == DType::Q4_0 ? 8.0f : 15.0f;
    for (int64_t block = 0; block < rows * columns / 32; ++block) {
      float low = input[static_cast<size_t>(block * 32)], high = low, largest = 0.0f;
      for (int64_t i = block * 32; i < (block + 1) * 32; ++i) {
        low = std::min(low, input[static_cast<size_t>(i)]);
        high = std::max(high, input[static_cast<size_t>(i)]);
        largest = std::max(largest, std::fabs(input[static_cast<size_t>(i)]));
      }
      const float step = dtype == DType::Q4_1 ? (high - low) / levels : largest / levels;
      // half a step (Q4_0: a whole one, as its range is -8..7 steps and the value opposite the
      // extreme is clamped at 7), plus what the f16 scale (and minimum) lose on up to `levels` steps
      const float rounding = dtype == DType::Q4_0 ? step : step / 2;
      const float bound = rounding + step * levels / 1024 + std::fabs(low) / 1024 + 1e-7f;
      for (int64_t i = block * 32; i < (block + 1) * 32; ++i) {
        INFO("element " << i);
        CHECK(std::fabs(back[static_cast<size_t>(i)] - input[static_cast<size_t>(i)]) <= bound);
      }
    }
  }
  CHECK_THROWS_WITH(ops::quantize_blocks(Tensor::zeros({2, 48}), DType::Q8_0), Catch::Contains("whole blocks of 32"));
  CHECK_THROWS_WITH(ops::quantize_blocks(Tensor::zeros({2, 64}), DType::Q4_K),
                    Catch::Contains("no quantizer for q4_k"));
}
