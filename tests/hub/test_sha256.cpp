#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <link.h>
#include <unistd.h>

#include <algorithm>

#include "src/hub/sha256.hpp"
#include "transformers/hub/hub.hpp"

using transformers::hub::sha256_file;
using transformers::hub::sha256_hex;

TEST_CASE("sha256 matches the FIPS 180-4 test vectors", "[hub][sha256]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("sha256 handles every length around the 55/56/64-byte padding edges", "[hub][sha256]") {
  // Python: hashlib.sha256(b"a" * n).hexdigest()
  CHECK(sha256_hex(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(sha256_hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST_CASE("sha256 is OpenSSL's libcrypto", "[hub][sha256]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // The hashing code is libcrypto's, so libcrypto is mapped into the process (the library links it).
  bool found = false;
  ::dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        if (info->dlpi_name && std::string(info->dlpi_name).find("libcrypto.so") != std::string::npos)
          *static_cast<bool*>(data) = true;
        return 0;
      },
      &found);
  CHECK(found);
}

TEST_CASE("sha256 streams: any split of the input into updates gives the same digest", "[hub][sha256]") {
  std::string data;
  for (int i = 0; i < 300000; ++i) data += static_cast<char>((i * 7919) & 0xff);
  const std::string whole = sha256_hex(data);
  for (size_t step : {1u, 63u, 64u, 65u, 4096u, 1000003u}) {
    transformers::hub::detail::Sha256 hash;
    for (size_t at = 0; at < data.size(); at += step) hash.update(data.data() + at, std::min(step, data.size() - at));
    CHECK(hash.hex_digest() == whole);
  }
}

TEST_CASE("sha256_file hashes a file's content", "[hub][sha256]") {
  const auto path = std::filesystem::temp_directory_path() / ("transformers_sha_" + std::to_string(::getpid()));
  std::ofstream(path, std::ios::binary) << std::string(200000, 'x') + "tail";
  CHECK(sha256_file(path.string()) == sha256_hex(std::string(200000, 'x') + "tail"));
  std::filesystem::remove(path);
  CHECK_THROWS_AS(sha256_file(path.string()), transformers::FileError);
}
