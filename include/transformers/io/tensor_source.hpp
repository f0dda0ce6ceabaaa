#pragma once
// Where a model's weights come from, looked up by their Hugging Face names: a safetensors
// checkpoint as it is, a PyTorch pytorch_model.bin (io/pytorch_checkpoint.hpp), or a GGUF file
// seen through transformers' GGUF name mapping (io/gguf_checkpoint.hpp). nn::Weights reads through this interface only, so a new weight format
// is a new TensorSource and no model changes.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transformers/core/tensor.hpp"
#include "transformers/io/safetensors.hpp"

namespace transformers {

class TensorSource {
 public:
  virtual ~TensorSource() = default;
  // The file or folder, for error messages.
  virtual const std::string& path() const = 0;
  virtual std::vector<std::string> names() const = 0;  // sorted
  virtual bool contains(const std::string& name) const = 0;
  // The tensor `name`. Stored in a plain dtype it comes as stored (a view of the mapped bytes where
  // it can be); stored in a packed form that must be decoded (quantized blocks) it is decoded into
  // `decode_to`. Throws FileError naming the tensor and the source when absent.
  virtual Tensor get(const std::string& name, DType decode_to) const = 0;
  // The tensor `name` as stored in a block-quantized dtype (core/dtype.hpp), for a caller that
  // multiplies quantized weights as they are; nullopt when it is not stored in one the CPU
  // multiplies, or when matching transformers' layout would need more than reordering whole rows.
  virtual std::optional<Tensor> get_blocks(const std::string& /*name*/) const { return std::nullopt; }
  // Lets the source drop what it holds of `name` (a file's mapped pages) once the caller keeps its
  // own copy; it is read again if asked for.
  virtual void release(const std::string& /*name*/) const {}
  // The floating dtype `name` is stored in; nullopt for integers and quantized blocks.
  virtual std::optional<DType> stored_dtype(const std::string& name) const = 0;
};

// A safetensors checkpoint (one file or shards) as a TensorSource.
std::shared_ptr<const TensorSource> tensor_source(safetensors::Checkpoint checkpoint);

// The weights at `path` as transformers picks them. A folder: model.safetensors or
// model.safetensors.index.json, else pytorch_model.bin or pytorch_model.bin.index.json (read by
// pytorch::open_checkpoint, which runs no pickled code). A file: PyTorch when named .bin, .pt,
// .pth or *.bin.index.json, safetensors otherwise. Throws FileError naming the
// folder when it holds no weights.
std::shared_ptr<const TensorSource> open_weights(const std::string& path);

}  // namespace transformers
