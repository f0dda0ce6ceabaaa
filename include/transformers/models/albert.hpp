#pragma once
// ALBERT, read top to bottom like transformers' modeling_albert.py: factorized embeddings
// (embedding_size, mapped to hidden_size by the encoder), post-norm layers shared across the
// stack in groups (num_hidden_groups groups of inner_group_num layers), the tanh pooler, and the
// task heads.
#include <string>
#include <vector>

#include "transformers/config/pretrained_config.hpp"
#include "transformers/models/encoder_model.hpp"
#include "transformers/models/model_with_head.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/encoder_layer.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers {

struct AlbertConfig : EncoderConfig {
  int64_t embedding_size, num_hidden_groups, inner_group_num, type_vocab_size;

  // transformers' AlbertConfig defaults (albert-xxlarge's sizes) for anything config.json leaves out.
  static AlbertConfig from(const PretrainedConfig& c) {
    AlbertConfig a{read(c, {.vocab_size = 30000,
                            .hidden_size = 4096,
                            .num_hidden_layers = 12,
                            .num_attention_heads = 64,
                            .intermediate_size = 16384,
                            .max_position_embeddings = 512,
                            .hidden_act = "gelu_new",
                            .layer_norm_eps = 1e-12,
                            .tie_word_embeddings = true}),
                   c.get<int64_t>("embedding_size", 128), c.get<int64_t>("num_hidden_groups", 1),
                   c.get<int64_t>("inner_group_num", 1), c.get<int64_t>("type_vocab_size", 2)};
    a.check_heads_divide_hidden(c);
    if (a.num_hidden_groups <= 0 || a.num_hidden_groups > a.num_hidden_layers || a.inner_group_num <= 0)
      throw FileError(c.source + ": num_hidden_groups " + std::to_string(a.num_hidden_groups) +
                      " must be in [1, num_hidden_layers " + std::to_string(a.num_hidden_layers) +
                      "] and inner_group_num " + std::to_string(a.inner_group_num) + " positive");
    return a;
  }
};

namespace albert {

// Word, position and token-type embeddings of embedding_size, summed and normalized.
struct Embeddings {
  nn::Embedding word_embeddings, position_embeddings, token_type_embeddings;
  nn::LayerNorm norm;

  static Embeddings load(const nn::Weights& w, const std::string& p, const AlbertConfig& c) {
    return {nn::Embedding::load(w, p + ".word_embeddings", c.vocab_size, c.embedding_size),
            nn::Embedding::load(w, p + ".position_embeddings", c.max_position_embeddings, c.embedding_size),
            nn::Embedding::load(w, p + ".token_type_embeddings", c.type_vocab_size, c.embedding_size),
            nn::LayerNorm::load(w, p + ".LayerNorm", c.embedding_size, c.layer_norm_eps)};
  }

  Tensor operator()(const Tensor& input_ids, const Tensor& token_type_ids) const {
    const int64_t seq = input_ids.size(1);
    if (seq > position_embeddings.weight.size(0))
      throw InvalidArgument("ALBERT: sequence of " + std::to_string(seq) + " tokens exceeds max_position_embeddings " +
                            std::to_string(position_embeddings.weight.size(0)));
    Tensor types = token_type_ids.defined() ? token_type_ids : Tensor::zeros(input_ids.shape(), DType::I64);
    Tensor sum = ops::add(ops::add(word_embeddings(input_ids), token_type_embeddings(types)),
                          position_embeddings(Tensor::arange(seq)));
    return norm(sum);
  }
};

// AlbertLayer: BERT's post-norm layer under ALBERT's weight names.
using Layer = nn::PostNormLayer;

inline Layer load_layer(const nn::Weights& w, const std::string& prefix, const AlbertConfig& c) {
  return Layer::load(w, prefix,
                     {"attention.query", "attention.key", "attention.value", "attention.dense", "attention.LayerNorm",
                      "ffn", "ffn_output", "full_layer_layer_norm"},
                     {c.hidden_size, c.intermediate_size, c.num_attention_heads, c.layer_norm_eps, c.hidden_act});
}

// AlbertTransformer: embedding_hidden_mapping_in, then num_hidden_layers passes through the layer
// groups; pass i uses group int(i / (num_hidden_layers / num_hidden_groups)), and a group runs its
// inner_group_num layers in turn. Every layer run is one entry of hidden_states, after the
// mapped embeddings.
struct Transformer {
  nn::Linear embedding_hidden_mapping_in;
  std::vector<std::vector<Layer>> albert_layer_groups;
  int64_t num_hidden_layers = 0;

  static Transformer load(const nn::Weights& w, const std::string& p, const AlbertConfig& c) {
    Transformer t;
    t.embedding_hidden_mapping_in =
        nn::Linear::load(w, p + ".embedding_hidden_mapping_in", c.embedding_size, c.hidden_size);
    for (int64_t g = 0; g < c.num_hidden_groups; ++g) {
      std::vector<Layer> group;
      for (int64_t j = 0; j < c.inner_group_num; ++j)
        group.push_back(
            load_layer(w, p + ".albert_layer_groups." + std::to_string(g) + ".albert_layers." + std::to_string(j), c));
      t.albert_layer_groups.push_back(std::move(group));
    }
    t.num_hidden_layers = c.num_hidden_layers;
    return t;
  }

  Tensor operator()(const Tensor& embeddings, const Tensor& mask, std::vector<Tensor>* hidden_states) const {
    Tensor hidden = embedding_hidden_mapping_in(embeddings);
    if (hidden_states) hidden_states->push_back(hidden);
    const double layers_per_group =
        static_cast<double>(num_hidden_layers) / static_cast<double>(albert_layer_groups.size());
    for (int64_t i = 0; i < num_hidden_layers; ++i) {
      const auto group = static_cast<size_t>(static_cast<double>(i) / layers_per_group);
      for (const Layer& layer : albert_layer_groups[group]) {
        hidden = layer(hidden, mask);
        if (hidden_states) hidden_states->push_back(hidden);
      }
    }
    return hidden;
  }
};

}  // namespace albert

class AlbertModel final : public EncoderModel<AlbertConfig> {
 public:
  static constexpr const char* base_model_prefix = "albert";
  // A config as small as transformers' model testers use, for tests and benchmarks.
  static nlohmann::json tiny_config() {
    return {{"vocab_size", 99},
            {"embedding_size", 16},
            {"hidden_size", 32},
            {"num_hidden_layers", 2},
            {"num_attention_heads", 4},
            {"intermediate_size", 37},
            {"max_position_embeddings", 64},
            {"num_labels", 3}};
  }

  // pooler: IfPresent for the base model, which may be read from a head checkpoint saved without it.
  AlbertModel(const PretrainedConfig& config, const nn::Weights& w, nn::Part pooler = nn::Part::IfPresent)
      : EncoderModel(config) {
    const std::string p = base_model_prefix;
    const AlbertConfig& c = family_config();
    embeddings_ = albert::Embeddings::load(w, p + ".embeddings", c);
    encoder_ = albert::Transformer::load(w, p + ".encoder", c);
    pooler_ = nn::TanhPooler::load(w, p + ".pooler", c.hidden_size, pooler);
  }

  ModelOutput forward(const ModelInputs& given, bool output_hidden_states = false) const override {
    const ModelInputs in = inputs_on(given, embeddings_.word_embeddings.weight.device());
    ModelOutput out;
    Tensor embedded = embeddings_(in.input_ids, in.token_type_ids);
    out.last_hidden_state =
        encoder_(embedded, attention_mask_or_ones(in), output_hidden_states ? &out.hidden_states : nullptr);
    pooler_(out);
    return out;
  }

  const Tensor& word_embeddings() const { return embeddings_.word_embeddings.weight; }

 private:
  albert::Embeddings embeddings_;
  albert::Transformer encoder_;
  nn::TanhPooler pooler_;
};

namespace albert {
// AlbertMLMHead: dense (hidden -> embedding_size) -> hidden_act -> LayerNorm -> decoder, whose
// weight is tied to the word embeddings [vocab, embedding_size] and whose bias is predictions.bias.
inline const MaskedLmSpec kMlmHead{
    {"predictions.dense", "predictions.LayerNorm", "predictions.decoder", "predictions.bias"}};
}  // namespace albert

// Sequence classification: single-label, multi-label and regression differ only in num_labels (and
// the loss, which inference does not compute).
using AlbertForSequenceClassification = ForSequenceClassificationOnPooler<AlbertModel>;
using AlbertForTokenClassification = ForTokenClassification<AlbertModel>;
using AlbertForQuestionAnswering = ForQuestionAnswering<AlbertModel>;
using AlbertForMaskedLM = ForMaskedLM<AlbertModel, albert::kMlmHead>;

}  // namespace transformers
