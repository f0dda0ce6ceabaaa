#pragma once
// The post-norm encoder layer of BERT, which DistilBERT, ALBERT and MPNet keep under other weight
// names: self-attention, LayerNorm on the residual, then a feed-forward block (dense ->
// activation -> dense), LayerNorm on the residual.
#include <string>
#include <vector>

#include "transformers/nn/layers.hpp"

namespace transformers::nn {

struct PostNormLayer {
  // Weight names below the layer's prefix.
  struct Names {
    std::string query, key, value, attention_output, attention_norm, intermediate, output, output_norm;
  };
  struct Sizes {
    int64_t hidden, intermediate, heads;
    double layer_norm_eps;
    std::string activation;
  };

  Linear query, key, value, attention_output, intermediate, output;
  LayerNorm attention_norm, output_norm;
  int64_t heads = 0;
  std::string activation;

  static PostNormLayer load(const Weights& w, const std::string& prefix, const Names& n, const Sizes& s) {
    const std::string p = prefix + ".";
    return {Linear::load(w, p + n.query, s.hidden, s.hidden),
            Linear::load(w, p + n.key, s.hidden, s.hidden),
            Linear::load(w, p + n.value, s.hidden, s.hidden),
            Linear::load(w, p + n.attention_output, s.hidden, s.hidden),
            Linear::load(w, p + n.intermediate, s.hidden, s.intermediate),
            Linear::load(w, p + n.output, s.intermediate, s.hidden),
            LayerNorm::load(w, p + n.attention_norm, s.hidden, s.layer_norm_eps),
            LayerNorm::load(w, p + n.output_norm, s.hidden, s.layer_norm_eps),
            s.heads,
            s.activation};
  }

  // mask: a [batch, keys] padding mask, or a float mask added to the scores (MPNet's relative
  // position bias with the padding folded in).
  Tensor operator()(const Tensor& hidden, const Tensor& mask) const {
    ops::AttentionOptions options;
    options.mask = mask;
    Tensor context = ops::attention(split_heads(query(hidden), heads), split_heads(key(hidden), heads),
                                    split_heads(value(hidden), heads), options);
    // Each dense fuses what follows it (GEMM epilogues): the residual adds, the activation.
    Tensor attended = attention_norm(attention_output(merge_heads(context), {.residual = hidden}));
    return output_norm(output(intermediate(attended, {.activation = activation}), {.residual = attended}));
  }
};

// Runs `layers` in turn from `hidden`, each with `mask`; with `hidden_states`
// (output_hidden_states), records the input and every layer's output there.
inline Tensor run_layers(const std::vector<PostNormLayer>& layers, Tensor hidden, const Tensor& mask,
                         std::vector<Tensor>* hidden_states) {
  if (hidden_states) hidden_states->push_back(hidden);
  for (const PostNormLayer& layer : layers) {
    hidden = layer(hidden, mask);
    if (hidden_states) hidden_states->push_back(hidden);
  }
  return hidden;
}

}  // namespace transformers::nn
