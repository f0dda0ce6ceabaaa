#pragma once
// Small helpers for the tokenizers' flat (open-addressing) tables: a fast byte hash and the
// power-of-two capacity they use.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

// Thread-local scratch buffers are reached without a __tls_get_addr call per access (the library
// is loaded at program start, so its few bytes of TLS fit the static block).
#if defined(__GNUC__) && !defined(__SANITIZE_THREAD__) && !defined(__SANITIZE_ADDRESS__)
#define TRANSFORMERS_FAST_TLS __attribute__((tls_model("initial-exec")))
#else
#define TRANSFORMERS_FAST_TLS
#endif

namespace transformers::tokenizers::detail {

// A 64-bit hash of a short byte string (tokens are mostly < 16 bytes): 8 bytes at a time,
// multiply-xorshift mixing.
inline uint64_t hash_bytes(std::string_view text) {
  const char* p = text.data();
  size_t n = text.size();
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (n * 0xC2B2AE3D27D4EB4Full);
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, 8);
    h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
    h ^= h >> 31;
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t word = 0;
    std::memcpy(&word, p, n);
    h = (h ^ word) * 0x94D049BB133111EBull;
    h ^= h >> 29;
  }
  h *= 0xBF58476D1CE4E5B9ull;
  return h ^ (h >> 32);
}

inline uint64_t hash_u64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xFF51AFD7ED558CCDull;
  x ^= x >> 33;
  x *= 0xC4CEB9FE1A85EC53ull;
  return x ^ (x >> 33);
}

// The smallest power of two >= 2 * count (load factor <= 1/2), at least 16.
inline size_t flat_capacity(size_t count) {
  size_t capacity = 16;
  while (capacity < 2 * count) capacity *= 2;
  return capacity;
}

// Whether a table of `capacity` slots (0, or a flat_capacity) is too small for `count` entries:
// capacity < flat_capacity(count), without the loop.
inline bool needs_growth(size_t capacity, size_t count) { return 2 * count > capacity; }

}  // namespace transformers::tokenizers::detail
