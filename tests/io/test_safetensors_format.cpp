// The bytes save() writes: the reference writer's layout (header order, padding, alignment), and
// no file at all when saving fails.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "io/safetensors_test_support.hpp"
#include "transformers/io/safetensors.hpp"

namespace {

using namespace safetensors_test;
using transformers::DType;
using transformers::FileError;
using transformers::InvalidArgument;
using transformers::Tensor;
namespace st = transformers::safetensors;

uint64_t header_length_of(const Bytes& file) {
  uint64_t length = 0;
  for (int i = 7; i >= 0; --i) length = (length << 8) | static_cast<unsigned char>(file[static_cast<size_t>(i)]);
  return length;
}

}  // namespace

TEST_CASE("safetensors: a small file is written byte for byte as derived by hand", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("small.safetensors");
  st::save(path,
           {{"b", Tensor::from_vector<uint8_t>({1, 2, 3}, {3})}, {"a", Tensor::from_vector<float>({1.0f, -2.0f}, {2})}},
           {{"format", "pt"}});

  // Header: metadata first, then F32 "a" before U8 "b" (wider alignment first), compact JSON:
  //   {"__metadata__":{"format":"pt"},                             32 bytes
  //   "a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},        53 bytes
  //   "b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}}        53 bytes
  // = 138 bytes, padded with 6 spaces to 144 = 0x90.
  const Bytes expected = Bytes("\x90\0\0\0\0\0\0\0", 8) +
                         R"({"__metadata__":{"format":"pt"},)"
                         R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                         R"("b":{"dtype":"U8","shape":[3],"data_offsets":[8,11]}})"
                         "      " +
                         Bytes(
                             "\x00\x00\x80\x3f"  // 1.0f  = 0x3F800000, little-endian
                             "\x00\x00\x00\xc0"  // -2.0f = 0xC0000000
                             "\x01\x02\x03",     // the U8 values
                             11);
  CHECK(read_file(path) == expected);
}

TEST_CASE("safetensors: an empty save is a padded empty header", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("empty.safetensors");
  st::save(path, {});
  CHECK(read_file(path) == Bytes("\x08\0\0\0\0\0\0\0", 8) + "{}      ");
  CHECK(st::File::open(path)->names().empty());
}

TEST_CASE("safetensors: the header is padded with spaces to a multiple of 8 bytes", "[io][safetensors]") {
  TempDir dir;
  // Names of 1..8 characters move the unpadded header length through every remainder mod 8.
  for (size_t name_length = 1; name_length <= 8; ++name_length) {
    const std::string path = dir.file("pad" + std::to_string(name_length) + ".safetensors");
    st::save(path, {{std::string(name_length, 'n'), Tensor::from_vector<float>({1.0f}, {1})}});
    const Bytes file = read_file(path);
    const uint64_t header_length = header_length_of(file);
    INFO("name length " << name_length << ", header length " << header_length);
    CHECK(header_length % 8 == 0);
    const std::string header = file.substr(8, header_length);
    const size_t closing = header.rfind('}');
    CHECK(header.size() - 1 - closing < 8);
    CHECK(header.find_first_not_of(' ', closing + 1) == std::string::npos);
    CHECK(file.size() == 8 + header_length + 4);
  }
}

TEST_CASE("safetensors: tensors are ordered by dtype alignment, then name, and start aligned", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("order.safetensors");
  // Odd element counts: only the ordering keeps later tensors aligned.
  st::save(path, {
                     {"z_bool", Tensor::zeros({3}, DType::Bool)},
                     {"a_u8", Tensor::zeros({3}, DType::U8)},
                     {"m_i8", Tensor::zeros({1}, DType::I8)},
                     {"k_i16", Tensor::zeros({3}, DType::I16)},
                     {"c_f16", Tensor::zeros({3}, DType::F16)},
                     {"b_bf16", Tensor::zeros({3}, DType::BF16)},
                     {"y_i32", Tensor::zeros({3}, DType::I32)},
                     {"x_f32", Tensor::zeros({3}, DType::F32)},
                     {"a_f32", Tensor::zeros({1}, DType::F32)},
                     {"d_f64", Tensor::zeros({3}, DType::F64)},
                     {"e_i64", Tensor::zeros({1}, DType::I64)},
                 });
  // The reference Dtype order, descending: I64 > F64 > F32 > I32 > BF16 > F16 > I16 > I8 > U8 > BOOL.
  const std::vector<std::string> expected = {"e_i64", "d_f64", "a_f32", "x_f32", "y_i32", "b_bf16",
                                             "c_f16", "k_i16", "m_i8",  "a_u8",  "z_bool"};
  auto file = st::File::open(path);
  CHECK(file->names() == expected);

  const Bytes raw = read_file(path);
  const uint64_t data_start = 8 + header_length_of(raw);
  CHECK(data_start % 8 == 0);
  const std::string header = raw.substr(8, data_start - 8);
  size_t previous_position = 0;
  uint64_t expected_begin = 0;
  for (const std::string& name : expected) {
    INFO("tensor " << name);
    // The header lists the tensors in layout order too.
    const size_t position = header.find("\"" + name + "\"");
    CHECK(position > previous_position);
    previous_position = position;
    const Tensor tensor = file->get(name);
    CHECK(file->info(name).begin == expected_begin);
    CHECK((data_start + expected_begin) % transformers::dtype_size(tensor.dtype()) == 0);
    CHECK_FALSE(tensor.storage()->owns_memory());
    expected_begin = file->info(name).end;
  }
  CHECK(header.find("\"__metadata__\"") == std::string::npos);
}

TEST_CASE("safetensors: save() into a missing or read-only folder throws and leaves no file", "[io][safetensors]") {
  TempDir dir;
  const std::vector<std::pair<std::string, Tensor>> tensors = {{"w", Tensor::zeros({2}, DType::F32)}};

  const std::string in_missing_folder = dir.file("missing/model.safetensors");
  try {
    st::save(in_missing_folder, tensors);
    FAIL("saved into a missing folder");
  } catch (const FileError& error) {
    CHECK(std::string(error.what()).rfind(in_missing_folder + ": cannot create ", 0) == 0);
  }
  CHECK(dir.entries().empty());

  // Root ignores permission bits, so the read-only case only means something for other users.
  if (::geteuid() != 0) {
    REQUIRE(::chmod(dir.path().c_str(), 0555) == 0);
    CHECK_THROWS_AS(st::save(dir.file("model.safetensors"), tensors), FileError);
    REQUIRE(::chmod(dir.path().c_str(), 0755) == 0);
    CHECK(dir.entries().empty());
  }
}

TEST_CASE("safetensors: a save that fails after writing removes its temporary file", "[io][safetensors]") {
  TempDir dir;
  // The target is a folder: everything is written, then the final rename fails.
  const std::string target = dir.file("model.safetensors");
  REQUIRE(::mkdir(target.c_str(), 0755) == 0);
  try {
    st::save(target, {{"w", Tensor::zeros({4}, DType::F32)}});
    FAIL("saved over a folder");
  } catch (const FileError& error) {
    CHECK(std::string(error.what()).rfind(target + ": cannot rename ", 0) == 0);
  }
  CHECK(dir.entries() == std::vector<std::string>{"model.safetensors"});
}

TEST_CASE("safetensors: save() refuses names the header can't hold, before creating a file", "[io][safetensors]") {
  TempDir dir;
  const std::string path = dir.file("bad.safetensors");
  const Tensor w = Tensor::zeros({2}, DType::F32);
  struct BadInput {
    const char* what;
    std::vector<std::pair<std::string, Tensor>> tensors;
    const char* expected;
  };
  const std::vector<BadInput> inputs = {
      {"duplicate", {{"w", w}, {"w", w}}, "tensor 'w' is given more than once"},
      {"empty name", {{"", w}}, "a tensor has an empty name"},
      {"reserved name", {{"__metadata__", w}}, "'__metadata__' names the metadata"},
      {"undefined", {{"w", Tensor()}}, "tensor 'w' is undefined"},
      {"bad UTF-8", {{"w\xff", w}}, "a tensor name is not valid UTF-8"},
  };
  for (const BadInput& input : inputs) {
    INFO(input.what);
    try {
      st::save(path, input.tensors);
      FAIL_CHECK("saved");
    } catch (const InvalidArgument& error) {
      CHECK(std::string(error.what()).rfind(path + ": cannot save: ", 0) == 0);
      CHECK(std::string(error.what()).find(input.expected) != std::string::npos);
    }
  }
  CHECK_THROWS_AS(st::save(path, {{"w", w}}, {{"format", "\xc0"}}), InvalidArgument);
  CHECK(dir.entries().empty());
}
