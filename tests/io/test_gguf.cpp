// The GGUF reader on a file written by gguf.GGUFWriter (scripts/make_gguf_fixtures.py): every
// metadata value type, every tensor type dequantized bit for bit as gguf.quants does, and malformed
// files refused with the field named (truncated anywhere, lying counts and lengths, bad types,
// misaligned or out-of-range tensors).
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "transformers/io/gguf.hpp"
#include "transformers/io/safetensors.hpp"

using namespace transformers;
namespace fs = std::filesystem;

namespace {

const fs::path kFixtures = fs::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "gguf";

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Writes `bytes` to a temporary file and returns the error opening it gives ("" when none).
std::string open_error(const std::string& bytes) {
  const fs::path path = fs::temp_directory_path() / ("transformers_gguf_" + std::to_string(::getpid()) + ".gguf");
  std::ofstream(path, std::ios::binary) << bytes;
  std::string error;
  try {
    auto file = gguf::File::open(path.string());
    for (const auto& t : file->tensors()) file->get(t.name);
  } catch (const FileError& e) {
    error = e.what();
  }
  fs::remove(path);
  return error;
}

template <typename T>
void put(std::string& bytes, size_t at, T value) {
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

// The byte offset just after the header's fixed fields (magic, version, counts).
constexpr size_t kAfterCounts = 4 + 4 + 8 + 8;

}  // namespace

TEST_CASE("gguf metadata of every value type reads as written", "[io][gguf]") {
  auto file = gguf::File::open((kFixtures / "all_types.gguf").string());
  CHECK(file->version() == 3);
  CHECK(file->value("general.architecture") == "test");
  CHECK(file->value("test.u8") == 200);
  CHECK(file->value("test.i8") == -100);
  CHECK(file->value("test.u16") == 60000);
  CHECK(file->value("test.i16") == -30000);
  CHECK(file->value("test.u32") == 4000000000u);
  CHECK(file->value("test.i32") == -2000000000);
  CHECK(file->value("test.u64").get<uint64_t>() == 18000000000000000000ull);
  CHECK(file->value("test.i64").get<int64_t>() == -9000000000000000000ll);
  CHECK(file->value("test.f32").get<double>() == 0.15625);
  CHECK(file->value("test.f64").get<double>() == -2.5e-300);
  CHECK(file->value("test.bool") == true);
  CHECK(file->value("test.string") == "naïve café 🤗");
  CHECK(file->value("test.ints") == nlohmann::json::array({1, -2, 3}));
  CHECK(file->value("test.strings") == nlohmann::json::array({"a", "", "ü"}));
  CHECK(file->value("test.nested") == nlohmann::json::parse("[[1, 2], [3]]"));
  CHECK(file->value("no.such.key").is_null());
}

TEST_CASE("gguf tensors of every type dequantize as gguf.quants does, bit for bit", "[io][gguf]") {
  auto file = gguf::File::open((kFixtures / "all_types.gguf").string());
  auto expected = safetensors::File::open((kFixtures / "expected.safetensors").string());
  REQUIRE(file->tensors().size() == 13);
  for (const gguf::TensorInfo& t : file->tensors()) {
    INFO(t.name << " (" << gguf::type_name(t.type) << ")");
    const Tensor want = expected->get(t.name);
    CHECK(t.shape == want.shape());  // GGUF's dimension order reversed
    const Tensor got = file->get(t.name);
    REQUIRE(got.shape() == want.shape());
    CHECK(std::memcmp(got.contiguous().data_ptr(), want.contiguous().data_ptr(), want.nbytes()) == 0);
    // Other dtypes: the f32 values converted; a stored F16/BF16 tensor in its own dtype is a view of the file.
    CHECK(file->get(t.name, DType::BF16).to_vector<float>() == want.to(DType::BF16).to_vector<float>());
    CHECK(file->get(t.name, DType::F16).to_vector<float>() == want.to(DType::F16).to_vector<float>());
  }
  CHECK_FALSE(file->get("t.BF16", DType::BF16).storage()->owns_memory());
  CHECK_FALSE(file->get("t.F32").storage()->owns_memory());
  CHECK_THROWS_WITH(file->get("missing"), Catch::Contains("no tensor named 'missing'"));
  CHECK_THROWS_AS(file->get("t.F32", DType::I64), InvalidArgument);
}

TEST_CASE("a truncated gguf file is refused wherever it is cut", "[io][gguf][malformed]") {
  const std::string bytes = read_bytes(kFixtures / "all_types.gguf");
  // Every cut before the end of the last tensor's data fails; only the final alignment padding
  // (under 32 bytes) may go.
  size_t first_whole = bytes.size();
  for (size_t length = 0; length < bytes.size(); ++length) {
    const std::string error = open_error(bytes.substr(0, length));
    if (error.empty()) {
      first_whole = std::min(first_whole, length);
      continue;
    }
    INFO("cut at " << length << " of " << bytes.size());
    CHECK(length < first_whole);
    CHECK_THAT(error, Catch::Contains("not a valid GGUF file"));
    if (length > 1200) length += 37;  // the data section: sample it
  }
  CHECK(bytes.size() - first_whole < 32);
}

TEST_CASE("lying gguf fields are refused with the field named", "[io][gguf][malformed]") {
  const std::string good = read_bytes(kFixtures / "all_types.gguf");
  REQUIRE(open_error(good).empty());
  auto with = [&](auto edit) {
    std::string bytes = good;
    edit(bytes);
    return open_error(bytes);
  };
  CHECK_THAT(with([](std::string& b) { b[0] = 'X'; }), Catch::Contains("does not start with \"GGUF\""));
  CHECK_THAT(with([](std::string& b) { put<uint32_t>(b, 4, 7); }), Catch::Contains("version 7"));
  CHECK_THAT(with([](std::string& b) { put<uint64_t>(b, 8, 1ull << 40); }), Catch::Contains("the tensor count"));
  CHECK_THAT(with([](std::string& b) { put<uint64_t>(b, 16, ~0ull); }), Catch::Contains("the metadata count"));
  // The first key's length, then its value type.
  CHECK_THAT(with([](std::string& b) { put<uint64_t>(b, kAfterCounts, 1ull << 62); }),
             Catch::Contains("a metadata key claims"));
  const uint64_t key_length = [&] {
    uint64_t n;
    std::memcpy(&n, good.data() + kAfterCounts, 8);
    return n;
  }();
  CHECK_THAT(with([&](std::string& b) { put<uint32_t>(b, kAfterCounts + 8 + key_length, 99); }),
             Catch::Contains("unknown value type 99"));
  // Tensor table: find the first tensor's entry by its name, then corrupt its fields.
  const size_t name_at = good.find("t.F32");
  REQUIRE(name_at != std::string::npos);
  const size_t dims_at = name_at + 5;
  CHECK_THAT(with([&](std::string& b) { put<uint32_t>(b, dims_at, 5); }), Catch::Contains("has 5 dimensions"));
  CHECK_THAT(with([&](std::string& b) { put<uint64_t>(b, dims_at + 4, 0); }),
             Catch::Contains("impossible dimension 0"));
  CHECK_THAT(with([&](std::string& b) { put<uint64_t>(b, dims_at + 4, 1ull << 40); }),
             Catch::Contains("t.F32") && Catch::Contains("runs past the end"));
  CHECK_THAT(with([&](std::string& b) { put<uint64_t>(b, dims_at + 4, 1ull << 62); }),
             Catch::Contains("t.F32") && Catch::Contains("too large"));
  CHECK_THAT(with([&](std::string& b) { put<uint32_t>(b, dims_at + 4 + 16, 77); }),
             Catch::Contains("type 77, which transformers.cpp does not read"));
  CHECK_THAT(with([&](std::string& b) { put<uint64_t>(b, dims_at + 4 + 16 + 4, 3); }),
             Catch::Contains("not a multiple of the 32-byte alignment"));
  CHECK_THAT(with([&](std::string& b) { put<uint64_t>(b, dims_at + 4 + 16 + 4, 1ull << 40); }),
             Catch::Contains("runs past the end"));
  // Two tensors with one name.
  const size_t second = good.find("t.F16");
  CHECK_THAT(with([&](std::string& b) { b.replace(second, 5, "t.F32"); }), Catch::Contains("appears twice"));
}

namespace {

void put_string(std::string& bytes, const std::string& text) {
  const uint64_t length = text.size();
  bytes.append(reinterpret_cast<const char*>(&length), sizeof length);
  bytes += text;
}

template <typename T>
void append(std::string& bytes, T value) {
  bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// A tensor-less GGUF file whose metadata holds a 300-string array and a 1000-int32 array: long
// enough that the reader checks them at open and converts them on first use.
std::string long_arrays_file() {
  std::string bytes = "GGUF";
  append<uint32_t>(bytes, 3);
  append<uint64_t>(bytes, 0);  // tensors
  append<uint64_t>(bytes, 3);  // metadata entries
  put_string(bytes, "long.strings");
  append<uint32_t>(bytes, 9);  // array
  append<uint32_t>(bytes, 8);  // of strings
  append<uint64_t>(bytes, 300);
  for (int i = 0; i < 300; ++i) put_string(bytes, "token" + std::to_string(i));
  put_string(bytes, "long.ints");
  append<uint32_t>(bytes, 9);
  append<uint32_t>(bytes, 5);  // of int32
  append<uint64_t>(bytes, 1000);
  for (int32_t i = 0; i < 1000; ++i) append<int32_t>(bytes, -i);
  put_string(bytes, "after");
  append<uint32_t>(bytes, 4);  // uint32
  append<uint32_t>(bytes, 7);
  return bytes;
}

}  // namespace

TEST_CASE("long gguf metadata arrays are checked at open and read on first use", "[io][gguf]") {
  const std::string bytes = long_arrays_file();
  const fs::path path = fs::temp_directory_path() / ("transformers_gguf_long_" + std::to_string(::getpid()) + ".gguf");
  std::ofstream(path, std::ios::binary) << bytes;
  {
    auto file = gguf::File::open(path.string());
    CHECK(file->value("after") == 7);  // read past both arrays
    CHECK(file->array_length("long.strings") == 300u);
    CHECK(file->array_length("long.ints") == 1000u);
    CHECK(file->array_length("after") == std::nullopt);
    CHECK(file->array_length("missing") == std::nullopt);
    const nlohmann::json& strings = file->value("long.strings");
    REQUIRE(strings.size() == 300);
    CHECK(strings[0] == "token0");
    CHECK(strings[299] == "token299");
    CHECK(file->metadata().at("long.ints")[999] == -999);
    CHECK(file->metadata().size() == 3);
  }
  fs::remove(path);
  // A string inside the long array that runs past the end is refused at open, by name.
  const std::string cut = bytes.substr(0, bytes.find("token298") + 3);
  CHECK_THAT(open_error(cut), Catch::Contains("metadata 'long.strings' claims"));
  std::string lying = bytes;
  put<uint64_t>(lying, bytes.find("token42") - 8, uint64_t{1} << 40);
  CHECK_THAT(open_error(lying), Catch::Contains("metadata 'long.strings' claims"));
}
