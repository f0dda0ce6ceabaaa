// save() then File::open()/get(): every dtype, odd shapes and layouts come back bit for bit, and
// reading borrows the mapped bytes instead of copying them.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "io/safetensors_test_support.hpp"
#include "transformers/io/safetensors.hpp"

namespace {

using namespace safetensors_test;
using transformers::BFloat16;
using transformers::DType;
using transformers::Half;
using transformers::Shape;
using transformers::Tensor;
namespace st = transformers::safetensors;

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// The logical (row-major) bytes of a tensor, whatever its layout.
Bytes raw_bytes(const Tensor& tensor) {
  const Tensor dense = tensor.contiguous();
  return Bytes(static_cast<const char*>(dense.data_ptr()), dense.nbytes());
}

NamedTensors one_tensor_of_each_dtype() {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  return {
      {"f32", Tensor::from_vector<float>({1.5f, -2.25f, -0.0f, 1e-40f, inf, nan}, {2, 3})},
      {"f16", Tensor::from_vector<Half>({{0x3C00}, {0xC000}, {0x8000}, {0x0001}, {0x7C00}, {0x7E00}}, {3, 2})},
      {"bf16", Tensor::from_vector<BFloat16>({{0x3F80}, {0xC000}, {0x0001}, {0x7F80}, {0xFFC0}}, {5})},
      {"f64", Tensor::from_vector<double>({3.141592653589793, -1e300, 5e-324}, {3, 1})},
      {"i64", Tensor::from_vector<int64_t>(
                  {std::numeric_limits<int64_t>::min(), -1, 0, 1, std::numeric_limits<int64_t>::max()}, {5})},
      {"i32", Tensor::from_vector<int32_t>(
                  {std::numeric_limits<int32_t>::min(), -7, 7, std::numeric_limits<int32_t>::max()}, {2, 2})},
      {"i16", Tensor::from_vector<int16_t>({-32768, -1, 0, 32767}, {4})},
      {"i8", Tensor::from_vector<int8_t>({-128, -1, 0, 127}, {1, 4})},
      {"u8", Tensor::from_vector<uint8_t>({0, 1, 128, 255, 7}, {5})},
      {"bool", Tensor::from_vector<bool>({true, false, false, true, true}, {5, 1})},
  };
}

void check_same(const Tensor& loaded, const Tensor& original) {
  CHECK(loaded.dtype() == original.dtype());
  CHECK(loaded.shape() == original.shape());
  CHECK(loaded.is_contiguous());
  CHECK(raw_bytes(loaded) == raw_bytes(original));
}

void check_round_trip(const TempDir& dir, const NamedTensors& tensors) {
  const std::string path = dir.file("round_trip.safetensors");
  st::save(path, tensors);
  auto file = st::File::open(path);
  CHECK(file->names().size() == tensors.size());
  for (const auto& [name, original] : tensors) {
    INFO("tensor " << name << " " << original.describe());
    REQUIRE(file->contains(name));
    check_same(file->get(name), original);
  }
}

}  // namespace

TEST_CASE("safetensors: every tensor dtype survives a round trip bit for bit", "[io][safetensors]") {
  TempDir dir;
  check_round_trip(dir, one_tensor_of_each_dtype());
}

TEST_CASE("safetensors: scalars and empty tensors survive a round trip", "[io][safetensors]") {
  TempDir dir;
  check_round_trip(dir, {
                            {"scalar_f32", Tensor::from_vector<float>({2.5f}, {})},
                            {"scalar_i64", Tensor::from_vector<int64_t>({-9}, {})},
                            {"scalar_bool", Tensor::from_vector<bool>({true}, {})},
                            {"empty_1d", Tensor::empty({0}, DType::F32)},
                            {"empty_middle", Tensor::empty({2, 0, 3}, DType::BF16)},
                            {"empty_last", Tensor::empty({4, 0}, DType::I8)},
                        });
  auto file = st::File::open(dir.file("round_trip.safetensors"));
  CHECK(file->info("scalar_f32").shape.empty());
  CHECK(file->info("empty_middle").begin == file->info("empty_middle").end);
  CHECK(file->get("scalar_f32").item() == 2.5);
}

TEST_CASE("safetensors: non-contiguous tensors are saved in logical order", "[io][safetensors]") {
  TempDir dir;
  std::vector<float> values(12);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
  const Tensor base = Tensor::from_vector<float>(values, {3, 4});
  const Tensor transposed = base.transpose(0, 1);
  const Tensor strided = base.slice(1, 0, 4, 2);
  const Tensor broadcast = Tensor::from_vector<float>({1, 2, 3}, {1, 3}).expand({2, 3});
  const Tensor offset_row = base.select(0, 2);
  REQUIRE_FALSE(transposed.is_contiguous());
  REQUIRE_FALSE(strided.is_contiguous());
  REQUIRE_FALSE(broadcast.is_contiguous());

  const std::string path = dir.file("views.safetensors");
  st::save(path, {{"transposed", transposed}, {"strided", strided}, {"broadcast", broadcast}, {"row", offset_row}});
  auto file = st::File::open(path);
  CHECK(file->get("transposed").to_vector<float>() == std::vector<float>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  CHECK(file->get("strided").to_vector<float>() == std::vector<float>{0, 2, 4, 6, 8, 10});
  CHECK(file->get("broadcast").to_vector<float>() == std::vector<float>{1, 2, 3, 1, 2, 3});
  CHECK(file->get("row").to_vector<float>() == std::vector<float>{8, 9, 10, 11});
  CHECK(file->get("transposed").shape() == Shape{4, 3});
}

TEST_CASE("safetensors: metadata survives a round trip", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("meta.safetensors");
  const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "caf\xc3\xa9 \"quoted\"\n\ttab"}};
  st::save(path, {{"x", Tensor::from_vector<float>({1.0f}, {1})}}, metadata);
  CHECK(st::File::open(path)->metadata() == metadata);
}

TEST_CASE("safetensors: get() borrows the mapped bytes without copying", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("zero_copy.safetensors");
  st::save(path, one_tensor_of_each_dtype());
  auto file = st::File::open(path);
  for (const std::string& name : file->names()) {
    INFO("tensor " << name);
    const Tensor first = file->get(name);
    CHECK_FALSE(first.storage()->owns_memory());
    CHECK(first.storage()->nbytes() == first.nbytes());
    // A second get() sees the very same bytes: nothing was copied.
    CHECK(file->get(name).data_ptr() == first.data_ptr());
  }
  // The tensors sit in one mapping at the distances their offsets give.
  const auto& f32 = file->info("f32");
  const auto& u8 = file->info("u8");
  const auto* f32_data = static_cast<const char*>(file->get("f32").data_ptr());
  const auto* u8_data = static_cast<const char*>(file->get("u8").data_ptr());
  CHECK(u8_data - f32_data == static_cast<std::ptrdiff_t>(u8.begin) - static_cast<std::ptrdiff_t>(f32.begin));
}

TEST_CASE("safetensors: a tensor outlives its File and the file's name", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("outlive.safetensors");
  st::save(path, {{"w", Tensor::from_vector<float>({1, 2, 3, 4}, {2, 2})}});
  Tensor kept = st::File::open(path)->get("w");  // the File is gone after this line
  REQUIRE(::unlink(path.c_str()) == 0);
  CHECK_FALSE(kept.storage()->owns_memory());
  CHECK(kept.to_vector<float>() == std::vector<float>{1, 2, 3, 4});
}

TEST_CASE("safetensors: saving over a mapped file leaves its readers intact", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("replace.safetensors");
  st::save(path, {{"w", Tensor::from_vector<float>({1, 2}, {2})}});
  auto old_file = st::File::open(path);
  const Tensor old_tensor = old_file->get("w");
  st::save(path, {{"w", Tensor::from_vector<float>({7, 8, 9}, {3})}});
  CHECK(old_tensor.to_vector<float>() == std::vector<float>{1, 2});
  CHECK(old_file->get("w").to_vector<float>() == std::vector<float>{1, 2});
  CHECK(st::File::open(path)->get("w").to_vector<float>() == std::vector<float>{7, 8, 9});
}
