#pragma once
// BERT, read top to bottom like transformers' modeling_bert.py: embeddings, a stack of post-norm
// encoder layers, the tanh pooler, and the task heads. RoBERTa and ELECTRA reuse the encoder
// (roberta.hpp, electra.hpp): their files are copies of BERT's in transformers too.
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/encoder_model.hpp"
#include "transformers/models/model_with_head.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/encoder_layer.hpp"
#include "transformers/nn/heads.hpp"
#include "transformers/nn/layers.hpp"
#include "transformers/nn/positions.hpp"

namespace transformers {

// How position ids are made: BERT counts 0, 1, 2...; RoBERTa counts real tokens from
// padding_idx + 1 and gives padding the id padding_idx.
enum class PositionIds { Absolute, PaddingOffset };

struct BertConfig : EncoderConfig {
  int64_t type_vocab_size, embedding_size, pad_token_id;

  // transformers' BertConfig defaults for anything config.json leaves out. embedding_size is
  // ELECTRA's (it defaults to hidden_size).
  static BertConfig from(const PretrainedConfig& c) {
    const EncoderConfig common = read(c, {.vocab_size = 30522,
                                          .hidden_size = 768,
                                          .num_hidden_layers = 12,
                                          .num_attention_heads = 12,
                                          .intermediate_size = 3072,
                                          .max_position_embeddings = 512,
                                          .hidden_act = "gelu",
                                          .layer_norm_eps = 1e-12,
                                          .tie_word_embeddings = true});
    BertConfig b{common, c.get<int64_t>("type_vocab_size", 2), c.get<int64_t>("embedding_size", common.hidden_size),
                 c.get<int64_t>("pad_token_id", 0)};
    const std::string position_type = c.get<std::string>("position_embedding_type", "absolute");
    if (position_type != "absolute")
      throw FileError(c.source + ": position_embedding_type '" + position_type + "' is not supported (only absolute)");
    b.check_heads_divide_hidden(c);
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
      sum = ops::add(
          sum, token_type(token_type_ids.defined() ? token_type_ids : Tensor::zeros(input_ids.shape(), DType::I64)));
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

// BertModel's body - embeddings (+ ELECTRA's projection when embedding_size != hidden_size),
// layers, optional pooler - which RoBERTa and ELECTRA run under their own layout.
class Encoder : public EncoderModel<BertConfig> {
 public:
  // A config as small as transformers' model testers use, for tests and benchmarks.
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99},         {"hidden_size", 32},       {"num_hidden_layers", 2},
            {"num_attention_heads", 4}, {"intermediate_size", 37}, {"max_position_embeddings", 64},
            {"num_labels", 3}};
  }

  Encoder(const PretrainedConfig& config, const nn::Weights& w, const Layout& layout) : EncoderModel(config) {
    const BertConfig& c = family_config();
    const std::string& p = layout.prefix;
    embeddings_ = Embeddings::load(w, p + ".embeddings", c, layout.positions);
    if (c.embedding_size != c.hidden_size)
      projection_ = nn::Linear::load(w, p + ".embeddings_project", c.embedding_size, c.hidden_size);
    for (int64_t i = 0; i < c.num_hidden_layers; ++i)
      layers_.push_back(load_layer(w, p + ".encoder.layer." + std::to_string(i), c));
    pooler_ = nn::TanhPooler::load(w, p + ".pooler.dense", c.hidden_size, layout.pooler);
  }

  ModelOutput forward(const ModelInputs& given, bool output_hidden_states = false) const override {
    const ModelInputs in = inputs_on(given, embeddings_.word.weight.device());
    ModelOutput out;
    Tensor hidden = embeddings_(in.input_ids, in.token_type_ids);
    if (projection_.weight.defined()) hidden = projection_(hidden);
    out.last_hidden_state = nn::run_layers(layers_, hidden, attention_mask_or_ones(in),
                                           output_hidden_states ? &out.hidden_states : nullptr);
    pooler_(out);
    return out;
  }

  const Tensor& word_embeddings() const { return embeddings_.word.weight; }

 private:
  Embeddings embeddings_;
  nn::Linear projection_;
  std::vector<Layer> layers_;
  nn::TanhPooler pooler_;
};

}  // namespace bert

class BertModel final : public bert::Encoder {
 public:
  static constexpr const char* base_model_prefix = "bert";
  // pooler: IfPresent for the base model, which may be read from a head checkpoint saved without it.
  BertModel(const PretrainedConfig& config, const nn::Weights& w, nn::Part pooler = nn::Part::IfPresent)
      : Encoder(config, w, {base_model_prefix, PositionIds::Absolute, pooler}) {}
};

namespace bert {
// BertOnlyMLMHead: cls.predictions.transform (dense, hidden_act, LayerNorm), then the decoder tied
// to the word embeddings with cls.predictions.bias.
inline const MaskedLmSpec kMlmHead{{"cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
                                    "cls.predictions.decoder", "cls.predictions.bias"}};
}  // namespace bert

using BertForSequenceClassification = ForSequenceClassificationOnPooler<BertModel>;
using BertForTokenClassification = ForTokenClassification<BertModel>;
using BertForQuestionAnswering = ForQuestionAnswering<BertModel>;
using BertForMaskedLM = ForMaskedLM<BertModel, bert::kMlmHead>;

}  // namespace transformers
