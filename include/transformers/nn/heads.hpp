#pragma once
// What encoder families put on top of their layers in the same form - the tanh pooler and the task
// heads - with transformers' weight names passed in. Each reads the base model's output and adds
// its own: pooler_output, logits, or start and end logits. Dropout is the identity at inference.
#include <string>

#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers::nn {

// BertPooler (also ALBERT's and MPNet's): pooler_output [batch, hidden] = tanh(dense(h[:, 0])). A
// pooler the model is built without (Part) leaves pooler_output undefined.
struct TanhPooler {
  Linear dense;

  static TanhPooler load(const Weights& w, const std::string& name, int64_t hidden, Part part) {
    return {Linear::load(w, name, hidden, hidden, part, "pooler_output")};
  }
  void operator()(ModelOutput& out) const {
    if (dense.weight.defined()) out.pooler_output = ops::tanh(dense(out.last_hidden_state.select(1, 0)));
  }
};

// Sequence classification on the tanh pooler (BERT, ALBERT): logits [batch, num_labels] =
// classifier(pooler_output).
struct PooledClassificationHead {
  Linear classifier;

  static PooledClassificationHead load(const Weights& w, int64_t hidden, int64_t num_labels) {
    return {Linear::load(w, "classifier", hidden, num_labels)};
  }
  void operator()(ModelOutput& out) const { out.logits = classifier(out.pooler_output); }
};

// Sequence classification on the first token: logits [batch, num_labels] =
// out_proj(activation(dense(h[:, 0]))). transformers names the two layers classifier.dense /
// classifier.out_proj (RoBERTa, ELECTRA, MPNet), pre_classifier / classifier (DistilBERT) or
// pooler.dense / classifier (DeBERTa's ContextPooler).
struct FirstTokenClassificationHead {
  Linear dense, out_proj;
  std::string activation;

  static FirstTokenClassificationHead load(const Weights& w, const std::string& dense, const std::string& out_proj,
                                           int64_t hidden, int64_t num_labels, std::string activation) {
    return {Linear::load(w, dense, hidden, hidden), Linear::load(w, out_proj, hidden, num_labels),
            std::move(activation)};
  }
  void operator()(ModelOutput& out) const {
    out.logits = out_proj(dense(out.last_hidden_state.select(1, 0), {.activation = activation}));
  }
};

// Token classification: logits [batch, seq, num_labels] = classifier(last_hidden_state).
struct TokenClassificationHead {
  Linear classifier;

  static TokenClassificationHead load(const Weights& w, int64_t hidden, int64_t num_labels) {
    return {Linear::load(w, "classifier", hidden, num_labels)};
  }
  void operator()(ModelOutput& out) const { out.logits = classifier(out.last_hidden_state); }
};

// qa_outputs: Linear(hidden, 2) over every token, split into start and end logits [batch, seq].
struct QuestionAnsweringHead {
  Linear qa_outputs;

  static QuestionAnsweringHead load(const Weights& w, int64_t hidden) {
    return {Linear::load(w, "qa_outputs", hidden, 2)};
  }
  void operator()(ModelOutput& out) const {
    Tensor both = qa_outputs(out.last_hidden_state);  // [batch, seq, 2]
    out.start_logits = both.select(2, 0).contiguous();
    out.end_logits = both.select(2, 1).contiguous();
  }
};

// A masked-LM decoder tied to the input embeddings: logits = x . word_embeddings^T + bias.
// save_pretrained leaves the tied decoder weight out of the file, so it is taken from the
// embeddings; the bias is the head's own tensor.
struct TiedDecoder {
  Tensor weight;  // [vocab, dim]: the word embeddings, unless the model unties them
  Tensor bias;    // [vocab]

  // decoder: the decoder's name ("cls.predictions.decoder"); bias: the head's bias
  // ("cls.predictions.bias"), which older checkpoints store as decoder.bias instead.
  static TiedDecoder load(const Weights& w, const std::string& decoder, const std::string& bias,
                          const Tensor& word_embeddings, bool tie_word_embeddings) {
    const int64_t vocab = word_embeddings.size(0), dim = word_embeddings.size(1);
    TiedDecoder head;
    head.weight = tie_word_embeddings ? word_embeddings : w.get(decoder + ".weight", {vocab, dim});
    head.bias = w.contains(bias) ? w.get(bias, {vocab}) : w.get(decoder + ".bias", {vocab});
    return head;
  }
  Tensor operator()(const Tensor& x) const { return ops::linear(x, weight, bias); }
};

// The masked-LM head of every encoder family (transformers' <Arch>LMPredictionHead, LMHead,
// generator_predictions...): dense (hidden -> the embeddings' width) -> activation -> LayerNorm ->
// a decoder tied to the word embeddings. logits [batch, seq, vocab].
struct MaskedLmHead {
  // The head's weight names, e.g. BERT's cls.predictions.transform.dense,
  // cls.predictions.transform.LayerNorm, cls.predictions.decoder, cls.predictions.bias.
  struct Names {
    std::string dense, layer_norm, decoder, bias;
  };

  Linear dense;
  std::string activation;
  LayerNorm layer_norm;
  TiedDecoder decoder;

  static MaskedLmHead load(const Weights& w, const Names& names, int64_t hidden, std::string activation,
                           double layer_norm_eps, const Tensor& word_embeddings, bool tie_word_embeddings) {
    const int64_t width = word_embeddings.size(1);
    return {Linear::load(w, names.dense, hidden, width), std::move(activation),
            LayerNorm::load(w, names.layer_norm, width, layer_norm_eps),
            TiedDecoder::load(w, names.decoder, names.bias, word_embeddings, tie_word_embeddings)};
  }
  void operator()(ModelOutput& out) const {
    out.logits = decoder(layer_norm(dense(out.last_hidden_state, {.activation = activation})));
  }
};

}  // namespace transformers::nn
