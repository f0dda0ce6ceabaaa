#pragma once
// Gemma, read like transformers' modeling_gemma.py: Llama's layers with GemmaRMSNorm (weights stored
// zero-centred, applied as 1 + weight), token embeddings scaled by sqrt(hidden_size) (the constant in
// the weights' dtype), a GELU-tanh gated MLP, and the LM head tied to the embeddings.
#include <cmath>
#include <string>

#include "transformers/models/decoder_model.hpp"

namespace transformers {

namespace gemma {

// sqrt(hidden_size) as transformers' normalizer: a tensor of the embeddings' dtype.
inline float embedding_scale(int64_t hidden_size, DType dtype) {
  const Tensor scale = Tensor::full({1}, std::sqrt(static_cast<double>(hidden_size)), DType::F32).to(dtype);
  return static_cast<float>(scale.item());
}

constexpr nn::RMSNorm::Offset kNorm = nn::RMSNorm::Offset::PlusOne;

}  // namespace gemma

struct GemmaConfig : DecoderConfig {
  static GemmaConfig from(const PretrainedConfig& c) {
    GemmaConfig g;
    static_cast<DecoderConfig&>(g) = read(c, {.vocab_size = 256000,
                                              .hidden_size = 3072,
                                              .num_hidden_layers = 28,
                                              .num_attention_heads = 16,
                                              .head_dim = 256,
                                              .intermediate_size = 24576,
                                              .max_position_embeddings = 8192,
                                              .hidden_act = "gelu_pytorch_tanh",
                                              .norm_eps = 1e-6,
                                              .tie_word_embeddings = true});
    // Gemma 1 checkpoints say "gelu" and mean the tanh approximation (GemmaConfig rewrites it).
    if (g.hidden_act == "gelu") g.hidden_act = "gelu_pytorch_tanh";
    if (c.get<bool>("use_bidirectional_attention", false))
      throw FileError(c.source + ": use_bidirectional_attention is not supported (causal decoders only)");
    g.check(c);
    return g;
  }
};

class GemmaModel final : public DecoderModel<GemmaConfig> {
 public:
  static constexpr const char* base_model_prefix = "model";
  static constexpr const char* lm_head = "lm_head";
  static nlohmann::json tiny_config() {
    return {
        {"vocab_size", 99},         {"hidden_size", 32}, {"num_hidden_layers", 2},  {"num_attention_heads", 4},
        {"num_key_value_heads", 1}, {"head_dim", 16},    {"intermediate_size", 37}, {"max_position_embeddings", 64}};
  }

  GemmaModel(const PretrainedConfig& config, const nn::Weights& w) : DecoderModel(config) {
    const GemmaConfig& c = family_config();
    load_llama_layout(w, decoder::rotary(config, c), {.norm_offset = gemma::kNorm}, decoder::gated_mlps(w, c));
    embed_scale_ = gemma::embedding_scale(c.hidden_size, w.dtype());
  }
};

using GemmaForCausalLM = ForCausalLM<GemmaModel>;

}  // namespace transformers
