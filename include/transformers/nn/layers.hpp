#pragma once
// The building blocks every model shares, named after their torch.nn counterparts. Each is its
// weights plus a call operator; loading takes the weight name prefix ("bert.pooler.dense").
#include <functional>
#include <memory>
#include <string>

#include "transformers/core/logging.hpp"
#include "transformers/nn/weights.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::nn {

// How an optional part of a model (the tanh pooler) is loaded. A base model loaded from a head
// checkpoint saved without that part (RobertaForSequenceClassification, BertForTokenClassification)
// lacks its weights: transformers initialises them at random and warns; here the part is left out,
// with a warning naming the missing weights, so its output is absent rather than random.
enum class Part { Required, IfPresent, Absent };

struct Linear {
  Tensor weight;  // [out_features, in_features]
  Tensor bias;    // [out_features] or undefined
  // The adapters (LoRA) that may change this layer, shared with its other copies; null for a layer
  // made outside Weights. first_row: where a rows() view starts in the whole layer.
  std::shared_ptr<AdapterSlot> adapters = nullptr;
  int64_t first_row = 0;

  static Linear load(const Weights& w, const std::string& name, int64_t in_features, int64_t out_features,
                     bool with_bias = true) {
    Linear layer;
    layer.weight = w.get_matrix(name + ".weight", {out_features, in_features});        // in the model's dtype
    if (with_bias) layer.bias = w.get(name + ".bias", {out_features}).to(DType::F32);  // added in f32
    return std::move(layer).adaptable(w, name);
  }
  // This layer, recorded under `name` in w's adapter index so that adapters can attach to it (layout:
  // how its rows were reordered from the file's).
  Linear adaptable(const Weights& w, const std::string& name, FileLayout layout = {}) && {
    adapters = w.adapter_slot(name, weight, bias, std::move(layout));
    return std::move(*this);
  }
  // Loads `name` as `part` says; an IfPresent layer whose weights the checkpoint lacks stays empty
  // (weight undefined) and `missing_output` ("pooler_output") is named in the warning.
  static Linear load(const Weights& w, const std::string& name, int64_t in_features, int64_t out_features, Part part,
                     const std::string& missing_output) {
    if (part == Part::Absent) return {};
    if (part == Part::IfPresent && !(w.contains(name + ".weight") && w.contains(name + ".bias"))) {
      warn_once(w.path() + " has no '" + name + ".weight' / '" + name + ".bias' (it was saved from a " +
                "model without that layer, e.g. a task head); the layer is left out, so " + missing_output +
                " is not computed (transformers would initialise it at random)");
      return {};
    }
    return load(w, name, in_features, out_features);
  }
  // GPT-2's Conv1D: the same map, stored transposed ([in_features, out_features]); made a Linear once.
  static Linear load_conv1d(const Weights& w, const std::string& name, int64_t in_features, int64_t out_features) {
    Linear layer{w.get(name + ".weight", {in_features, out_features}).transpose(0, 1).contiguous(),
                 w.get(name + ".bias", {out_features}).to(DType::F32)};
    return std::move(layer).adaptable(w, name, FileLayout{.transposed = true});
  }
  // Output features first .. first + count - 1 of a fused projection (qkv_proj, gate_up_proj): a view of
  // its rows, no copy.
  Linear rows(int64_t first, int64_t count) const {
    return {weight.narrow(0, first, count), bias.defined() ? bias.narrow(0, first, count) : Tensor(), adapters,
            first_row + first};
  }
  Tensor operator()(const Tensor& x) const { return (*this)(x, ops::LinearEpilogue{}); }
  // With an activation and/or a residual fused into the product: act(x W^T + b) + residual.
  Tensor operator()(const Tensor& x, const ops::LinearEpilogue& epilogue) const {
    if (adapters && adapters->in_use()) return adapters->apply(x, weight, bias, first_row, epilogue);
    return ops::linear(x, weight, bias, epilogue);
  }
};

struct Embedding {
  Tensor weight;  // [num_embeddings, dim]

  static Embedding load(const Weights& w, const std::string& name, int64_t count, int64_t dim) {
    return Embedding{w.get_matrix(name + ".weight", {count, dim}, /*embedding_table=*/true)};
  }
  // Ids made on the host (positions, token types, the caller's input) go to the table's device.
  Tensor operator()(const Tensor& ids) const { return ops::embedding(weight, ids.to(weight.device())); }
};

struct LayerNorm {
  Tensor weight, bias;
  float eps = 1e-12f;

  static LayerNorm load(const Weights& w, const std::string& name, int64_t dim, double eps) {
    // Normalization runs in f32 whatever the model's dtype, as torch does for half inputs.
    return LayerNorm{w.get(name + ".weight", {dim}).to(DType::F32), w.get(name + ".bias", {dim}).to(DType::F32),
                     static_cast<float>(eps)};
  }
  Tensor operator()(const Tensor& x) const { return ops::layer_norm(x, weight, bias, eps); }
};

// T5LayerNorm / LlamaRMSNorm: x / sqrt(mean(x^2) + eps) * weight, in f32. Gemma stores the weight
// zero-centred and multiplies by (1 + weight): loaded with Offset::PlusOne, the 1 is added once.
struct RMSNorm {
  enum class Offset { None, PlusOne };
  Tensor weight;  // [dim], f32
  float eps = 1e-6f;

  static RMSNorm load(const Weights& w, const std::string& name, int64_t dim, double eps,
                      Offset offset = Offset::None) {
    Tensor weight = w.get(name + ".weight", {dim}).to(DType::F32);
    if (offset == Offset::PlusOne) weight = ops::add_scalar(weight, 1.0f);
    return RMSNorm{weight, static_cast<float>(eps)};
  }
  Tensor operator()(const Tensor& x) const { return ops::rms_norm(x, weight, eps); }
};

// [batch, seq, heads * head_dim] -> [batch, heads, seq, head_dim]: a view (no copy) of a
// contiguous x, whose rows (head_dim) stay contiguous; ops::attention reads it in place.
inline Tensor split_heads(const Tensor& x, int64_t heads) {
  const int64_t batch = x.size(0), seq = x.size(1), head_dim = x.size(2) / heads;
  return x.contiguous().view({batch, seq, heads, head_dim}).transpose(1, 2);
}

// [batch, heads, seq, head_dim] -> [batch, seq, heads * head_dim].
inline Tensor merge_heads(const Tensor& x) {
  const int64_t batch = x.size(0), heads = x.size(1), seq = x.size(2), head_dim = x.size(3);
  return x.transpose(1, 2).reshape({batch, seq, heads * head_dim});
}

}  // namespace transformers::nn
