#pragma once
// safetensors: the Hugging Face weight format. Files are memory-mapped and tensors borrow the
// mapped bytes (no copy) for the dtypes tensors hold natively; validation is at least as strict
// as the reference reader, and every failure names the file, the tensor and the problem.
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "transformers/core/tensor.hpp"

namespace transformers::safetensors {

// One entry of a file's header, as written there.
struct TensorInfo {
  std::string name;
  std::string dtype;  // the file's dtype string: "F32", "BF16", "F8_E4M3", ...
  Shape shape;
  size_t begin = 0, end = 0;  // byte offsets in the data buffer
};

// One mmapped .safetensors file.
class File {
 public:
  // Maps and validates the whole header; throws FileError naming `path` on any problem.
  static std::shared_ptr<File> open(const std::string& path);
  ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  const std::string& path() const { return path_; }
  std::vector<std::string> names() const;  // in file order of offsets
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  const TensorInfo& info(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  // The tensor, borrowing the mapped bytes for F32/F16/BF16/F64/I64/I32/I16/I8/U8/BOOL;
  // F8_E4M3 and F8_E5M2 are converted to a new f32 tensor. Other dtypes throw naming the tensor.
  // The mapping is read-only: a borrowed tensor (storage()->owns_memory() is false) must be
  // clone()d before it is written to. Bytes at an address unaligned for their element size,
  // and BOOL bytes other than 0 and 1 (read as true), are copied instead of borrowed.
  // The tensor keeps the mapping alive after this File is gone.
  Tensor get(const std::string& name) const;

 private:
  File() = default;
  std::string path_;
  std::shared_ptr<const void> mapping_;  // keeps the bytes mapped while any tensor borrows them
  const unsigned char* data_ = nullptr;  // start of the data buffer
  std::vector<TensorInfo> tensors_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::string> metadata_;
};

// All the weights of a model: one file, or the shards named by model.safetensors.index.json.
class Checkpoint {
 public:
  // `path`: a .safetensors file, an index .json, or a folder holding model.safetensors
  // (preferred) or model.safetensors.index.json. Shards named by an index are found beside it and
  // each is opened once; every tensor the index lists must be in its shard, and no tensor may be
  // in two shards. Throws FileError naming the checkpoint, the shard and the tensor.
  static Checkpoint open(const std::string& path);

  std::vector<std::string> names() const;  // sorted
  bool contains(const std::string& name) const { return owner_.count(name) != 0; }
  Tensor get(const std::string& name) const;  // throws naming the tensor and the checkpoint if absent
  const TensorInfo& info(const std::string& name) const;
  const std::vector<std::shared_ptr<File>>& files() const { return files_; }
  const std::string& path() const { return path_; }

 private:
  void add_file(std::shared_ptr<File> file);  // rejects a tensor already held by another file
  const File& file_holding(const std::string& name) const;

  std::string path_;
  std::vector<std::shared_ptr<File>> files_;
  std::map<std::string, size_t> owner_;  // tensor name -> index in files_
};

// Writes tensors (any device, any layout; copied to the host) as the reference writer does:
// dtype-alignment then name order, header padded to 8 bytes. Writes a temporary file beside
// `path` and renames it, so a failure never leaves a partial file. Throws InvalidArgument (before
// creating anything) for an empty, duplicate, non-UTF-8 or "__metadata__" name or an undefined
// tensor, and FileError naming `path` when the file can't be written.
void save(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
          const std::map<std::string, std::string>& metadata = {});

}  // namespace transformers::safetensors
