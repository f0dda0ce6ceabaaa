// PyTorch checkpoints (pytorch_model.bin) read by the restricted unpickler: every dtype and view
// torch.save writes, in the zip, protocol-4, legacy and big-endian forms, equal to the tensors
// torch itself saved (scripts/make_pytorch_fixtures.py); pickles that would run code refused by
// name with nothing run; truncated and corrupted files refused with a FileError, never a crash.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "safetensors_test_support.hpp"
#include "transformers/io/pytorch_checkpoint.hpp"

using namespace transformers;
using namespace safetensors_test;

namespace {

const std::filesystem::path kFixtures = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "pytorch";
constexpr const char* kMarker = "/tmp/transformers-cpp-pickle-ran";

Bytes read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

bool same_tensor(const Tensor& got, const Tensor& expected) {
  if (got.dtype() != expected.dtype() || got.shape() != expected.shape()) return false;
  const Tensor a = got.contiguous(), b = expected.contiguous();
  return std::memcmp(a.data_ptr(), b.data_ptr(), static_cast<size_t>(a.numel()) * dtype_size(a.dtype())) == 0;
}

// Opening `bytes` (written to a file) either works, and then every tensor can be read, or throws a
// FileError; anything else (another exception, a crash under the sanitizers) fails the test.
bool opens_or_refuses(const TempDir& dir, const Bytes& bytes) {
  const std::string path = dir.file("pytorch_model.bin");
  write_file(path, bytes);
  try {
    auto source = pytorch::open_checkpoint(path);
    for (const std::string& name : source->names()) source->get(name, DType::F32).contiguous();
    return true;
  } catch (const FileError&) {
    return false;
  }
}

}  // namespace

TEST_CASE("pytorch: every dtype and view of a torch.save state dict, in each format", "[io][pytorch]") {
  auto expected = safetensors::File::open((kFixtures / "dtypes.expected.safetensors").string());
  for (const char* file : {"dtypes.bin", "dtypes_protocol4.bin", "dtypes_legacy.bin", "dtypes_big_endian.bin"}) {
    INFO(file);
    auto source = pytorch::open_checkpoint((kFixtures / file).string());
    std::vector<std::string> names = expected->names();
    std::sort(names.begin(), names.end());
    REQUIRE(source->names() == names);
    for (const std::string& name : names) {
      INFO(name);
      CHECK(same_tensor(source->get(name, DType::F32), expected->get(name)));
    }
    CHECK(source->stored_dtype("bf16") == DType::BF16);
    CHECK(source->stored_dtype("i64") == std::nullopt);
    CHECK_THROWS_WITH(source->get("missing", DType::F32), Catch::Contains("no tensor named 'missing'"));
  }
}

TEST_CASE("pytorch: pickles that would run code are refused by name and nothing runs", "[io][pytorch]") {
  std::filesystem::remove(kMarker);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"os_system_protocol2", "'posix.system'"},
      {"os_system_protocol4", "'posix.system'"},
      {"eval", "'__builtin__.eval'"},  // protocol 2 writes Python 3's builtins by their Python 2 name
      {"exec_top_level", "'__builtin__.exec'"},
      {"nested_getattr", "'builtins.getattr'"},
      {"inst_opcode", "INST"},
      {"obj_opcode", "'os.system'"},
      {"newobj_opcode", "'subprocess.Popen'"},
      {"storage_type_is_system", "'os.system'"},
      {"load_from_bytes", "'torch.storage._load_from_bytes'"},
      {"reduce_of_builtin_in_memo", "'builtins.eval'"},
      {"memo_abuse", "memo entry 5 was never stored"},
      {"cyclic_list", "value for 'w' is not a tensor"},
  };
  size_t seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures / "malicious"))
    seen += entry.path().extension() == ".bin";
  REQUIRE(seen == cases.size());  // a new fixture needs its line here
  for (const auto& [name, why] : cases) {
    INFO(name);
    const std::string path = (kFixtures / "malicious" / (name + ".bin")).string();
    CHECK_THROWS_AS(pytorch::open_checkpoint(path), FileError);
    CHECK_THROWS_WITH(pytorch::open_checkpoint(path), Catch::Contains(path) && Catch::Contains(why));
  }
  CHECK_FALSE(std::filesystem::exists(kMarker));
}

TEST_CASE("pytorch: a truncated checkpoint is a FileError at every length", "[io][pytorch][malformed]") {
  TempDir dir;
  for (const char* file : {"dtypes.bin", "dtypes_legacy.bin"}) {
    INFO(file);
    const Bytes whole = read_bytes(kFixtures / file);
    for (size_t length = 0; length < whole.size(); length += length + 64 < whole.size() ? 5 : 1) {
      INFO(length);
      CHECK_FALSE(opens_or_refuses(dir, Bytes(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(length))));
    }
    CHECK(opens_or_refuses(dir, whole));
  }
}

TEST_CASE("pytorch: corrupted bytes give a checkpoint or a FileError, never a crash", "[io][pytorch][malformed]") {
  TempDir dir;
  std::mt19937 random(7);
  for (const char* file : {"dtypes.bin", "dtypes_legacy.bin", "dtypes_protocol4.bin"}) {
    const Bytes whole = read_bytes(kFixtures / file);
    for (int trial = 0; trial < 400; ++trial) {
      Bytes corrupted = whole;
      for (int flip = 0; flip < 1 + trial % 3; ++flip)
        corrupted[random() % corrupted.size()] = static_cast<char>(random() % 256);
      opens_or_refuses(dir, corrupted);
    }
  }
}

TEST_CASE("pytorch: named errors for a folder without weights and an index's missing shard", "[io][pytorch]") {
  TempDir dir;
  CHECK_THROWS_WITH(pytorch::open_checkpoint(dir.path().string()),
                    Catch::Contains("neither pytorch_model.bin nor pytorch_model.bin.index.json"));
  CHECK_THROWS_WITH(open_weights(dir.path().string()), Catch::Contains("folder holds no weights"));
  std::ofstream(dir.file("pytorch_model.bin.index.json")) << R"({"weight_map": {"w": "pytorch_model-1.bin"}})";
  CHECK_THROWS_WITH(pytorch::open_checkpoint(dir.path().string()),
                    Catch::Contains("shard 'pytorch_model-1.bin'") && Catch::Contains("is missing"));
  std::ofstream(dir.file("pytorch_model.bin.index.json")) << R"({"weight_map": {"w": "../outside.bin"}})";
  CHECK_THROWS_AS(pytorch::open_checkpoint(dir.path().string()), FileError);
  write_file(dir.file("pytorch_model.bin"), Bytes{'n', 'o', 't'});
  CHECK_THROWS_WITH(pytorch::open_checkpoint(dir.file("pytorch_model.bin")),
                    Catch::Contains("neither torch.save's zip format nor its legacy pickle format"));
}

TEST_CASE("pytorch: a folder with both formats loads safetensors, as transformers does", "[io][pytorch]") {
  TempDir dir;
  write_file(dir.file("pytorch_model.bin"), Bytes{'n', 'o', 't'});  // never opened
  const auto tiny_bert = std::filesystem::path(TRANSFORMERS_TEST_DATA) / "fixtures" / "models" / "tiny-bert";
  std::filesystem::copy_file(tiny_bert / "model.safetensors", dir.file("model.safetensors"));
  CHECK_FALSE(open_weights(dir.path().string())->names().empty());
  std::filesystem::remove(dir.file("model.safetensors"));
  CHECK_THROWS_AS(open_weights(dir.path().string()), FileError);  // now the .bin is read, and refused
}
