#pragma once
// BERT, read top to bottom like transformers' modeling_bert.py: embeddings, a stack of post-norm
// encoder layers, the tanh pooler, and the task heads. RoBERTa and ELECTRA reuse the encoder
// (roberta.hpp, electra.hpp): their files are copies of BERT's in transformers too.
#include <memory>
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/encoder_layer.hpp"
#include "transformers/nn/heads.hpp"
#include "transformers/nn/layers.hpp"
#include "transformers/nn/positions.hpp"

namespace transformers {

// How position ids are made: BERT counts 0, 1, 2...; RoBERTa counts real tokens from
// padding_idx + 1 and gives padding the id padding_idx.
enum class PositionIds { Absolute, PaddingOffset };

struct BertConfig {
  int64_t vocab_size, hidden_size, num_hidden_layers, num_attention_heads, intermediate_size;
  int64_t max_position_embeddings, type_vocab_size, embedding_size, pad_token_id;
  std::string hidden_act;
  double layer_norm_eps;
  int64_t num_labels;
  bool tie_word_embeddings;

  // transformers' BertConfig defaults for anything config.json leaves out. embedding_size is
  // ELECTRA's (it defaults to hidden_size).
  static BertConfig from(const PretrainedConfig& c) {
    const int64_t hidden = c.get<int64_t>("hidden_size", 768);
    BertConfig b{c.get<int64_t>("vocab_size", 30522), hidden, c.get<int64_t>("num_hidden_layers", 12),
                 c.get<int64_t>("num_attention_heads", 12), c.get<int64_t>("intermediate_size", 3072),
                 c.get<int64_t>("max_position_embeddings", 512), c.get<int64_t>("type_vocab_size", 2),
                 c.get<int64_t>("embedding_size", hidden), c.get<int64_t>("pad_token_id", 0),
                 c.get<std::string>("hidden_act", "gelu"), c.get<double>("layer_norm_eps", 1e-12), c.num_labels(),
                 c.tie_word_embeddings};
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


struct Embeddings {
  nn::Embedding word, position, token_type;  // token_type undefined when type_vocab_size is 0
  nn::LayerNorm norm;
  PositionIds positions;
  int64_t padding_idx;

  static Embeddings load(const nn::Weights& w, const std::string& p, const BertConfig& c, PositionIds positions) {
    Embeddings e;
    e.word = nn::Embedding::load(w, p + ".word_embeddings", c.vocab_size, c.embedding_size);
    e.position = nn::Embedding::load(w, p + ".position_embeddings", c.max_position_embeddings, c.embedding_size);
    if (c.type_vocab_size > 0)
      e.token_type = nn::Embedding::load(w, p + ".token_type_embeddings", c.type_vocab_size, c.embedding_size);
    e.norm = nn::LayerNorm::load(w, p + ".LayerNorm", c.embedding_size, c.layer_norm_eps);
    e.positions = positions;
    e.padding_idx = c.pad_token_id;
    return e;
  }

  Tensor operator()(const Tensor& input_ids, const Tensor& token_type_ids) const {
    const int64_t seq = input_ids.size(1);
    const int64_t needed = positions == PositionIds::Absolute ? seq : seq + padding_idx + 1;
    if (needed > position.weight.size(0))
      throw InvalidArgument("sequence of " + std::to_string(seq) + " tokens is longer than the " +
                            std::to_string(position.weight.size(0)) + " positions this model has");
    Tensor position_ids = positions == PositionIds::Absolute ? Tensor::arange(seq)
                                                             : nn::padding_offset_position_ids(input_ids, padding_idx);
    Tensor sum = ops::add(word(input_ids), position(position_ids));
    if (token_type.weight.defined())
      sum = ops::add(sum, token_type(token_type_ids.defined() ? token_type_ids : Tensor::zeros(input_ids.shape(), DType::I64)));
    return norm(sum);
  }
};

using Layer = nn::PostNormLayer;

inline Layer load_layer(const nn::Weights& w, const std::string& prefix, const BertConfig& c) {
  return Layer::load(w, prefix,
                     {"attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
                      "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm"},
                     {c.hidden_size, c.intermediate_size, c.num_attention_heads, c.layer_norm_eps, c.hidden_act});
}

// What differs between the BERT-shaped families.
struct Layout {
  std::string prefix;     // "bert", "roberta", "electra"
  PositionIds positions;  // how position ids are made
  nn::Part pooler;        // whether this model (as built) has the tanh pooler
};

// Embeddings (+ ELECTRA's projection when embedding_size != hidden_size), layers, optional pooler.
class Encoder {
 public:
  Encoder(const PretrainedConfig& config, const nn::Weights& w, const Layout& layout)
      : config_(config), bert_(BertConfig::from(config)) {
    const std::string& p = layout.prefix;
    embeddings_ = Embeddings::load(w, p + ".embeddings", bert_, layout.positions);
    if (bert_.embedding_size != bert_.hidden_size)
      projection_ = nn::Linear::load(w, p + ".embeddings_project", bert_.embedding_size, bert_.hidden_size);
    for (int64_t i = 0; i < bert_.num_hidden_layers; ++i)
      layers_.push_back(load_layer(w, p + ".encoder.layer." + std::to_string(i), bert_));
    pooler_ = nn::Linear::load(w, p + ".pooler.dense", bert_.hidden_size, bert_.hidden_size, layout.pooler, "pooler_output");
  }

  ModelOutput forward(const ModelInputs& given, bool output_hidden_states) const {
    const ModelInputs in = inputs_on(given, embeddings_.word.weight.device());
    ModelOutput out;
    Tensor hidden = embeddings_(in.input_ids, in.token_type_ids);
    if (projection_.weight.defined()) hidden = projection_(hidden);
    const Tensor mask = attention_mask_or_ones(in);
    if (output_hidden_states) out.hidden_states.push_back(hidden);
    for (const Layer& layer : layers_) {
      hidden = layer(hidden, mask);
      if (output_hidden_states) out.hidden_states.push_back(hidden);
    }
    out.last_hidden_state = hidden;
    if (pooler_.weight.defined()) out.pooler_output = ops::tanh(pooler_(hidden.select(1, 0)));
    return out;
  }

  const PretrainedConfig& config() const { return config_; }
  const BertConfig& sizes() const { return bert_; }
  const Tensor& word_embeddings() const { return embeddings_.word.weight; }

 private:
  PretrainedConfig config_;
  BertConfig bert_;
  Embeddings embeddings_;
  nn::Linear projection_;
  std::vector<Layer> layers_;
  nn::Linear pooler_;
};

// The heads every BERT-shaped family has in the same form, on top of any Encoder layout.
class TokenClassifier : public PreTrainedModel {
 public:
  TokenClassifier(const PretrainedConfig& config, const nn::Weights& w, const Layout& layout)
      : encoder_(config, w, {layout.prefix, layout.positions, nn::Part::Absent}),
        classifier_(nn::Linear::load(w, "classifier", encoder_.sizes().hidden_size, config.num_labels())) {}
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = encoder_.forward(in, output_hidden_states);
    out.logits = classifier_(out.last_hidden_state);
    return out;
  }
  const PretrainedConfig& config() const override { return encoder_.config(); }

 private:
  Encoder encoder_;
  nn::Linear classifier_;
};

class QuestionAnswerer : public PreTrainedModel {
 public:
  QuestionAnswerer(const PretrainedConfig& config, const nn::Weights& w, const Layout& layout)
      : encoder_(config, w, {layout.prefix, layout.positions, nn::Part::Absent}),
        head_(nn::QuestionAnsweringHead::load(w, encoder_.sizes().hidden_size)) {}
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = encoder_.forward(in, output_hidden_states);
    head_(out.last_hidden_state, out);
    return out;
  }
  const PretrainedConfig& config() const override { return encoder_.config(); }

 private:
  Encoder encoder_;
  nn::QuestionAnsweringHead head_;
};

// Sequence classification on the first token through dense -> activation -> out_proj
// (RoBERTa: tanh; ELECTRA: gelu), with weights classifier.dense / classifier.out_proj.
class FirstTokenClassifier : public PreTrainedModel {
 public:
  FirstTokenClassifier(const PretrainedConfig& config, const nn::Weights& w, const Layout& layout,
                       std::string activation)
      : encoder_(config, w, {layout.prefix, layout.positions, nn::Part::Absent}), activation_(std::move(activation)) {
    const int64_t hidden = encoder_.sizes().hidden_size;
    dense_ = nn::Linear::load(w, "classifier.dense", hidden, hidden);
    out_proj_ = nn::Linear::load(w, "classifier.out_proj", hidden, config.num_labels());
  }
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = encoder_.forward(in, output_hidden_states);
    out.logits = out_proj_(dense_(out.last_hidden_state.select(1, 0), {.activation = activation_}));
    return out;
  }
  const PretrainedConfig& config() const override { return encoder_.config(); }

 private:
  Encoder encoder_;
  std::string activation_;
  nn::Linear dense_, out_proj_;
};

// Masked LM: dense -> activation -> LayerNorm -> decoder tied to the word embeddings. `names`
// are the head's weight names; `width` the dense layer's output (hidden, or ELECTRA's
// embedding_size).
struct MaskedLmNames {
  std::string dense, norm, decoder, bias, activation;
};

class MaskedLanguageModel : public PreTrainedModel {
 public:
  MaskedLanguageModel(const PretrainedConfig& config, const nn::Weights& w, const Layout& layout,
                      const MaskedLmNames& names)
      : encoder_(config, w, {layout.prefix, layout.positions, nn::Part::Absent}), activation_(names.activation) {
    const BertConfig& c = encoder_.sizes();
    dense_ = nn::Linear::load(w, names.dense, c.hidden_size, c.embedding_size);
    norm_ = nn::LayerNorm::load(w, names.norm, c.embedding_size, c.layer_norm_eps);
    decoder_ = nn::TiedDecoder::load(w, names.decoder, names.bias, encoder_.word_embeddings(), c.tie_word_embeddings);
  }
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = encoder_.forward(in, output_hidden_states);
    out.logits = decoder_(norm_(dense_(out.last_hidden_state, {.activation = activation_})));
    return out;
  }
  const PretrainedConfig& config() const override { return encoder_.config(); }

 private:
  Encoder encoder_;
  std::string activation_;
  nn::Linear dense_;
  nn::LayerNorm norm_;
  nn::TiedDecoder decoder_;
};

inline const Layout kBertLayout{"bert", PositionIds::Absolute, nn::Part::Required};

// A base model's layout: its pooler may be missing from a head checkpoint.
inline Layout base_model_layout(Layout layout) {
  layout.pooler = nn::Part::IfPresent;
  return layout;
}

}  // namespace bert

class BertModel final : public PreTrainedModel {
 public:
  static constexpr const char* base_model_prefix = "bert";
  BertModel(const PretrainedConfig& config, const nn::Weights& w)
      : encoder_(config, w, bert::base_model_layout(bert::kBertLayout)) {}
  static BertModel from_pretrained(const std::string& folder) {
    return BertModel(PretrainedConfig::from_pretrained(folder), nn::Weights(safetensors::Checkpoint::open(folder), base_model_prefix));
  }
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    return encoder_.forward(in, output_hidden_states);
  }
  const PretrainedConfig& config() const override { return encoder_.config(); }

 private:
  bert::Encoder encoder_;
};

// logits = classifier(pooler_output); dropout is the identity at inference.
class BertForSequenceClassification final : public PreTrainedModel {
 public:
  BertForSequenceClassification(const PretrainedConfig& config, const nn::Weights& w)
      : encoder_(config, w, bert::kBertLayout),
        classifier_(nn::Linear::load(w, "classifier", encoder_.sizes().hidden_size, config.num_labels())) {}
  static BertForSequenceClassification from_pretrained(const std::string& folder) {
    return BertForSequenceClassification(PretrainedConfig::from_pretrained(folder),
                                         nn::Weights(safetensors::Checkpoint::open(folder), BertModel::base_model_prefix));
  }
  ModelOutput forward(const ModelInputs& in, bool output_hidden_states = false) const override {
    ModelOutput out = encoder_.forward(in, output_hidden_states);
    out.logits = classifier_(out.pooler_output);
    return out;
  }
  const PretrainedConfig& config() const override { return encoder_.config(); }

 private:
  bert::Encoder encoder_;
  nn::Linear classifier_;
};

// The remaining heads: the shared BERT-shaped heads with BERT's weight names.
class BertForTokenClassification final : public bert::TokenClassifier {
 public:
  BertForTokenClassification(const PretrainedConfig& c, const nn::Weights& w) : TokenClassifier(c, w, bert::kBertLayout) {}
};

class BertForQuestionAnswering final : public bert::QuestionAnswerer {
 public:
  BertForQuestionAnswering(const PretrainedConfig& c, const nn::Weights& w) : QuestionAnswerer(c, w, bert::kBertLayout) {}
};

class BertForMaskedLM final : public bert::MaskedLanguageModel {
 public:
  BertForMaskedLM(const PretrainedConfig& c, const nn::Weights& w)
      : MaskedLanguageModel(c, w, bert::kBertLayout,
                            {"cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
                             "cls.predictions.decoder", "cls.predictions.bias", c.get<std::string>("hidden_act", "gelu")}) {}
};

}  // namespace transformers
