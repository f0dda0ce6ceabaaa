#include "sha256.hpp"

#include <cerrno>
#include <cstring>
#include <vector>

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "transformers/hub/hub.hpp"

namespace transformers::hub {
namespace detail {

struct Sha256::Context {
  EVP_MD_CTX* md = nullptr;
  ~Context() { EVP_MD_CTX_free(md); }
};

namespace {
[[noreturn]] void crypto_failure(const char* step) {
  throw Error(std::string("SHA-256 (OpenSSL libcrypto) failed in ") + step);
}
}  // namespace

Sha256::Sha256() : context_(std::make_unique<Context>()) {
  context_->md = EVP_MD_CTX_new();
  if (context_->md == nullptr || EVP_DigestInit_ex(context_->md, EVP_sha256(), nullptr) != 1)
    crypto_failure("EVP_DigestInit_ex");
}

Sha256::~Sha256() = default;

void Sha256::update(const void* data, size_t size) {
  if (size > 0 && EVP_DigestUpdate(context_->md, data, size) != 1) crypto_failure("EVP_DigestUpdate");
}

std::array<uint8_t, 32> Sha256::digest() {
  std::array<uint8_t, 32> out{};
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context_->md, out.data(), &length) != 1 || length != out.size())
    crypto_failure("EVP_DigestFinal_ex");
  return out;
}

std::string Sha256::hex_digest() {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t byte : digest()) {
    hex += digits[byte >> 4];
    hex += digits[byte & 15];
  }
  return hex;
}

}  // namespace detail

std::string sha256_hex(const std::string& data) {
  detail::Sha256 hash;
  hash.update(data.data(), data.size());
  return hash.hex_digest();
}

std::string sha256_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FileError("cannot open '" + path + "' to hash it: " + std::strerror(errno));
  detail::Sha256 hash;
  std::vector<char> buffer(size_t(1) << 20);
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw FileError("cannot read '" + path + "' to hash it: " + std::strerror(err));
    }
    if (n == 0) break;
    hash.update(buffer.data(), size_t(n));
  }
  ::close(fd);
  return hash.hex_digest();
}

}  // namespace transformers::hub
