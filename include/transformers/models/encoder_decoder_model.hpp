#pragma once
// What every encoder-decoder family (T5, BART, Marian) offers beside PreTrainedModel::forward: the
// encoder on its own, which generate() runs once per prompt before decoding step by step (forward
// with ModelInputs::encoder_outputs, a self-attention KVCache and a CrossAttentionCache), as
// transformers' generate calls model.get_encoder() first. Below it, the pieces the families share:
// a decoder pass's caches and masks, and the base / LM-head classes' plumbing around a family's
// stacks (models/t5.hpp, models/bart.hpp).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/decoder_step.hpp"

namespace transformers {

class EncoderDecoderModel : public PreTrainedModel {
 public:
  // The encoder's last_hidden_state [batch, seq, hidden] for input_ids [batch, seq] and
  // attention_mask (1 = token, 0 = padding; all ones when undefined).
  virtual Tensor encode(const Tensor& input_ids, const Tensor& attention_mask) const = 0;
};

namespace seq2seq {

// One decoder forward's state beside its layers: the causal self-attention step over the cache (no
// rotary tables), where the cache stood, the encoder's key padding mask, and the cross-attention
// keys and values (in the caller's cache, or in this pass's own).
class DecoderPass {
 public:
  DecoderPass(const ModelInputs& in, const Tensor& encoder_output, Device device, const std::string& family)
      : step_(decoder_inputs(in, family), device, no_rotary()),
        past_(in.past_key_values ? in.past_key_values->length() : 0),
        encoder_mask_(in.attention_mask.defined()
                          ? in.attention_mask.to(device)
                          : Tensor::full({encoder_output.size(0), encoder_output.size(1)}, 1.0, DType::I64, device)),
        cross_(in.cross_attention_cache ? in.cross_attention_cache : &own_cross_) {}

  nn::DecoderStep& step() { return step_; }
  int64_t past() const { return past_; }  // tokens in the self-attention cache before this pass
  const Tensor& encoder_mask() const { return encoder_mask_; }
  // Layer `layer`'s cross-attention keys and values: project() of the encoder's output the first
  // time, the cached pair after.
  template <typename Project>
  const std::pair<Tensor, Tensor>& cross(size_t layer, Project project) {
    if (cross_->layers.size() <= layer) cross_->layers.push_back(project());
    return cross_->layers[layer];
  }
  void finish() { step_.finish(); }

 private:
  static ModelInputs decoder_inputs(const ModelInputs& in, const std::string& family) {
    if (!in.decoder_input_ids.defined())
      throw InvalidArgument(family + ": decoder_input_ids are required (transformers derives them from labels, "
                            "which transformers.cpp does not take)");
    ModelInputs decoder;
    decoder.input_ids = in.decoder_input_ids;
    decoder.past_key_values = in.past_key_values;
    return decoder;
  }
  static const std::vector<nn::RotaryEmbedding>& no_rotary() {
    static const std::vector<nn::RotaryEmbedding> none;
    return none;
  }

  nn::DecoderStep step_;
  int64_t past_;
  Tensor encoder_mask_;
  nn::CrossAttentionCache own_cross_;
  nn::CrossAttentionCache* cross_;
};

// The self-attention cache of a decoder of `layers` full-attention layers.
inline nn::CacheLayout decoder_cache_layout(int64_t layers, int64_t heads, int64_t head_dim, Device device) {
  nn::CacheLayout layout;
  layout.layers = layers;
  layout.kv_heads = heads;
  layout.head_dim = head_dim;
  layout.sliding_windows.assign(static_cast<size_t>(layers), 0);
  layout.device = device;
  return layout;
}

// A family's base model and LM-head model around its stacks (Stacks: encode, decode, config,
// cache_layout, device): encode, config and cache layout are the stacks'; run() is what both
// forwards start with - the encoder's output (the caller's, or computed) and the decoder's over it.
template <typename Stacks>
class WithStacks : public EncoderDecoderModel {
 public:
  Tensor encode(const Tensor& input_ids, const Tensor& attention_mask) const override {
    return stacks_.encode(input_ids, attention_mask);
  }
  const PretrainedConfig& config() const override { return stacks_.config(); }
  std::optional<nn::CacheLayout> cache_layout() const override { return stacks_.cache_layout(); }

 protected:
  template <typename... Args>
  explicit WithStacks(Args&&... args) : stacks_(std::forward<Args>(args)...) {}

  ModelOutput run(const ModelInputs& in) const {
    ModelOutput out;
    out.encoder_last_hidden_state = in.encoder_outputs.defined() ? in.encoder_outputs.to(stacks_.device())
                                                                 : stacks_.encode(in.input_ids, in.attention_mask);
    out.last_hidden_state = stacks_.decode(in, out.encoder_last_hidden_state);
    return out;
  }
  // The last logits_to_keep positions of `hidden` (all when 0).
  static Tensor kept_positions(const Tensor& hidden, int64_t logits_to_keep) {
    const int64_t n = hidden.size(1);
    return logits_to_keep > 0 && logits_to_keep < n ? hidden.narrow(1, n - logits_to_keep, logits_to_keep) : hidden;
  }

  Stacks stacks_;
};

}  // namespace seq2seq
}  // namespace transformers
