// How one linear layer computes with its adapters (nn/adapters.hpp).
#include "transformers/nn/adapters.hpp"

namespace transformers::nn {

void AdapterSlot::merge(int adapter) {
  const AdapterUpdate* u = update(adapter);
  if (u == nullptr) return;  // the adapter leaves this layer as it is
  Tensor weight = u->weight.defined() ? u->weight : base_weight_;
  if (u->has_lora())  // in f32, then rounded once to the layer's dtype, as PEFT's merge
    weight = ops::add(weight.to(DType::F32), ops::matmul(u->lora_b_scaled, u->lora_a)).to(base_weight_.dtype());
  merged_weight_ = weight;
  merged_bias_ = u->bias.defined() ? u->bias : base_bias_;
  merged_adapter_ = adapter;
}

Tensor AdapterSlot::apply(const Tensor& x, const Tensor& weight, const Tensor& bias, int64_t first_row,
                          const ops::LinearEpilogue& epilogue) const {
  const int64_t rows = weight.size(0);
  const auto own_rows = [&](const Tensor& t) { return t.narrow(0, first_row, rows); };
  Tensor w = changed() ? own_rows(this->weight()) : weight;
  Tensor b = changed() ? (this->bias().defined() ? own_rows(this->bias()) : Tensor()) : bias;
  const AdapterUpdate* u = active_update();
  if (u != nullptr && u->weight.defined()) w = own_rows(u->weight);
  if (u != nullptr && u->bias.defined()) b = own_rows(u->bias);
  if (u == nullptr || !u->has_lora()) return ops::linear(x, w, b, epilogue);
  // y = x W^T + b + (x A^T) (B scaling)^T, the low-rank term added before the activation.
  const Tensor low_rank = ops::linear(ops::linear(x, u->lora_a), own_rows(u->lora_b_scaled));
  if (epilogue.activation.empty()) {
    ops::LinearEpilogue with_update;
    with_update.residual = epilogue.residual.defined() ? ops::add(low_rank, epilogue.residual) : low_rank;
    return ops::linear(x, w, b, with_update);
  }
  const Tensor out = ops::activation(ops::add(ops::linear(x, w, b), low_rank), epilogue.activation);
  return epilogue.residual.defined() ? ops::add(out, epilogue.residual) : out;
}

std::shared_ptr<AdapterSlot> AdapterIndex::find(const std::string& name) const {
  const std::string prefixed = prefix_ + ".";
  const bool has_prefix = name.rfind(prefixed, 0) == 0;
  for (const std::string& candidate : {name, has_prefix ? name.substr(prefixed.size()) : prefixed + name}) {
    const auto it = layers_.find(candidate);
    if (it != layers_.end()) return it->second;
  }
  return nullptr;
}

}  // namespace transformers::nn
