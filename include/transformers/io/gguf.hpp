#pragma once
// GGUF: llama.cpp's single-file model format (header, typed key/value metadata, tensor table,
// aligned data). Files are memory-mapped; every count, length and offset in the header is checked
// against the file before it is used, so a malformed or lying file is an error naming the file and
// what is wrong, never a crash or an allocation sized by a field. Tensors in F32, F16 and BF16 are
// views of the mapped bytes; quantized ones (Q4_0 ... Q8_0, Q2_K ... Q6_K) are dequantized as
// gguf.quants (the `gguf` Python package) does, bit for bit.
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/core/tensor.hpp"

namespace transformers::gguf {

// ggml's tensor types, with ggml's numbers (only the ones transformers.cpp reads are named).
enum class TensorType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  BF16 = 30,
};

const char* type_name(TensorType type);
// The block-quantized dtype a tensor of `type` keeps when it is multiplied as stored (nullopt for
// the types that are always dequantized: F32/F16/BF16 are plain, Q2_K, Q3_K and Q5_K have no
// kernel yet).
std::optional<DType> block_dtype(TensorType type);
// Elements per block and bytes per block of a type (1 and the element size for F32/F16/BF16).
int64_t block_elements(TensorType type);
int64_t block_bytes(TensorType type);

struct TensorInfo {
  std::string name;
  Shape shape;  // row-major, as transformers sees it: the reverse of GGUF's dimension order
  TensorType type;
  uint64_t offset = 0;  // in the data section
  uint64_t nbytes = 0;
};

class File {
 public:
  // Maps and validates the header, metadata and tensor table of a GGUF v2 or v3 file; throws
  // FileError naming `path` and the field, key or tensor at fault.
  static std::shared_ptr<File> open(const std::string& path);

  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  // Every metadata value by key: integers, floats, bools and strings as JSON scalars (integers keep
  // their sign), arrays as JSON arrays. Long arrays (a vocabulary) are validated at open but
  // converted on first use, here or by value(); references stay valid while the file lives.
  const nlohmann::json& metadata() const;
  // The value under `key`, or null when absent.
  const nlohmann::json& value(const std::string& key) const;
  // The number of elements of the array under `key` without converting it; nullopt when `key` is
  // absent or not an array.
  std::optional<uint64_t> array_length(const std::string& key) const;
  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  const TensorInfo& info(const std::string& name) const;  // throws naming the tensor when absent
  // The tensor in `dtype` (F32, BF16 or F16): a view of the mapped bytes when it is stored in that
  // dtype, else converted (quantized blocks are dequantized to f32 first, as gguf.quants does).
  Tensor get(const std::string& name, DType dtype = DType::F32) const;
  // The tensor as stored, in its block-quantized dtype (see core/dtype.hpp: its last dimension
  // counts bytes), a view of the mapped bytes. Throws naming the tensor when block_dtype has no
  // dtype for its type.
  Tensor blocks(const std::string& name) const;
  // Lets the kernel drop the mapped pages of tensor `name` (they are read again if used): for a
  // caller that keeps a decoded copy, so that loading never holds both the file and the weights.
  void release(const std::string& name) const;

 private:
  File() = default;
  std::string path_;
  uint32_t version_ = 0;
  std::shared_ptr<const void> mapping_;
  const unsigned char* data_ = nullptr;  // start of the tensor data section
  struct DeferredArray {
    uint64_t offset;  // of the array value (its element type) in the file
    uint64_t length;
  };
  void read_deferred(const std::string& key) const;  // with metadata_mutex_ held
  const unsigned char* bytes_ = nullptr;             // the whole mapped file
  uint64_t size_ = 0;
  mutable std::mutex metadata_mutex_;
  mutable nlohmann::json metadata_ = nlohmann::json::object();
  mutable std::map<std::string, DeferredArray> deferred_;
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> index_;
};

// Dequantizes `count` elements (a whole number of blocks) of `type` stored at `blocks` into `out`.
void dequantize(TensorType type, const void* blocks, float* out, int64_t count);

}  // namespace transformers::gguf
