#pragma once
// Llama's gated MLP and the sparse mixture of experts built from it (Mixtral, Qwen3-MoE): a router
// picks top_k experts per token from the softmax of its logits, each expert runs on the tokens routed
// to it, and a token's output is the sum of its experts' outputs weighted by their probabilities
// (renormalized over the top_k or not, as each family does).
#include <cstdint>
#include <string>
#include <vector>

#include "transformers/nn/layers.hpp"

namespace transformers::nn {

// down(act(gate(x)) * up(x)).
struct GatedMLP {
  Linear gate, up, down;
  std::string activation;

  Tensor operator()(const Tensor& x) const { return down(ops::mul(gate(x, {.activation = activation}), up(x))); }
};

struct SparseMoE {
  Linear router;  // [experts, hidden], no bias
  std::vector<GatedMLP> experts;
  int64_t top_k = 2;
  bool normalize_top_k = true;  // Mixtral: always; Qwen3-MoE: norm_topk_prob

  Tensor operator()(const Tensor& x) const {
    const Shape shape = x.shape();
    const int64_t hidden = shape.back(), tokens = x.numel() / hidden;
    const Tensor flat = x.reshape({tokens, hidden});
    auto [weights, chosen] = ops::topk(ops::softmax(router(flat), -1), top_k, -1);  // [tokens, top_k]
    if (normalize_top_k) weights = ops::div(weights, ops::sum(weights, -1, true));
    // Each expert on its tokens; outputs in expert order, then put back in (token, choice) order.
    const std::vector<int64_t> expert_of = chosen.to_vector<int64_t>();
    std::vector<Tensor> outputs;
    std::vector<int64_t> row_of(expert_of.size());
    int64_t rows = 0;
    for (int64_t e = 0; e < static_cast<int64_t>(experts.size()); ++e) {
      std::vector<int64_t> routed;
      for (size_t slot = 0; slot < expert_of.size(); ++slot)
        if (expert_of[slot] == e) {
          routed.push_back(static_cast<int64_t>(slot) / top_k);
          row_of[slot] = rows++;
        }
      if (!routed.empty()) outputs.push_back(experts[static_cast<size_t>(e)](gather_rows(flat, routed)));
    }
    const Tensor per_choice = gather_rows(ops::concat(outputs, 0), row_of).view({tokens, top_k, hidden});
    return ops::sum(ops::mul(per_choice, weights.unsqueeze(-1)), 1).view(shape);
  }

 private:
  // Rows `rows` of table [n, hidden], on its device.
  static Tensor gather_rows(const Tensor& table, const std::vector<int64_t>& rows) {
    return ops::embedding(table, Tensor::from_vector(rows, {static_cast<int64_t>(rows.size())}).to(table.device()));
  }
};

}  // namespace transformers::nn
