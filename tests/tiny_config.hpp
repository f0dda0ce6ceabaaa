#pragma once
// A tiny config in the spirit of transformers' model testers, with both families' field names
// (BERT's and DistilBERT's), for building any registered model with random weights.
#include <string>

#include "transformers/config/pretrained_config.hpp"

inline transformers::PretrainedConfig tiny_config(const std::string& model_type) {
  return transformers::PretrainedConfig::from_json(
      {{"model_type", model_type}, {"vocab_size", 99}, {"hidden_size", 32}, {"num_hidden_layers", 2},
       {"num_attention_heads", 4}, {"intermediate_size", 37}, {"dim", 32}, {"n_layers", 2}, {"n_heads", 4},
       {"hidden_dim", 37}, {"max_position_embeddings", 64}, {"num_labels", 3}},
      "tiny " + model_type + " config");
}
