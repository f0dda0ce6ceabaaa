#pragma once
// What the models take and return, with transformers' names. Tensors a model does not produce stay
// undefined.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/core/tensor.hpp"
#include "transformers/nn/adapters.hpp"
#include "transformers/nn/kv_cache.hpp"

namespace transformers {

struct ModelInputs {
  Tensor input_ids;       // [batch, seq] integers
  Tensor attention_mask;  // [batch, seq], 1 = token, 0 = padding; all ones when undefined. With a
                          // cache: [batch, past + seq], covering the cached tokens too
  Tensor token_type_ids;  // [batch, seq]; zeros when undefined (models that have segments)
  // Decoders only:
  Tensor position_ids;  // [batch, seq]; when undefined, cumsum(attention_mask) - 1 with padding at 0,
                        // for the seq new tokens (transformers 5's generate)
  nn::KVCache* past_key_values = nullptr;  // read and extended in place; the model calls advance(seq)
  int64_t logits_to_keep = 0;              // 0: logits of every position; k: of the last k only
  // Encoder-decoders (T5, BART, Marian): input_ids and attention_mask are the encoder's; the decoder
  // reads decoder_input_ids (all its tokens count; past_key_values is its self-attention cache).
  Tensor decoder_input_ids;  // [batch, decoder seq] integers
  Tensor encoder_outputs;    // [batch, seq, hidden]: the encoder's output when already computed (generate)
  nn::CrossAttentionCache* cross_attention_cache = nullptr;  // filled by the first step, read after
};

// The inputs on `device`, where a model's weights are: callers build them on the CPU.
inline ModelInputs inputs_on(const ModelInputs& in, Device device) {
  ModelInputs moved;
  moved.input_ids = in.input_ids.defined() ? in.input_ids.to(device) : in.input_ids;
  moved.attention_mask = in.attention_mask.defined() ? in.attention_mask.to(device) : in.attention_mask;
  moved.token_type_ids = in.token_type_ids.defined() ? in.token_type_ids.to(device) : in.token_type_ids;
  moved.position_ids = in.position_ids.defined() ? in.position_ids.to(device) : in.position_ids;
  moved.past_key_values = in.past_key_values;
  moved.logits_to_keep = in.logits_to_keep;
  moved.decoder_input_ids = in.decoder_input_ids.defined() ? in.decoder_input_ids.to(device) : in.decoder_input_ids;
  moved.encoder_outputs = in.encoder_outputs.defined() ? in.encoder_outputs.to(device) : in.encoder_outputs;
  moved.cross_attention_cache = in.cross_attention_cache;
  return moved;
}

// [batch, seq] integer mask (1 = token), all ones when the caller gave none; on the ids' device.
inline Tensor attention_mask_or_ones(const ModelInputs& in) {
  return in.attention_mask.defined() ? in.attention_mask
                                     : Tensor::full(in.input_ids.shape(), 1.0, DType::I64, in.input_ids.device());
}

struct ModelOutput {
  Tensor last_hidden_state;           // [batch, seq, hidden] (encoder-decoders: the decoder's)
  Tensor encoder_last_hidden_state;   // encoder-decoders: [batch, seq, hidden]
  Tensor pooler_output;               // [batch, hidden], models with a pooler
  Tensor logits;                      // classification and masked-LM heads
  Tensor start_logits, end_logits;    // question answering: [batch, seq] each
  std::vector<Tensor> hidden_states;  // embeddings output, then each layer's, when asked for
};

// What every model class offers, so that the Auto classes and pipelines can hold any of them.
class PreTrainedModel {
 public:
  virtual ~PreTrainedModel() = default;
  virtual ModelOutput forward(const ModelInputs& inputs, bool output_hidden_states = false) const = 0;
  virtual const PretrainedConfig& config() const = 0;
  // What a KV cache for this model holds; decoders say, encoders have none (nullopt).
  virtual std::optional<nn::CacheLayout> cache_layout() const { return std::nullopt; }
  // Generation, before each step: whether the cache must be dropped and the whole sequence so far
  // (`sequence_length` columns, left padding included) run again without it, `cached` columns being
  // in the cache - transformers' Phi3ForCausalLM.prepare_inputs_for_generation, whose LongRoPE
  // switches to its long factors past original_max_position_embeddings and so invalidates the keys
  // cached with the short ones. False for every other model.
  virtual bool recompute_cache(int64_t /*sequence_length*/, int64_t /*cached*/) const { return false; }

  // ---- PEFT adapters, as transformers' PeftAdapterMixin (src/peft/model_adapters.cpp) ----
  // Reads a LoRA adapter folder (or Hub id) as PEFT saves it and attaches it as `adapter_name`. The
  // first adapter loaded becomes the active one; later ones wait for set_adapter(). Throws FileError
  // naming the module when the adapter does not fit this model (a missing layer, other shapes).
  void load_adapter(const std::string& path_or_id, const std::string& adapter_name = "default");
  void set_adapter(const std::string& adapter_name);
  void disable_adapters();  // compute with the base weights, adapters kept
  void enable_adapters();
  void delete_adapter(const std::string& adapter_name);
  std::vector<std::string> active_adapters() const;  // empty when none is active or they are disabled
  std::vector<std::string> adapter_names() const;    // in load order
  // Folds the active adapter into the weights (copies of the base's; one call, no per-token cost);
  // unmerge_adapter() returns to the base weights exactly. merge_and_unload() keeps the merged
  // weights as the model's own and forgets the adapters, as PEFT's merge_and_unload.
  void merge_adapter();
  void unmerge_adapter();
  void merge_and_unload();
  // Writes config.json, model.safetensors (and the base folder's generation_config.json): the
  // checkpoint the model was loaded from with every merged layer's weights in place of the base's
  // (merge_and_unload() then save_pretrained() makes a plain model). Throws for random weights,
  // which have no checkpoint.
  void save_pretrained(const std::string& folder) const;

  // The index of this model's linear layers (nn::Weights::adapter_index()); the Auto loaders set it.
  void set_adapter_index(std::shared_ptr<nn::AdapterIndex> index) { adapter_index_ = std::move(index); }

 private:
  nn::AdapterIndex& adapters() const;
  std::shared_ptr<nn::AdapterIndex> adapter_index_;
};

}  // namespace transformers
