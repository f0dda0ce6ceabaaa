#pragma once
// Marian (the opus-mt translation models), read like transformers' modeling_marian.py: BART's
// post-norm stacks (models/bart.hpp) with fixed sinusoidal positions from 0 instead of a learned
// table, no layernorm_embedding, embeddings scaled by sqrt(d_model) in the checkpoints that say so,
// and optionally separate source and target vocabularies (share_encoder_decoder_embeddings false,
// decoder_vocab_size) with the head tied to the target one.
#include "transformers/models/bart.hpp"

namespace transformers {

struct MarianFamily {
  static bart::Layout layout() { return {false, false}; }
  static nlohmann::json tiny_config() {
    nlohmann::json config = BartFamily::tiny_config();
    config.update({{"scale_embedding", true},
                   {"activation_function", "swish"},
                   {"pad_token_id", 98},
                   {"decoder_start_token_id", 98},
                   {"eos_token_id", 0}});
    return config;
  }
};

using MarianModel = BartStyleModel<MarianFamily>;
using MarianMTModel = BartStyleForConditionalGeneration<MarianFamily>;

}  // namespace transformers
