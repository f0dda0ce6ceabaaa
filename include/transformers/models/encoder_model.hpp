#pragma once
// What every encoder family's base model shares: the config fields all families have, under
// transformers' common names, and the model class that keeps config.json with the family's config.
// The shared heads (models/model_with_head.hpp) read their sizes from these fields.
#include <cstdint>
#include <string>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/modeling_outputs.hpp"

namespace transformers {

// Each family's config (BertConfig, AlbertConfig...) extends this with its own fields.
struct EncoderConfig {
  int64_t vocab_size = 0, hidden_size = 0, num_hidden_layers = 0, num_attention_heads = 0, intermediate_size = 0;
  int64_t max_position_embeddings = 0;
  std::string hidden_act;
  double layer_norm_eps = 0.0;
  bool tie_word_embeddings = true;

  // config.json's values of these fields; `defaults` (transformers' <Arch>Config defaults) for the
  // fields it leaves out.
  static EncoderConfig read(const PretrainedConfig& c, const EncoderConfig& defaults) {
    return {c.get<int64_t>("vocab_size", defaults.vocab_size),
            c.get<int64_t>("hidden_size", defaults.hidden_size),
            c.get<int64_t>("num_hidden_layers", defaults.num_hidden_layers),
            c.get<int64_t>("num_attention_heads", defaults.num_attention_heads),
            c.get<int64_t>("intermediate_size", defaults.intermediate_size),
            c.get<int64_t>("max_position_embeddings", defaults.max_position_embeddings),
            c.get<std::string>("hidden_act", defaults.hidden_act),
            c.get<double>("layer_norm_eps", defaults.layer_norm_eps),
            c.get<bool>("tie_word_embeddings", defaults.tie_word_embeddings)};
  }

  // Throws FileError unless the attention heads split hidden_size evenly; the fields are named as
  // config.json names them (DistilBERT: dim, n_heads).
  void check_heads_divide_hidden(const PretrainedConfig& c, const std::string& hidden_field = "hidden_size",
                                 const std::string& heads_field = "num_attention_heads") const {
    if (num_attention_heads <= 0 || hidden_size % num_attention_heads != 0)
      throw FileError(c.source + ": " + hidden_field + " " + std::to_string(hidden_size) + " is not a multiple of " +
                      heads_field + " " + std::to_string(num_attention_heads));
  }
};

// A family's base model: config.json and the family's config (Config::from(config.json)).
template <typename Config>
class EncoderModel : public PreTrainedModel {
 public:
  const PretrainedConfig& config() const override { return config_; }
  const Config& family_config() const { return family_config_; }

 protected:
  explicit EncoderModel(const PretrainedConfig& config) : config_(config), family_config_(Config::from(config)) {}

 private:
  PretrainedConfig config_;
  Config family_config_;
};

}  // namespace transformers
