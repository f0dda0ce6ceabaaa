// Every way a safetensors file can be malformed that the reference reader (or the format) rejects:
// each case is spelled out byte by byte, and must fail with a FileError that starts with the
// file's path and says what is wrong. Checked once against the reference reader (safetensors
// 0.8.0), which rejects every case here except four where this reader is stricter on purpose:
// duplicate_name and duplicate_metadata_key (serde keeps the last duplicate), extra_key (serde
// ignores unknown fields) and shape_entry_past_int64 (a usize there, an int64 dimension here).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "io/safetensors_test_support.hpp"
#include "transformers/io/safetensors.hpp"

namespace {

using namespace safetensors_test;
using transformers::FileError;
using transformers::safetensors::Checkpoint;
using transformers::safetensors::File;

struct MalformedCase {
  const char* name;
  Bytes bytes;
  const char* expected;  // a fragment of the message
};

// One valid entry, for cases that break something else.
const std::string kEntryA = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

Bytes with_entry_a(const std::string& entry_a) { return safetensors_bytes("{\"a\":" + entry_a + "}", zeros(8)); }

std::vector<MalformedCase> prelude_cases() {
  return {
      {"empty_file", "", "file is 0 bytes, too small to hold the 8-byte header length"},
      {"too_small", Bytes("\x01\x02\x03", 3), "file is 3 bytes, too small"},
      {"header_too_large", u64_le(100'000'001) + "{}", "header length 100000001 exceeds the limit of 100000000 bytes"},
      {"header_length_max_u64", u64_le(UINT64_MAX) + "{}", "header length 18446744073709551615 exceeds the limit"},
      {"header_past_eof", u64_le(100) + "{}", "header length 100 runs past the end of the file (10 bytes)"},
      {"header_one_past_eof", u64_le(3) + "{}", "header length 3 runs past the end of the file (10 bytes)"},
  };
}

std::vector<MalformedCase> text_cases() {
  return {
      {"bad_utf8", safetensors_bytes("{\"a\xff\":{}}"), "header is not valid UTF-8 (at header byte 3)"},
      {"overlong_utf8", safetensors_bytes("{\"\xc0\xaf\":{}}"), "header is not valid UTF-8 (at header byte 2)"},
      {"surrogate_utf8", safetensors_bytes("{\"\xed\xa0\x80\":{}}"), "header is not valid UTF-8 (at header byte 2)"},
      {"truncated_utf8", safetensors_bytes("{}\xe2\x82"), "header is not valid UTF-8 (at header byte 2)"},
      {"beyond_unicode_utf8", safetensors_bytes("{\"\xf4\x90\x80\x80\":{}}"), "not valid UTF-8 (at header byte 2)"},
      {"not_json", safetensors_bytes("{\"a\":"), "header is not valid JSON"},
      {"empty_header", safetensors_bytes(""), "header is not valid JSON"},
      {"nul_padding", safetensors_bytes(Bytes("{}\0\0", 4)), "header is not valid JSON: NUL byte at header byte 2"},
      {"garbage_after_nul", safetensors_bytes(Bytes("{}\0[garbage", 11)), "header is not valid JSON: NUL byte"},
      {"nul_in_string", safetensors_bytes(Bytes("{\"a\0\":{}}", 9)),
       "header is not valid JSON: NUL byte at header byte 3"},
      {"json_comment", safetensors_bytes("{/* no */}"), "header is not valid JSON"},
      {"trailing_garbage", safetensors_bytes("{} x"), "header is not valid JSON"},
      {"json_array", safetensors_bytes("[]"), "header is a JSON array, not an object"},
      {"json_number", safetensors_bytes("42"), "header is a JSON number, not an object"},
      {"json_null", safetensors_bytes("null"), "header is a JSON null, not an object"},
  };
}

std::vector<MalformedCase> entry_cases() {
  return {
      {"entry_not_object", safetensors_bytes(R"({"a":5})"), "tensor 'a': entry is 5, not an object"},
      {"missing_dtype", with_entry_a(R"({"shape":[2],"data_offsets":[0,8]})"), "tensor 'a': missing key \"dtype\""},
      {"missing_shape", with_entry_a(R"({"dtype":"F32","data_offsets":[0,8]})"), "tensor 'a': missing key \"shape\""},
      {"missing_data_offsets", with_entry_a(R"({"dtype":"F32","shape":[2]})"),
       "tensor 'a': missing key \"data_offsets\""},
      {"extra_key", with_entry_a(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8],"offsets":[0,8]})"),
       "tensor 'a': unexpected key 'offsets'"},
      {"unknown_dtype", with_entry_a(R"({"dtype":"F33","shape":[2],"data_offsets":[0,8]})"),
       "tensor 'a': unknown dtype \"F33\""},
      {"lowercase_dtype", with_entry_a(R"({"dtype":"f32","shape":[2],"data_offsets":[0,8]})"),
       "tensor 'a': unknown dtype \"f32\""},
      {"dtype_not_string", with_entry_a(R"({"dtype":32,"shape":[2],"data_offsets":[0,8]})"),
       "tensor 'a': dtype must be a string, found 32"},
      {"negative_shape", with_entry_a(R"({"dtype":"F32","shape":[-1],"data_offsets":[0,8]})"),
       "tensor 'a': shape entry -1 is not a non-negative integer"},
      {"float_shape", with_entry_a(R"({"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})"),
       "tensor 'a': shape entry 2.0 is not a non-negative integer"},
      {"string_shape_entry", with_entry_a(R"({"dtype":"F32","shape":["2"],"data_offsets":[0,8]})"),
       "tensor 'a': shape entry \"2\" is not a non-negative integer"},
      {"shape_not_array", with_entry_a(R"({"dtype":"F32","shape":2,"data_offsets":[0,8]})"),
       "tensor 'a': shape must be an array of non-negative integers, found 2"},
      {"shape_entry_past_int64",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[9223372036854775808,0],"data_offsets":[0,0]}})"),
       "tensor 'a': shape entry 9223372036854775808 is too large"},
      {"shape_entry_past_uint64",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[18446744073709551616],"data_offsets":[0,0]}})"),
       "tensor 'a': shape entry 1.8446744073709552e+19 is not a non-negative integer"},
      {"numel_overflow",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}})"),
       "tensor 'a': shape [4294967296, 4294967296, 0] has an element count that overflows 64 bits"},
      {"bit_size_overflow",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2305843009213693952],"data_offsets":[0,0]}})"),
       "tensor 'a': shape [2305843009213693952] of F32 has a size in bits that overflows 64 bits"},
      {"offsets_one_number", with_entry_a(R"({"dtype":"F32","shape":[2],"data_offsets":[0]})"),
       "tensor 'a': data_offsets must be [begin, end] with non-negative integers, found [0]"},
      {"offsets_three_numbers", with_entry_a(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8,8]})"),
       "tensor 'a': data_offsets must be [begin, end]"},
      {"offsets_negative", with_entry_a(R"({"dtype":"F32","shape":[2],"data_offsets":[-8,0]})"),
       "tensor 'a': data_offsets must be [begin, end] with non-negative integers, found [-8,0]"},
      {"offsets_not_array", with_entry_a(R"({"dtype":"F32","shape":[2],"data_offsets":"0-8"})"),
       "tensor 'a': data_offsets must be [begin, end]"},
      {"begin_after_end", with_entry_a(R"({"dtype":"F32","shape":[2],"data_offsets":[8,0]})"),
       "tensor 'a': data_offsets [8, 0] end before they begin"},
      {"wrong_byte_size",
       safetensors_bytes(R"({"bert.pooler.dense.weight":{"dtype":"F32","shape":[3,4],"data_offsets":[0,40]}})",
                         zeros(40)),
       "tensor 'bert.pooler.dense.weight': data_offsets [0, 40] hold 40 bytes but shape [3, 4] of F32 needs 48"},
      {"sub_byte_misaligned", safetensors_bytes(R"({"a":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}})", zeros(2)),
       "tensor 'a': shape [3] of F4 is 12 bits, not a whole number of bytes"},
      {"six_bit_misaligned",
       safetensors_bytes(R"({"a":{"dtype":"F6_E2M3","shape":[2,1],"data_offsets":[0,2]}})", zeros(2)),
       "tensor 'a': shape [2, 1] of F6_E2M3 is 12 bits, not a whole number of bytes"},
  };
}

std::vector<MalformedCase> layout_cases() {
  const std::string entry_b_4_12 = R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]})";
  const std::string entry_b_12_20 = R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]})";
  return {
      {"not_starting_at_zero",
       safetensors_bytes(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", zeros(12)),
       "tensor 'a': data_offsets [4, 12] do not start at 0"},
      {"overlapping", safetensors_bytes("{" + kEntryA + "," + entry_b_4_12 + "}", zeros(12)),
       "tensor 'b': data_offsets [4, 12] overlap tensor 'a', which ends at 8"},
      {"gap", safetensors_bytes("{" + kEntryA + "," + entry_b_12_20 + "}", zeros(20)),
       "tensor 'b': data_offsets [12, 20] leave a gap of 4 bytes after tensor 'a', which ends at 8"},
      {"empty_tensor_inside_another",
       safetensors_bytes("{" + kEntryA + R"(,"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})", zeros(8)),
       "tensor 'e': data_offsets [4, 4] overlap tensor 'a', which ends at 8"},
      {"trailing_bytes", safetensors_bytes("{" + kEntryA + "}", zeros(12)),
       "4 trailing bytes after the last tensor's data"},
      {"data_without_tensors", safetensors_bytes("{}", zeros(8)), "8 trailing bytes after the last tensor's data"},
      {"short_data", safetensors_bytes("{" + kEntryA + "}", zeros(5)),
       "tensor 'a': data_offsets [0, 8] run past the data buffer, which holds only 5 bytes"},
      {"offsets_past_u64_end",
       safetensors_bytes(
           R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[18446744073709551614,18446744073709551615]}})", zeros(1)),
       "tensor 'a': data_offsets [18446744073709551614, 18446744073709551615] do not start at 0"},
  };
}

std::vector<MalformedCase> key_cases() {
  return {
      {"duplicate_name", safetensors_bytes("{" + kEntryA + "," + kEntryA + "}", zeros(8)),
       "'a' appears more than once in the header"},
      {"duplicate_key_in_entry", with_entry_a(R"({"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]})"),
       "duplicate key 'dtype' in the header"},
      {"duplicate_metadata", safetensors_bytes(R"({"__metadata__":{},"__metadata__":{}})"),
       "'__metadata__' appears more than once in the header"},
      {"duplicate_metadata_key", safetensors_bytes(R"({"__metadata__":{"format":"pt","format":"tf"}})"),
       "duplicate key 'format' in the header"},
      {"metadata_value_not_string", safetensors_bytes(R"({"__metadata__":{"format":1}})"),
       "__metadata__ value for 'format' must be a string, found 1"},
      {"metadata_value_null", safetensors_bytes(R"({"__metadata__":{"format":null}})"),
       "__metadata__ value for 'format' must be a string, found null"},
      {"metadata_value_object", safetensors_bytes(R"({"__metadata__":{"a":{"b":"c"}}})"),
       "__metadata__ value for 'a' must be a string, found {\"b\":\"c\"}"},
      {"metadata_not_object", safetensors_bytes(R"({"__metadata__":"pt"})"),
       "__metadata__ must be an object of strings, found \"pt\""},
      {"metadata_array", safetensors_bytes(R"({"__metadata__":["pt"]})"), "__metadata__ must be an object of strings"},
  };
}

std::vector<MalformedCase> malformed_corpus() {
  std::vector<MalformedCase> all;
  for (auto group : {prelude_cases(), text_cases(), entry_cases(), layout_cases(), key_cases()})
    all.insert(all.end(), group.begin(), group.end());
  return all;
}

// The FileError message from opening `path`, or "" (with a test failure) when something else happens.
template <typename Open>
std::string open_error(const std::string& path, Open open) {
  try {
    open(path);
    FAIL_CHECK("opened without an error");
  } catch (const FileError& error) {
    return error.what();
  } catch (const std::exception& other) {
    FAIL_CHECK("threw something other than FileError: " << other.what());
  }
  return "";
}

}  // namespace

TEST_CASE("safetensors: every malformed file is refused with its path and the problem", "[io][safetensors]") {
  TempDir dir;
  const std::vector<MalformedCase> corpus = malformed_corpus();
  REQUIRE(corpus.size() >= 25);
  std::set<std::string> names;
  for (const MalformedCase& bad : corpus) {
    INFO("case " << bad.name);
    REQUIRE(names.insert(bad.name).second);
    const std::string path = dir.file(std::string(bad.name) + ".safetensors");
    write_file(path, bad.bytes);

    const std::string message = open_error(path, [](const std::string& p) { File::open(p); });
    INFO("message: " << message);
    CHECK(message.rfind(path + ": ", 0) == 0);
    CHECK(message.find(bad.expected) != std::string::npos);
    // A checkpoint over the same file reports the same problem.
    const std::string via_checkpoint = open_error(path, [](const std::string& p) { Checkpoint::open(p); });
    CHECK(via_checkpoint == message);
  }
}

TEST_CASE("safetensors: unusual but valid files are accepted", "[io][safetensors]") {
  TempDir dir;
  struct ValidCase {
    const char* name;
    Bytes bytes;
    size_t tensors;
  };
  const std::vector<ValidCase> corpus = {
      {"no_tensors", safetensors_bytes("{}"), 0},
      {"whitespace_around_header", safetensors_bytes("  \n{}\t "), 0},
      {"empty_metadata", safetensors_bytes(R"({"__metadata__":{}})"), 0},
      {"keys_not_in_offset_order",
       safetensors_bytes(
           R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})",
           zeros(16)),
       2},
      {"empty_tensors_sharing_offsets",
       safetensors_bytes(
           R"({"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"f":{"dtype":"I64","shape":[2,0,3],"data_offsets":[0,0]},)"
           R"("g":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"h":{"dtype":"BOOL","shape":[0],"data_offsets":[2,2]}})",
           zeros(2)),
       4},
      {"scalar", safetensors_bytes(R"({"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}})", zeros(8)), 1},
      {"packed_sub_byte",
       safetensors_bytes(
           R"({"p":{"dtype":"F4","shape":[2],"data_offsets":[0,1]},"q":{"dtype":"F6_E3M2","shape":[4],"data_offsets":[1,4]}})",
           zeros(4)),
       2},
      {"newer_dtypes",
       safetensors_bytes(
           R"({"c":{"dtype":"C64","shape":[1],"data_offsets":[0,8]},"m":{"dtype":"F8_E8M0","shape":[1],"data_offsets":[8,9]},)"
           R"("n":{"dtype":"F8_E4M3FNUZ","shape":[1],"data_offsets":[9,10]},"o":{"dtype":"F8_E5M2FNUZ","shape":[1],"data_offsets":[10,11]}})",
           zeros(11)),
       4},
      {"escaped_and_unicode_names",
       safetensors_bytes(R"({"caf\u00e9 \"x\"":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}})", zeros(1)), 1},
  };
  for (const ValidCase& good : corpus) {
    INFO("case " << good.name);
    const std::string path = dir.file(std::string(good.name) + ".safetensors");
    write_file(path, good.bytes);
    auto file = File::open(path);
    CHECK(file->names().size() == good.tensors);
  }
}

TEST_CASE("safetensors: a missing file or a folder is refused with its path", "[io][safetensors]") {
  TempDir dir;
  const std::string missing = dir.file("missing.safetensors");
  const std::string message = open_error(missing, [](const std::string& p) { File::open(p); });
  CHECK(message.rfind(missing + ": cannot open: ", 0) == 0);
  const std::string folder = dir.path().string();
  CHECK(open_error(folder, [](const std::string& p) { File::open(p); }) == folder + ": not a regular file");
  // A FIFO would block a plain open() until someone writes to it.
  const std::string fifo = dir.file("fifo.safetensors");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(open_error(fifo, [](const std::string& p) { File::open(p); }) == fifo + ": not a regular file");
}
