#pragma once
// Task heads that many encoder families share, with transformers' weight names passed in.
#include <string>

#include "transformers/models/modeling_outputs.hpp"
#include "transformers/nn/layers.hpp"

namespace transformers::nn {

// qa_outputs: Linear(hidden, 2) over every token, split into start and end logits [batch, seq].
struct QuestionAnsweringHead {
  Linear qa_outputs;

  static QuestionAnsweringHead load(const Weights& w, int64_t hidden) {
    return {Linear::load(w, "qa_outputs", hidden, 2)};
  }
  void operator()(const Tensor& hidden, ModelOutput& out) const {
    Tensor both = qa_outputs(hidden);  // [batch, seq, 2]
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

}  // namespace transformers::nn
