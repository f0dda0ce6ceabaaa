#pragma once
// Reading and validating a safetensors header: the same files the reference reader rejects are
// rejected here (hf-behaviour.md §7.4), plus duplicate keys and unknown keys in an entry.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "transformers/io/safetensors.hpp"

namespace transformers::safetensors::detail {

// Headers longer than this are refused before being parsed, as the reference reader does.
constexpr uint64_t kMaxHeaderLength = 100'000'000;

struct Header {
  uint64_t data_start = 0;          // file offset of the data buffer: 8 + header length
  std::vector<TensorInfo> tensors;  // sorted by data offsets (then name, for empty tensors)
  std::map<std::string, std::string> metadata;
};

// Validates the whole file layout given its bytes; throws FileError starting with `path`.
Header read_header(const std::string& path, const unsigned char* bytes, uint64_t file_size);

}  // namespace transformers::safetensors::detail
