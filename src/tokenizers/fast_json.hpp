#pragma once
// tokenizer.json loading without a DOM for the big arrays: model.vocab and model.merges (hundreds
// of thousands of entries) are scanned straight from the text into one compact byte blob each,
// stored in the document as a JSON binary value with a subtype saying which form it is; the rest
// of the document is an ordinary nlohmann DOM. Anything unexpected falls back to a plain parse.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "json_fields.hpp"

namespace transformers::tokenizers::detail {

// Binary subtypes. Blob layout: u64 entry count, then per entry:
inline constexpr uint8_t kCompactVocabObject = 1;   // {"token": id}: string, i64 id
inline constexpr uint8_t kCompactMerges = 2;        // ["a b"] or [["a", "b"]]: string a, string b
inline constexpr uint8_t kCompactUnigramVocab = 3;  // [["piece", score]]: string, f64 score
// (a string is u32 byte length + the bytes)

// Parses a whole tokenizer.json; throws nlohmann::json::exception on invalid JSON.
json parse_tokenizer_document(std::string_view text);

inline bool is_compact(const json& value, uint8_t subtype) {
  return value.is_binary() && value.get_binary().has_subtype() && value.get_binary().subtype() == subtype;
}

// Writes a blob in the layout above: string()/put() one entry's fields, next() after each entry.
class CompactWriter {
 public:
  // Reserving more than is written costs nothing: untouched pages are never mapped in.
  explicit CompactWriter(size_t expected_bytes) {
    bytes_.reserve(expected_bytes);
    put<uint64_t>(0);
  }
  void string(std::string_view text) {
    put(static_cast<uint32_t>(text.size()));
    bytes_.insert(bytes_.end(), text.begin(), text.end());
  }
  template <typename T>
  void put(T value) {
    const size_t at = bytes_.size();
    bytes_.resize(at + sizeof(T));
    std::memcpy(bytes_.data() + at, &value, sizeof(T));
  }
  void next() { ++count_; }
  json finish(uint8_t subtype) {
    std::memcpy(bytes_.data(), &count_, sizeof count_);
    return json::binary(std::move(bytes_), subtype);
  }

 private:
  std::vector<uint8_t> bytes_;
  uint64_t count_ = 0;
};

class CompactReader {
 public:
  explicit CompactReader(const json::binary_t& blob) : at_(blob.data()), end_(blob.data() + blob.size()) {
    count_ = static_cast<size_t>(read<uint64_t>());
  }
  size_t count() const { return count_; }
  bool done() const { return at_ >= end_; }
  std::string_view string() {
    const auto length = read<uint32_t>();
    const std::string_view text(reinterpret_cast<const char*>(at_), length);
    at_ += length;
    return text;
  }
  int64_t int64() { return read<int64_t>(); }
  double float64() { return read<double>(); }

 private:
  template <typename T>
  T read() {
    T value;
    std::memcpy(&value, at_, sizeof(T));
    at_ += sizeof(T);
    return value;
  }
  const uint8_t* at_;
  const uint8_t* end_;
  size_t count_ = 0;
};

}  // namespace transformers::tokenizers::detail
