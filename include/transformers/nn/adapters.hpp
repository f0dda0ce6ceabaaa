#pragma once
// What adapters (PEFT's LoRA) change in one linear layer, and the index of a model's linear layers
// by their Hugging Face names that peft/ attaches adapters through. A layer's AdapterSlot is shared
// by every copy of the layer (a fused projection's row views included), so loading, switching or
// merging an adapter reaches all of them without walking the model's structure.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "transformers/core/tensor.hpp"
#include "transformers/ops/ops.hpp"

namespace transformers::nn {

// Which adapter a model computes with; one per model, shared by its slots. Switching it while the
// model runs a forward on another thread is not supported.
struct AdapterSelection {
  int active = -1;      // index into AdapterIndex::names(), -1: none
  bool enabled = true;  // disable_adapters() computes with the base weights without unloading
};

// One adapter's change to one linear layer.
struct AdapterUpdate {
  Tensor lora_a;         // [r, in] f32: LoRA's A
  Tensor lora_b_scaled;  // [out, r] f32: LoRA's B times the adapter's scaling, rows in the model's order
  Tensor weight, bias;   // PEFT's modules_to_save / trained biases: the adapter's own, replacing the layer's
                         // (in the model's layout)
  bool has_lora() const { return lora_a.defined(); }
};

// How a linear layer as the model computes with it ([out, in], rows in the model's order) differs
// from the tensor its checkpoint stores: the adapter file's tensors are read, and a merged layer is
// saved, through it.
struct FileLayout {
  // The file's rows in the model's order and back (GPT-NeoX's per-head query_key_value); null: the same.
  std::function<Tensor(const Tensor&)> to_model = {}, to_file = {};
  bool transposed = false;  // the file stores [in, out] (GPT-2's Conv1D)

  Tensor rows_to_model(const Tensor& rows) const { return to_model ? to_model(rows) : rows; }
  Tensor rows_to_file(const Tensor& rows) const { return to_file ? to_file(rows) : rows; }
  Tensor weight_to_model(const Tensor& stored) const {
    return rows_to_model(transposed ? stored.transpose(0, 1).contiguous() : stored);
  }
  Tensor weight_to_file(const Tensor& weight) const {
    const Tensor rows = rows_to_file(weight);
    return transposed ? rows.transpose(0, 1).contiguous() : rows;
  }
};

// One linear layer's adapters, indexed like AdapterIndex::names().
class AdapterSlot {
 public:
  // base_weight / base_bias: the whole layer as loaded (a fused qkv projection's every row).
  AdapterSlot(std::shared_ptr<const AdapterSelection> selection, Tensor base_weight, Tensor base_bias,
              FileLayout layout)
      : selection_(std::move(selection)),
        base_weight_(std::move(base_weight)),
        base_bias_(std::move(base_bias)),
        layout_(std::move(layout)) {}

  // The layer's weights without adapters (after merge_and_unload: the merged ones).
  const Tensor& base_weight() const { return base_weight_; }
  const Tensor& base_bias() const { return base_bias_; }
  // What the layer computes with now, merged adapter included.
  const Tensor& weight() const { return merged() ? merged_weight_ : base_weight_; }
  const Tensor& bias() const { return merged() ? merged_bias_ : base_bias_; }
  const FileLayout& layout() const { return layout_; }
  // Whether weight() / bias() differ from the checkpoint's.
  bool changed() const { return merged() || rebased_; }

  void set(int adapter, AdapterUpdate update) {
    if (static_cast<int>(updates_.size()) <= adapter) updates_.resize(static_cast<size_t>(adapter) + 1);
    updates_[static_cast<size_t>(adapter)] = std::move(update);
  }
  const AdapterUpdate* update(int adapter) const {
    if (adapter < 0 || adapter >= static_cast<int>(updates_.size())) return nullptr;
    const AdapterUpdate& u = updates_[static_cast<size_t>(adapter)];
    return u.has_lora() || u.weight.defined() || u.bias.defined() ? &u : nullptr;
  }
  void erase(int adapter) {
    if (adapter >= 0 && adapter < static_cast<int>(updates_.size())) updates_[static_cast<size_t>(adapter)] = {};
  }

  // The weights with `adapter` folded in (W' = W + B A scaling, or the adapter's own weights), made
  // once; the file's weights are never written. The caller keeps the merged adapter active and
  // enabled while it stays merged. unmerge() returns to the base weights exactly.
  void merge(int adapter);
  void unmerge() {
    merged_weight_ = merged_bias_ = Tensor();
    merged_adapter_ = -1;
  }
  // merge_and_unload(): the merged weights become the layer's own and the adapter is forgotten.
  void keep_merged() {
    if (!merged()) return;
    erase(merged_adapter_);
    base_weight_ = merged_weight_;
    base_bias_ = merged_bias_;
    rebased_ = true;
    unmerge();
  }
  bool merged() const { return merged_weight_.defined(); }
  int merged_adapter() const { return merged_adapter_; }

  // Whether calls must go through apply(): merged or rebased weights stand in for the caller's, or
  // the active adapter changes this layer.
  bool in_use() const { return changed() || active_update() != nullptr; }

  // The layer's output for rows [first_row, first_row + rows) of the whole layer (a fused
  // projection's q, k or v part), weight / bias being the caller's view of the base weights.
  Tensor apply(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t first_row,
               const ops::LinearEpilogue& epilogue) const;

 private:
  std::shared_ptr<const AdapterSelection> selection_;
  Tensor base_weight_, base_bias_;
  FileLayout layout_;
  std::vector<AdapterUpdate> updates_;
  // The active adapter's update, unless it is disabled or already merged.
  const AdapterUpdate* active_update() const {
    const AdapterSelection& s = *selection_;
    return s.enabled && s.active != merged_adapter_ ? update(s.active) : nullptr;
  }

  Tensor merged_weight_, merged_bias_;
  int merged_adapter_ = -1;  // the adapter the merged weights hold
  bool rebased_ = false;     // keep_merged() made merged weights the base
};

// A model's linear layers by the names its checkpoint gives them ("model.layers.0.self_attn.q_proj"),
// and the adapters loaded into it (by name, in load order). Filled while the model loads.
class AdapterIndex {
 public:
  // checkpoint: the path of the checkpoint the model was loaded from (a folder or a .gguf file; empty
  // for random weights), which a merged model is saved from. A path, not the open checkpoint: holding
  // that would keep a dequantized GGUF file mapped for the model's lifetime.
  AdapterIndex(std::string base_model_prefix, std::string checkpoint)
      : prefix_(std::move(base_model_prefix)),
        checkpoint_(std::move(checkpoint)),
        selection_(std::make_shared<AdapterSelection>()) {}

  std::shared_ptr<AdapterSlot> add_layer(const std::string& name, const Tensor& weight, const Tensor& bias,
                                         FileLayout layout = {}) {
    auto slot = std::make_shared<AdapterSlot>(selection_, weight, bias, std::move(layout));
    layers_[name] = slot;
    return slot;
  }
  // The layer `name` names, with or without the base-model prefix ("bert."); null when there is none.
  std::shared_ptr<AdapterSlot> find(const std::string& name) const;
  const std::map<std::string, std::shared_ptr<AdapterSlot>>& layers() const { return layers_; }
  const std::string& prefix() const { return prefix_; }
  const std::string& checkpoint() const { return checkpoint_; }

  AdapterSelection& selection() { return *selection_; }
  const AdapterSelection& selection() const { return *selection_; }
  std::vector<std::string>& names() { return names_; }
  const std::vector<std::string>& names() const { return names_; }
  // The index of adapter `name`, -1 when none is loaded under it.
  int adapter(const std::string& name) const {
    for (size_t i = 0; i < names_.size(); ++i)
      if (!name.empty() && names_[i] == name) return static_cast<int>(i);
    return -1;
  }

 private:
  std::string prefix_;
  std::string checkpoint_;
  std::shared_ptr<AdapterSelection> selection_;
  std::map<std::string, std::shared_ptr<AdapterSlot>> layers_;
  std::vector<std::string> names_;  // adapters by index; an unloaded one's name becomes ""
};

}  // namespace transformers::nn
