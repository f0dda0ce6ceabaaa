#pragma once
// Finds a model's weights by their Hugging Face names, the way from_pretrained does: with or
// without the base-model prefix ("bert."), the legacy LayerNorm gamma/beta names, a shape check
// against the config, and the model's dtype: a floating weight stored in that dtype is mapped
// from the file as it is (no copy), one stored otherwise is converted once. Layers decide how they
// compute with it (nn/layers.hpp: linear layers and embedding tables read bf16/f16 directly;
// norms and biases take f32). The weights come from a TensorSource: a safetensors checkpoint, or a
// GGUF file under transformers' names (quantized blocks decoded into the model's dtype).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transformers/core/tensor.hpp"
#include "transformers/io/tensor_source.hpp"
#include "transformers/nn/adapters.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::nn {

class Weights {
 public:
  // base_model_prefix: "bert", "distilbert", ... - the prefix a head model puts before the base
  // model's weights.
  Weights(std::shared_ptr<const TensorSource> source, std::string base_model_prefix)
      : source_(std::move(source)),
        prefix_(std::move(base_model_prefix)),
        adapter_index_(std::make_shared<AdapterIndex>(prefix_, source_ ? source_->path() : std::string())) {}
  Weights(safetensors::Checkpoint checkpoint, std::string base_model_prefix)
      : Weights(tensor_source(std::move(checkpoint)), std::move(base_model_prefix)) {}

  // No checkpoint: every weight is drawn from a seeded N(0, 0.02)-like distribution, as
  // transformers' from_config initializes a model (LayerNorm-style 1-D weights included, which
  // keeps the numbers varied). For tests and benchmarks.
  static Weights random(std::string base_model_prefix, uint64_t seed = 0) {
    Weights w(std::shared_ptr<const TensorSource>{}, std::move(base_model_prefix));
    w.random_seed_ = seed;
    w.random_ = true;
    return w;
  }

  // The tensor named `name` (as the head model names it, e.g. "bert.pooler.dense.weight"), in the
  // model's dtype (dtype()). Throws FileError naming the tensor, the checkpoint and, for a shape
  // mismatch, both shapes.
  Tensor get(const std::string& name, const Shape& expected_shape) const {
    if (random_) return random_tensor(name, expected_shape).to(dtype_).to(device_);
    const std::string found = locate(name);
    if (found.empty())
      throw FileError(path() + ": missing tensor '" + name + "' (also looked for it " +
                      (has_prefix(name) ? "without" : "with") + " the '" + prefix_ + ".' prefix)");
    if (keep_quantized_ && device_.is_cpu() && expected_shape.size() == 2)
      if (std::optional<Tensor> blocks = source_->get_blocks(found)) return checked_blocks(found, *blocks, expected_shape);
    Tensor tensor = source_->get(found, dtype_);
    if (tensor.shape() != expected_shape)
      throw FileError(path() + ": tensor '" + found + "' has shape " + shape_str(tensor.shape()) +
                      " but the config needs " + shape_str(expected_shape));
    if (!is_floating(tensor.dtype()))
      throw FileError(path() + ": tensor '" + found + "' holds " + dtype_name(tensor.dtype()) +
                      ", not floating-point weights");
    return tensor.to(dtype_).to(device_);
  }

  // Where get() puts the tensors (the CPU unless a caller asks for a GPU).
  Weights& on(Device device) {
    device_ = device;
    return *this;
  }
  Device device() const { return device_; }

  // The model's dtype: transformers 5's `dtype` argument (float32, bfloat16 or float16), nullopt
  // meaning "auto", here the dtype the checkpoint stores its first floating weight in (the loader
  // passes config.json's dtype when it names one). Without this call weights are float32.
  Weights& with_dtype(std::optional<DType> dtype) {
    dtype_ = dtype ? *dtype : stored_dtype();
    if (dtype_ != DType::F32 && dtype_ != DType::BF16 && dtype_ != DType::F16)
      throw InvalidArgument("a model's dtype must be float32, bfloat16 or float16, got " +
                            std::string(dtype_name(dtype_)));
    return *this;
  }
  DType dtype() const { return dtype_; }
  // The dtype of the checkpoint's first floating weight (in name order), float32 when it has none.
  DType stored_dtype() const {
    if (random_) return DType::F32;
    for (const std::string& name : source_->names())
      if (std::optional<DType> stored = source_->stored_dtype(name)) return *stored;
    return DType::F32;
  }

  // Matrices the source stores in a block-quantized dtype the CPU multiplies (GGUF's Q4_0 ... Q6_K)
  // come from get() as stored, for linear layers and embedding tables to read as they are, instead
  // of being dequantized into dtype(). On the CPU only.
  Weights& keep_quantized(bool keep) {
    keep_quantized_ = keep;
    return *this;
  }

  // A floating checkpoint's linear and embedding matrices quantized at load into `block_dtype`
  // (Q8_0: int8, Q4_0 / Q4_1: int4; groups of 32 along a row), to be multiplied as blocks on the
  // CPU like a GGUF file's kept-quantized weights. nullopt: as stored.
  Weights& quantize_matrices(std::optional<DType> block_dtype) {
    quantize_to_ = block_dtype;
    return *this;
  }

  // A matrix a linear layer or an embedding table reads as [rows, columns]: get(), quantized when
  // quantize_matrices() asks for it and its rows are whole blocks (others stay as they are). An
  // embedding table (and a head tied to it) takes 8 bits whatever was asked, as llama.cpp's 4-bit
  // mixes keep token_embd at 8: it is read a row per token, and 4 bits cost the tied head most.
  Tensor get_matrix(const std::string& name, const Shape& expected_shape, bool embedding_table = false) const {
    Tensor matrix = quantized(get(name, expected_shape), embedding_table && quantize_to_ ? DType::Q8_0 : quantize_to_);
    if (is_block_quantized(matrix.dtype()) && quantize_to_ && !random_)
      source_->release(locate(name));  // quantized here: the file's pages of the floating matrix may go
    return matrix;
  }
  // `matrix` as get_matrix() hands it out (for a model that rearranges a matrix's rows first).
  Tensor quantized(const Tensor& matrix) const { return quantized(matrix, quantize_to_); }

  // Records the linear layer `name` (weight and bias as the model computes with them; layout: how the
  // model reordered the file's rows) in the model's adapter index; what the layer computes adapters through.
  std::shared_ptr<AdapterSlot> adapter_slot(const std::string& name, const Tensor& weight, const Tensor& bias,
                                            FileLayout layout = {}) const {
    return adapter_index_->add_layer(name, weight, bias, std::move(layout));
  }
  // Every linear layer loaded from these weights so far, for PreTrainedModel's adapters.
  const std::shared_ptr<AdapterIndex>& adapter_index() const { return adapter_index_; }

  bool contains(const std::string& name) const { return random_ || !locate(name).empty(); }
  const std::string& prefix() const { return prefix_; }
  // Where the weights come from (not for random weights).
  const TensorSource& source() const { return *source_; }
  // The source's file or folder, for messages ("random weights" for random ones).
  std::string path() const { return random_ ? std::string("random weights") : source_->path(); }

 private:
  bool has_prefix(const std::string& name) const { return name.rfind(prefix_ + ".", 0) == 0; }

  Tensor quantized(const Tensor& matrix, std::optional<DType> block_dtype) const {
    if (!block_dtype || !device_.is_cpu() || !is_floating(matrix.dtype()) || matrix.dim() != 2 ||
        matrix.size(1) % quant_block_elements(*block_dtype) != 0)
      return matrix;
    return ops::pack_quantized(ops::quantize_blocks(matrix, *block_dtype));
  }

  Tensor checked_blocks(const std::string& found, const Tensor& blocks, const Shape& expected_shape) const {
    const Shape shape{blocks.size(0), block_columns(blocks.dtype(), blocks.size(1))};
    if (shape != expected_shape)
      throw FileError(path() + ": tensor '" + found + "' has shape " + shape_str(shape) + " but the config needs " +
                      shape_str(expected_shape));
    Tensor packed = ops::pack_quantized(blocks);
    if (packed.storage() != blocks.storage()) source_->release(found);  // a copy: the file's pages may go
    return packed;
  }

  // The checkpoint's name for `name`, or "" when it has none.
  std::string locate(const std::string& name) const {
    for (const std::string& candidate : spellings(name))
      if (source_->contains(candidate)) return candidate;
    return "";
  }

  std::vector<std::string> spellings(const std::string& name) const {
    // A base-model checkpoint lacks the prefix a head model expects, and the reverse.
    const std::string other = has_prefix(name) ? name.substr(prefix_.size() + 1) : prefix_ + "." + name;
    std::vector<std::string> names{name, other};
    // Checkpoints from old TensorFlow conversions call LayerNorm's parameters gamma and beta.
    for (const std::string& base : {name, other})
      for (auto [modern, legacy] : {std::pair<std::string, std::string>{"LayerNorm.weight", "LayerNorm.gamma"},
                                    {"LayerNorm.bias", "LayerNorm.beta"}})
        if (base.size() > modern.size() && base.compare(base.size() - modern.size(), std::string::npos, modern) == 0)
          names.push_back(base.substr(0, base.size() - modern.size()) + legacy);
    return names;
  }

  // Deterministic per (seed, name): a splitmix64 stream mapped to uniform [-0.035, 0.035]
  // (standard deviation 0.02).
  Tensor random_tensor(const std::string& name, const Shape& shape) const {
    uint64_t state = random_seed_ ^ std::hash<std::string>()(name);
    std::vector<float> values(static_cast<size_t>(shape_numel(shape)));
    for (float& v : values) {
      uint64_t z = (state += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      v = (static_cast<float>(z >> 40) / static_cast<float>(1 << 24) - 0.5f) * 0.0693f;
    }
    return Tensor::from_vector(values, shape);
  }

  std::shared_ptr<const TensorSource> source_;  // null for random weights
  std::string prefix_;
  bool random_ = false;
  bool keep_quantized_ = false;
  std::optional<DType> quantize_to_;  // quantize_matrices()
  std::shared_ptr<AdapterIndex> adapter_index_;
  uint64_t random_seed_ = 0;
  Device device_ = Device::cpu();
  DType dtype_ = DType::F32;
};

}  // namespace transformers::nn
