// The block-quantized products of every instruction-set variant against the weights dequantized by
// gguf::dequantize (itself checked bit for bit against gguf.quants in tests/io/test_gguf.cpp) on
// random blocks: to float rounding for activations int8 blocks hold exactly, and within the bound
// the rounding to int8 allows for others.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/cpu/kernels.hpp"
#include "transformers/core/half.hpp"
#include "transformers/io/gguf.hpp"

using namespace transformers;
using kernels::cpu::ActivationBlock;
using kernels::cpu::BlockFormat;
using kernels::cpu::kActivationBlock;

namespace {

struct FormatCase {
  BlockFormat format;
  gguf::TensorType type;
  std::vector<int> half_fields;  // byte offsets of the block's f16 scale and minimum fields
};

const std::vector<FormatCase>& format_cases() {
  static const std::vector<FormatCase> cases{
      {BlockFormat::Q4_0, gguf::TensorType::Q4_0, {0}},    {BlockFormat::Q4_1, gguf::TensorType::Q4_1, {0, 2}},
      {BlockFormat::Q5_0, gguf::TensorType::Q5_0, {0}},    {BlockFormat::Q5_1, gguf::TensorType::Q5_1, {0, 2}},
      {BlockFormat::Q8_0, gguf::TensorType::Q8_0, {0}},    {BlockFormat::Q4_K, gguf::TensorType::Q4_K, {0, 2}},
      {BlockFormat::Q6_K, gguf::TensorType::Q6_K, {208}},  {BlockFormat::Q2_K, gguf::TensorType::Q2_K, {80, 82}},
      {BlockFormat::Q3_K, gguf::TensorType::Q3_K, {108}},  {BlockFormat::Q5_K, gguf::TensorType::Q5_K, {0, 2}},
  };
  return cases;
}

// `rows` weight rows of k elements: random bytes, with finite scales of either sign in the f16
// fields (random bytes there could be NaN or huge).
std::vector<uint8_t> random_weights(const FormatCase& c, int64_t rows, int64_t k, std::mt19937& rng) {
  const int64_t blocks = rows * k / kernels::cpu::block_elements(c.format), size = kernels::cpu::block_bytes(c.format);
  std::vector<uint8_t> bytes(static_cast<size_t>(blocks * size));
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> scale(-0.05f, 0.05f);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(byte(rng));
  for (int64_t b = 0; b < blocks; ++b)
    for (int field : c.half_fields) {
      const uint16_t bits = float_to_f16_bits(scale(rng));
      std::memcpy(bytes.data() + b * size + field, &bits, 2);
    }
  return bytes;
}

double dot(const float* a, const float* b, int64_t n) {
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) total += static_cast<double>(a[i]) * b[i];
  return total;
}

}  // namespace

// Activations an int8 block holds exactly (0.01 times integers up to 127, each block reaching 127)
// when `exact`, else normal ones; some blocks all zero.
std::vector<float> activations(int64_t rows, int64_t k, bool exact, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::uniform_int_distribution<int> quant(-127, 127);
  std::vector<float> x(static_cast<size_t>(rows * k));
  for (size_t i = 0; i < x.size(); ++i)
    x[i] = !exact ? normal(rng) : i % kActivationBlock == 5 ? 1.27f : 0.01f * static_cast<float>(quant(rng));
  std::fill(x.begin() + k, x.begin() + k + kActivationBlock, 0.0f);  // a zero block must not divide by zero
  return x;
}

TEST_CASE("quantized products of every ISA match the dequantized weights", "[kernels][quantized]") {
  std::mt19937 rng(7);
  for (const kernels::cpu::KernelTable* table : kernels::cpu::supported_kernels()) {
    for (const FormatCase& c : format_cases()) {
      for (bool exact : {true, false}) {
        const int64_t k = kernels::cpu::block_elements(c.format) * 3, count = 5, rows = 6, out_stride = 7;
        INFO(table->name << " format " << gguf::type_name(c.type) << (exact ? " exact" : " rounded") << " activations");
        const std::vector<uint8_t> w = random_weights(c, count, k, rng);
        std::vector<float> dequantized(static_cast<size_t>(count * k));
        gguf::dequantize(c.type, w.data(), dequantized.data(), count * k);
        const std::vector<float> x = activations(rows, k, exact, rng);
        std::vector<ActivationBlock> blocks(static_cast<size_t>(rows * k / kActivationBlock));
        table->quantize_activations(x.data(), rows, k, blocks.data());

        for (int64_t used_rows = 1; used_rows <= rows; ++used_rows) {  // 1-3 rows, 4, and 4 + 1, 2
          std::vector<float> out(static_cast<size_t>(used_rows * out_stride), -1.0f);
          table->dot_blocks(c.format, blocks.data(), used_rows, w.data(), k, out.data(), out_stride, count);
          for (int64_t r = 0; r < used_rows; ++r)
            for (int64_t j = 0; j < count; ++j) {
              INFO("rows " << used_rows << " row " << r << " column " << j);
              const float* wj = dequantized.data() + j * k;
              double magnitude = 0.0, rounding_bound = 0.0;
              for (int64_t i = 0; i < k; ++i) {
                magnitude += std::abs(static_cast<double>(wj[i]) * x[static_cast<size_t>(r * k + i)]);
                // |x - scale * q| <= scale / 2 for each activation
                rounding_bound +=
                    std::abs(wj[i]) * blocks[static_cast<size_t>((r * k + i) / kActivationBlock)].scale / 2;
              }
              const double error = std::abs(out[static_cast<size_t>(r * out_stride + j)] - dot(x.data() + r * k, wj, k));
              CHECK(error <= (exact ? 0.0 : rounding_bound * 1.0001) + 1e-5 * magnitude + 1e-6);
            }
          for (int64_t j = count; j < out_stride; ++j) CHECK(out[static_cast<size_t>(j)] == -1.0f);  // untouched
        }
      }
    }
  }
}

TEST_CASE("every ISA widens quantized rows as gguf::dequantize does", "[kernels][quantized]") {
  std::mt19937 rng(11);
  for (const kernels::cpu::KernelTable* table : kernels::cpu::supported_kernels())
    for (const FormatCase& c : format_cases()) {
      INFO(table->name << " format " << gguf::type_name(c.type));
      const int64_t k = kernels::cpu::block_elements(c.format) * 2;
      const std::vector<uint8_t> w = random_weights(c, 1, k, rng);
      std::vector<float> want(static_cast<size_t>(k)), got(static_cast<size_t>(k));
      gguf::dequantize(c.type, w.data(), want.data(), k);
      table->widen_blocks(c.format, w.data(), k, got.data(), 1);
      for (int64_t i = 0; i < k; ++i) {
        INFO("element " << i);
        // the same products, a multiply-add possibly fused: a rounding of the scale-sized terms apart
        CHECK(std::abs(got[static_cast<size_t>(i)] - want[static_cast<size_t>(i)]) <=
              2e-7 * (std::abs(want[static_cast<size_t>(i)]) + 0.05f * 64));
      }
    }
}

TEST_CASE("rows interleaved by eight give the products and values of the plain rows", "[kernels][quantized]") {
  std::mt19937 rng(13);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (const kernels::cpu::KernelTable* table : kernels::cpu::supported_kernels())
    for (const FormatCase& c : format_cases()) {
      if (!kernels::cpu::has_packed_format(c.format)) continue;
      const BlockFormat packed = kernels::cpu::packed_format(c.format);
      INFO(table->name << " format " << gguf::type_name(c.type) << " x8");
      const int64_t k = 96, count = 16, rows = 5, out_stride = 17;
      const std::vector<uint8_t> w = random_weights(c, count, k, rng);
      std::vector<uint8_t> interleaved(w.size()), back(w.size());
      kernels::cpu::pack_rows(c.format, w.data(), count, k, interleaved.data());
      CHECK(interleaved != w);
      kernels::cpu::unpack_rows(packed, interleaved.data(), count, k, back.data());
      CHECK(back == w);

      std::vector<float> x(static_cast<size_t>(rows * k));
      for (float& v : x) v = normal(rng);
      std::vector<ActivationBlock> blocks(static_cast<size_t>(rows * k / kActivationBlock));
      table->quantize_activations(x.data(), rows, k, blocks.data());
      for (int64_t used_rows = 1; used_rows <= rows; ++used_rows) {
        std::vector<float> want(static_cast<size_t>(used_rows * out_stride)), got(want.size());
        table->dot_blocks(c.format, blocks.data(), used_rows, w.data(), k, want.data(), out_stride, count);
        table->dot_blocks(packed, blocks.data(), used_rows, interleaved.data(), k, got.data(), out_stride, count);
        for (int64_t r = 0; r < used_rows; ++r)
          for (int64_t j = 0; j < count; ++j) {
            INFO("rows " << used_rows << " row " << r << " column " << j);
            const size_t at = static_cast<size_t>(r * out_stride + j);
            CHECK(got[at] == Approx(want[at]).margin(1e-5).epsilon(1e-5));  // the same integer sums
          }
      }
      std::vector<float> widened(static_cast<size_t>(count * k)), plain(widened.size());
      table->widen_blocks(c.format, w.data(), k, plain.data(), count);
      table->widen_blocks(packed, interleaved.data(), k, widened.data(), count);
      CHECK(widened == plain);
    }
}

TEST_CASE("quantized activations round to nearest and carry NaN", "[kernels][quantized]") {
  for (const kernels::cpu::KernelTable* table : kernels::cpu::supported_kernels()) {
    INFO(table->name);
    float x[kActivationBlock];
    for (int i = 0; i < kActivationBlock; ++i) x[i] = static_cast<float>(i - 16) * 0.5f;
    ActivationBlock block;
    table->quantize_activations(x, 1, kActivationBlock, &block);
    CHECK(block.scale == Approx(8.0f / 127.0f));
    CHECK(block.q[0] == -127);
    CHECK(block.q[17] == 8);  // 0.5 / (8 / 127) = 7.94 -> 8
    CHECK(block.sum == Approx(-8.0f));
    CHECK(block.half_sums[0] + block.half_sums[1] == [&] {
      int total = 0;
      for (int i = 0; i < kActivationBlock; ++i) total += block.q[i];
      return total;
    }());
    x[5] = std::nanf("");
    table->quantize_activations(x, 1, kActivationBlock, &block);
    CHECK(std::isnan(block.scale));
  }
}
