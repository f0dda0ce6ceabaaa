// F8_E4M3 (e4m3fn) and F8_E5M2 tensors are decoded to f32 exactly, checked against values worked
// out by hand and against a slow decoder written straight from the format definitions.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "io/safetensors_test_support.hpp"
#include "transformers/io/safetensors.hpp"

namespace {

using namespace safetensors_test;
using transformers::DType;
using transformers::Shape;
using transformers::Tensor;
namespace st = transformers::safetensors;

struct Format {
  int exponent_bits, mantissa_bits, bias;
  bool has_infinity;  // e5m2 is IEEE-like; e4m3fn has no infinity and a single NaN pattern
};

constexpr Format kE4M3{4, 3, 7, false};
constexpr Format kE5M2{5, 2, 15, true};

// (-1)^s * 2^(e - bias) * (1 + m / 2^M), or 2^(1 - bias) * (m / 2^M) when e == 0.
double reference_decode(uint8_t bits, Format format) {
  const bool negative = bits & 0x80;
  const int mantissa = bits & ((1 << format.mantissa_bits) - 1);
  const int exponent = (bits >> format.mantissa_bits) & ((1 << format.exponent_bits) - 1);
  const int top_exponent = (1 << format.exponent_bits) - 1;
  double magnitude;
  if (format.has_infinity && exponent == top_exponent) {
    magnitude = mantissa == 0 ? INFINITY : NAN;
  } else if (!format.has_infinity && exponent == top_exponent && mantissa == (1 << format.mantissa_bits) - 1) {
    magnitude = NAN;
  } else if (exponent == 0) {
    magnitude = std::ldexp(mantissa, 1 - format.bias - format.mantissa_bits);
  } else {
    magnitude = std::ldexp((1 << format.mantissa_bits) + mantissa, exponent - format.bias - format.mantissa_bits);
  }
  return negative ? -magnitude : magnitude;
}

// A file holding all 256 codes of both formats, read back as f32.
std::pair<std::vector<float>, std::vector<float>> decode_all_codes(const TempDir& dir) {
  Bytes codes;
  for (int code = 0; code < 256; ++code) codes.push_back(static_cast<char>(code));
  const std::string path = dir.file("f8.safetensors");
  write_file(path, safetensors_bytes(R"({"e4m3":{"dtype":"F8_E4M3","shape":[16,16],"data_offsets":[0,256]},)"
                                     R"("e5m2":{"dtype":"F8_E5M2","shape":[256],"data_offsets":[256,512]}})",
                                     codes + codes));
  auto file = st::File::open(path);
  const Tensor e4m3 = file->get("e4m3");
  const Tensor e5m2 = file->get("e5m2");
  CHECK(e4m3.dtype() == DType::F32);
  CHECK(e4m3.shape() == Shape{16, 16});
  CHECK(e4m3.storage()->owns_memory());
  CHECK(e5m2.shape() == Shape{256});
  return {e4m3.to_vector<float>(), e5m2.to_vector<float>()};
}

bool same_value(float actual, double expected) {
  if (std::isnan(expected)) return std::isnan(actual);
  return static_cast<double>(actual) == expected && std::signbit(actual) == std::signbit(expected);
}

}  // namespace

TEST_CASE("safetensors: F8_E4M3 decodes to hand-derived values", "[io][safetensors][float8]") {
  TempDir dir;
  const std::vector<float> e4m3 = decode_all_codes(dir).first;
  CHECK(e4m3[0x00] == 0.0f);
  CHECK_FALSE(std::signbit(e4m3[0x00]));
  CHECK(e4m3[0x80] == 0.0f);
  CHECK(std::signbit(e4m3[0x80]));                   // -0
  CHECK(e4m3[0x01] == std::ldexp(1.0f, -9));         // smallest subnormal: 1/8 * 2^-6
  CHECK(e4m3[0x07] == 7.0f * std::ldexp(1.0f, -9));  // largest subnormal
  CHECK(e4m3[0x08] == std::ldexp(1.0f, -6));         // smallest normal
  CHECK(e4m3[0x38] == 1.0f);                         // exponent 7 = bias
  CHECK(e4m3[0x3C] == 1.5f);
  CHECK(e4m3[0xC0] == -2.0f);
  CHECK(e4m3[0x77] == 240.0f);  // 1.875 * 2^7
  CHECK(e4m3[0x78] == 256.0f);  // exponent 15 is finite in e4m3fn
  CHECK(e4m3[0x7E] == 448.0f);  // largest finite: 1.75 * 2^8
  CHECK(e4m3[0xFE] == -448.0f);
  CHECK(std::isnan(e4m3[0x7F]));  // S.1111.111 is the only NaN
  CHECK(std::isnan(e4m3[0xFF]));
  for (int code = 0; code < 256; ++code)
    if ((code & 0x7F) != 0x7F) CHECK(std::isfinite(e4m3[code]));
}

TEST_CASE("safetensors: F8_E5M2 decodes to hand-derived values", "[io][safetensors][float8]") {
  TempDir dir;
  const std::vector<float> e5m2 = decode_all_codes(dir).second;
  CHECK(e5m2[0x00] == 0.0f);
  CHECK(std::signbit(e5m2[0x80]));
  CHECK(e5m2[0x01] == std::ldexp(1.0f, -16));         // smallest subnormal: 1/4 * 2^-14
  CHECK(e5m2[0x03] == 3.0f * std::ldexp(1.0f, -16));  // largest subnormal
  CHECK(e5m2[0x04] == std::ldexp(1.0f, -14));         // smallest normal
  CHECK(e5m2[0x3C] == 1.0f);
  CHECK(e5m2[0xBE] == -1.5f);
  CHECK(e5m2[0x7B] == 57344.0f);  // largest finite: 1.75 * 2^15
  CHECK(e5m2[0x7C] == INFINITY);
  CHECK(e5m2[0xFC] == -INFINITY);
  CHECK(std::isnan(e5m2[0x7D]));
  CHECK(std::isnan(e5m2[0x7E]));
  CHECK(std::isnan(e5m2[0xFF]));
}

TEST_CASE("safetensors: all 256 codes of both F8 formats match the format definitions", "[io][safetensors][float8]") {
  TempDir dir;
  const auto [e4m3, e5m2] = decode_all_codes(dir);
  for (int code = 0; code < 256; ++code) {
    INFO("code " << code);
    CHECK(same_value(e4m3[code], reference_decode(static_cast<uint8_t>(code), kE4M3)));
    CHECK(same_value(e5m2[code], reference_decode(static_cast<uint8_t>(code), kE5M2)));
  }
}
