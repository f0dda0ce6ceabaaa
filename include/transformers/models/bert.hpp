#pragma once
// BERT, read top to bottom like transformers' modeling_bert.py: embeddings, a stack of post-norm
// encoder layers, the tanh pooler, and the sequence-classification head.
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers {

struct BertConfig {
  int64_t vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size;
  int64_t max_position_embeddings, type_vocab_size;
  std::string hidden_act;
  double layer_norm_eps;

  // transformers' BertConfig defaults for anything config.json leaves out.
  static BertConfig from(const PretrainedConfig& c) {
    BertConfig b{c.get<int64_t>("vocab_size", 30522), c.get<int64_t>("hidden_size", 768),
                 c.get<int64_t>("num_hidden_layers", 12), c.get<int64_t>("num_attention_heads", 12),
                 c.get<int64_t>("intermediate_size", 3072), c.get<int64_t>("max_position_embeddings", 512),
                 c.get<int64_t>("type_vocab_size", 2), c.get<std::string>("hidden_act", "gelu"),
                 c.get<double>("layer_norm_eps", 1e-12)};
    const std::string position_type = c.get<std::string>("position_embedding_type", "absolute");
    if (position_type != "absolute")
      throw FileError(c.source + ": position_embedding_type '" + position_type + "' is not supported (only absolute)");
    if (b.num_attention_heads <= 0 || b.hidden_size % b.num_attention_heads != 0)
      throw FileError(c.source + ": hidden_size " + std::to_string(b.hidden_size) +
                      " is not a multiple of num_attention_heads " + std::to_string(b.num_attention_heads));
    return b;
  }
};

namespace bert {

// [batch, seq] integer mask (1 = token) from the inputs, all ones when not given.
inline Tensor attention_mask_or_ones(const ModelInputs& in) {
  return in.attention_mask.defined() ? in.attention_mask : Tensor::full(in.input_ids.shape(), 1.0, DType::I64);
}

struct Embeddings {
  nn::Embedding word, position, token_type;
  nn::LayerNorm norm;

  static Embeddings load(const nn::Weights& w, const std::string& p, const BertConfig& c) {
    return {nn::Embedding::load(w, p + ".word_embeddings", c.vocab_size, c.hidden_size),
            nn::Embedding::load(w, p + ".position_embeddings", c.max_position_embeddings, c.hidden_size),
            nn::Embedding::load(w, p + ".token_type_embeddings", c.type_vocab_size, c.hidden_size),
            nn::LayerNorm::load(w, p + ".LayerNorm", c.hidden_size, c.layer_norm_eps)};
  }

  Tensor operator()(const Tensor& input_ids, const Tensor& token_type_ids) const {
    const int64_t seq = input_ids.size(1);
    if (seq > position.weight.size(0))
      throw InvalidArgument("BERT: sequence of " + std::to_string(seq) + " tokens exceeds max_position_embeddings " +
                            std::to_string(position.weight.size(0)));
    Tensor types = token_type_ids.defined() ? token_type_ids : Tensor::zeros(input_ids.shape(), DType::I64);
    Tensor sum = ops::add(ops::add(word(input_ids), token_type(types)), position(Tensor::arange(seq)));
    return norm(sum);
  }
};

struct Layer {
  nn::Linear query, key, value, attention_output, intermediate, output;
  nn::LayerNorm attention_norm, output_norm;
  int64_t heads;
  std::string activation;

  static Layer load(const nn::Weights& w, const std::string& p, const BertConfig& c) {
    const int64_t h = c.hidden_size, i = c.intermediate_size;
    return {nn::Linear::load(w, p + ".attention.self.query", h, h),
            nn::Linear::load(w, p + ".attention.self.key", h, h),
            nn::Linear::load(w, p + ".attention.self.value", h, h),
            nn::Linear::load(w, p + ".attention.output.dense", h, h),
            nn::Linear::load(w, p + ".intermediate.dense", h, i),
            nn::Linear::load(w, p + ".output.dense", i, h),
            nn::LayerNorm::load(w, p + ".attention.output.LayerNorm", h, c.layer_norm_eps),
            nn::LayerNorm::load(w, p + ".output.LayerNorm", h, c.layer_norm_eps),
            c.num_attention_heads,
            c.hidden_act};
  }

  Tensor operator()(const Tensor& hidden, const Tensor& mask) const {
    ops::AttentionOptions options;
    options.mask = mask;
    Tensor context = ops::attention(nn::split_heads(query(hidden), heads), nn::split_heads(key(hidden), heads),
                                    nn::split_heads(value(hidden), heads), options);
    Tensor attended = attention_norm(ops::add(attention_output(nn::merge_heads(context)), hidden));
    return output_norm(ops::add(output(ops::activation(intermediate(attended), activation)), attended));
  }
};

}  // namespace bert

class BertModel final : public PreTrainedModel {
 public:
  static constexpr const char* base_model_prefix = "bert";

  BertModel(const PretrainedConfig& config, const nn::Weights& w, bool add_pooling_layer = true)
      : config_(config), bert_config_(BertConfig::from(config)) {
    const std::string p = base_model_prefix;
    embeddings_ = bert::Embeddings::load(w, p + ".embeddings", bert_config_);
    for (int64_t i = 0; i < bert_config_.num_hidden_layers; ++i)
      layers_.push_back(bert::Layer::load(w, p + ".encoder.layer." + std::to_string(i), bert_config_));
    if (add_pooling_layer)
      pooler_ = nn::Linear::load(w, p + ".pooler.dense", bert_config_.hidden_size, bert_config_.hidden_size);
  }

  static BertModel from_pretrained(const std::string& folder) {
    return BertModel(PretrainedConfig::from_pretrained(folder),
                     nn::Weights(safetensors::Checkpoint::open(folder), base_model_prefix));
  }

  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out;
    Tensor hidden = embeddings_(in.input_ids, in.token_type_ids);
    const Tensor mask = bert::attention_mask_or_ones(in);
    if (output_hidden_states) out.hidden_states.push_back(hidden);
    for (const bert::Layer& layer : layers_) {
      hidden = layer(hidden, mask);
      if (output_hidden_states) out.hidden_states.push_back(hidden);
    }
    out.last_hidden_state = hidden;
    if (pooler_.weight.defined()) out.pooler_output = ops::tanh(pooler_(hidden.select(1, 0)));
    return out;
  }

  const PretrainedConfig& config() const override { return config_; }

 private:
  PretrainedConfig config_;
  BertConfig bert_config_;
  bert::Embeddings embeddings_;
  std::vector<bert::Layer> layers_;
  nn::Linear pooler_;
};

class BertForSequenceClassification final : public PreTrainedModel {
 public:
  BertForSequenceClassification(const PretrainedConfig& config, const nn::Weights& w)
      : bert_(config, w),
        classifier_(nn::Linear::load(w, "classifier", BertConfig::from(config).hidden_size, config.num_labels())) {}

  static BertForSequenceClassification from_pretrained(const std::string& folder) {
    return BertForSequenceClassification(PretrainedConfig::from_pretrained(folder),
                                         nn::Weights(safetensors::Checkpoint::open(folder), BertModel::base_model_prefix));
  }

  // logits [batch, num_labels] = classifier(pooler_output); dropout is the identity at inference.
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = bert_.forward(in, output_hidden_states);
    out.logits = classifier_(out.pooler_output);
    return out;
  }

  const PretrainedConfig& config() const override { return bert_.config(); }

 private:
  BertModel bert_;
  nn::Linear classifier_;
};

}  // namespace transformers
