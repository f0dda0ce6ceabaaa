// Reading files from other writers: unaligned data, odd BOOL bytes, dtypes tensors can't hold,
// and names that aren't there.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>
#include <vector>

#include "io/safetensors_test_support.hpp"
#include "transformers/io/safetensors.hpp"

namespace {

using namespace safetensors_test;
using transformers::DType;
using transformers::FileError;
using transformers::Half;
using transformers::Shape;
using transformers::Tensor;
namespace st = transformers::safetensors;

// Pads the header with spaces until the data buffer starts one byte past a multiple of 8, so every
// multi-byte tensor in it is misaligned (the mapping itself starts on a page boundary).
Bytes misaligned_file(std::string header, const Bytes& data) {
  while ((8 + header.size()) % 8 != 1) header += ' ';
  return safetensors_bytes(header, data);
}

template <typename T>
Bytes bytes_of(const std::vector<T>& values) {
  return Bytes(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T));
}

std::string message_of_get(const st::File& file, const std::string& name) {
  try {
    file.get(name);
  } catch (const FileError& error) {
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("safetensors: unaligned tensors are copied into aligned ones", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("unaligned.safetensors");
  const std::vector<float> floats = {1.5f, -2.0f};
  const std::vector<int64_t> longs = {-3, 1LL << 40};
  const std::vector<Half> halves = {{0x3C00}, {0xC000}};
  const std::vector<uint8_t> bytes = {9, 8, 7};
  write_file(path, misaligned_file(R"({"f":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                                   R"("l":{"dtype":"I64","shape":[2],"data_offsets":[8,24]},)"
                                   R"("h":{"dtype":"F16","shape":[2],"data_offsets":[24,28]},)"
                                   R"("u":{"dtype":"U8","shape":[3],"data_offsets":[28,31]}})",
                                   bytes_of(floats) + bytes_of(longs) + bytes_of(halves) + bytes_of(bytes)));
  auto file = st::File::open(path);

  const Tensor f = file->get("f");
  CHECK(f.storage()->owns_memory());
  CHECK(reinterpret_cast<uintptr_t>(f.data_ptr()) % alignof(float) == 0);
  CHECK(f.to_vector<float>() == floats);
  CHECK(file->get("l").storage()->owns_memory());
  CHECK(file->get("l").to_vector<int64_t>() == longs);
  CHECK(file->get("h").to_vector<float>() == std::vector<float>{1.0f, -2.0f});
  // One-byte elements are never misaligned: still borrowed.
  CHECK_FALSE(file->get("u").storage()->owns_memory());
  CHECK(file->get("u").to_vector<uint8_t>() == bytes);
}

TEST_CASE("safetensors: BOOL bytes other than 0 and 1 read as true", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("bools.safetensors");
  write_file(path, safetensors_bytes(R"({"clean":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]},)"
                                     R"("odd":{"dtype":"BOOL","shape":[4],"data_offsets":[2,6]}})",
                                     Bytes("\x01\x00\x00\x02\xff\x01", 6)));
  auto file = st::File::open(path);
  CHECK_FALSE(file->get("clean").storage()->owns_memory());
  CHECK(file->get("clean").to_vector<bool>() == std::vector<bool>{true, false});
  const Tensor odd = file->get("odd");
  CHECK(odd.storage()->owns_memory());
  std::vector<uint8_t> stored(4);
  std::memcpy(stored.data(), odd.data_ptr(), 4);
  CHECK(stored == std::vector<uint8_t>{0, 1, 1, 1});
}

TEST_CASE("safetensors: dtypes tensors can't hold open fine but get() names tensor and dtype", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("unsupported.safetensors");
  write_file(path, safetensors_bytes(R"({"u64":{"dtype":"U64","shape":[1],"data_offsets":[0,8]},)"
                                     R"("c64":{"dtype":"C64","shape":[1],"data_offsets":[8,16]},)"
                                     R"("u32":{"dtype":"U32","shape":[1],"data_offsets":[16,20]},)"
                                     R"("u16":{"dtype":"U16","shape":[1],"data_offsets":[20,22]},)"
                                     R"("f4":{"dtype":"F4","shape":[2],"data_offsets":[22,23]},)"
                                     R"("e8m0":{"dtype":"F8_E8M0","shape":[1],"data_offsets":[23,24]}})",
                                     zeros(24)));
  auto file = st::File::open(path);
  CHECK(file->names() == std::vector<std::string>{"u64", "c64", "u32", "u16", "f4", "e8m0"});
  CHECK(file->info("f4").dtype == "F4");
  CHECK(file->info("f4").shape == Shape{2});
  for (const auto& [name, dtype] : std::vector<std::pair<std::string, std::string>>{
           {"u64", "U64"}, {"c64", "C64"}, {"u32", "U32"}, {"u16", "U16"}, {"f4", "F4"}, {"e8m0", "F8_E8M0"}}) {
    const std::string message = message_of_get(*file, name);
    INFO(message);
    CHECK(message.rfind(path + ": tensor '" + name + "': dtype " + dtype + " is not supported", 0) == 0);
  }
}

TEST_CASE("safetensors: an unknown tensor name names the file and the tensor", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("one.safetensors");
  st::save(path, {{"present", Tensor::zeros({1}, DType::F32)}});
  auto file = st::File::open(path);
  CHECK_FALSE(file->contains("absent"));
  CHECK(message_of_get(*file, "absent") == path + ": no tensor named 'absent'");
  CHECK_THROWS_AS(file->info("absent"), FileError);
  CHECK(file->path() == path);
}

TEST_CASE("safetensors: info() reports the header entry", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("info.safetensors");
  st::save(path, {{"w", Tensor::zeros({2, 3}, DType::BF16)}, {"b", Tensor::zeros({3}, DType::F32)}});
  auto file = st::File::open(path);
  const st::TensorInfo& w = file->info("w");
  CHECK(w.name == "w");
  CHECK(w.dtype == "BF16");
  CHECK(w.shape == Shape{2, 3});
  CHECK(w.begin == 12);  // after "b": F32 sorts before BF16
  CHECK(w.end == 24);
}
