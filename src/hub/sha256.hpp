#pragma once
// Incremental SHA-256, used to name blobs by their content as the Hub names LFS files and to check
// downloads. The hashing is OpenSSL's libcrypto (already loaded as libcurl's TLS), which uses the
// CPU's SHA extensions or AVX2 where present: several times faster than a portable loop, which
// matters when a download is tens of GB.
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace transformers::hub::detail {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t size);
  // Finishes the hash; the object must not be updated afterwards.
  std::array<uint8_t, 32> digest();
  std::string hex_digest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

}  // namespace transformers::hub::detail
