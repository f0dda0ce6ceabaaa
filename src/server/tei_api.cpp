// Text Embeddings Inference's API: /embed (sentence embeddings, normalized by default), /predict
// (text classification of texts or pairs), /rerank (a cross-encoder scoring query-text pairs) and
// /info. Texts longer than --max-input-tokens are refused with TEI's 413 unless "truncate".
#include <algorithm>
#include <cmath>
#include <numeric>

#include "api.hpp"

namespace transformers::server {
namespace {

// Refuses (413, as TEI) a text over the limit unless it is to be truncated; returns its tokens.
size_t checked_tokens(const Context& context, const PreTrainedTokenizerFast& tokenizer, const std::string& text,
                      bool truncate) {
  const size_t tokens = tokenizer.encode(text).size();
  const size_t limit = context.options.max_input_tokens;
  if (tokens > limit && !truncate)
    throw HttpError(413, "Input validation error: `inputs` must have less than " + std::to_string(limit) +
                             " tokens. Given: " + std::to_string(tokens));
  return std::min(tokens, limit);
}

void normalize(std::vector<float>& row) {
  double norm = 0;
  for (float v : row) norm += static_cast<double>(v) * v;
  const float scale = 1.0f / std::max(static_cast<float>(std::sqrt(norm)), 1e-12f);
  for (float& v : row) v *= scale;
}

// A TEI sequence: a text, or a pair given as a list of two texts.
json sequence_input(const json& value, const std::string& field) {
  if (value.is_string()) return value;
  if (value.is_array() && value.size() == 2 && value[0].is_string() && value[1].is_string())
    return {{"text", value[0]}, {"text_pair", value[1]}};
  throw HttpError(422, "'" + field + "' must hold texts or pairs of texts", "invalid_request_error", "invalid_type");
}

// The classifier pipeline over `inputs` (texts or {text, text_pair}), every label scored, in a
// forward pass shared with concurrent requests.
json classify(const Context& context, ServedModel& model, const json& inputs, bool truncate,
              const std::string& function_to_apply) {
  ServedModel::CallRequest request;
  size_t tokens = 0;
  for (const json& input : inputs) {
    const std::string text = input.is_string()
                                 ? input.get<std::string>()
                                 : input["text"].get<std::string>() + " " + input["text_pair"].get<std::string>();
    const size_t count = checked_tokens(context, model.text_tokenizer(), text, truncate);
    tokens += count;
    request.longest = std::max(request.longest, count);
  }
  request.call = {inputs, {{"top_k", nullptr}, {"function_to_apply", function_to_apply}, {"truncation", truncate}}};
  const size_t budget = context.options.max_batch_tokens;
  Metrics& metrics = context.metrics;
  return model.classification_batches.submit(
      request, tokens, budget, [&model, &metrics, budget](const std::vector<const ServedModel::CallRequest*>& batch) {
        std::vector<PipelineCall> calls;
        size_t longest = 1, items = 0;
        for (const ServedModel::CallRequest* r : batch) {
          calls.push_back(r->call);
          longest = std::max(longest, r->longest);
          items += r->call.inputs.size();
        }
        metrics.batch(items);
        Turn turn(model);
        return (*model.classifier)(calls, std::max<size_t>(1, budget / longest));
      });
}

}  // namespace

Embeddings embed_texts(const Context& context, ServedModel& model, const std::vector<std::string>& texts, bool truncate,
                       std::optional<bool> normalize_rows) {
  Embeddings result;
  size_t longest = 1;
  for (const std::string& text : texts) {
    const size_t tokens = checked_tokens(context, model.text_tokenizer(), text, truncate);
    result.tokens += tokens;
    longest = std::max(longest, tokens);
  }
  const size_t budget = context.options.max_batch_tokens;
  Metrics& metrics = context.metrics;
  const ServedModel::TextsRequest request{&texts, longest};
  result.rows = model.embedding_batches.submit(
      request, result.tokens, budget,
      [&model, &metrics, budget](const std::vector<const ServedModel::TextsRequest*>& batch) {
        std::vector<std::string> all;
        size_t batch_longest = 1;
        for (const ServedModel::TextsRequest* r : batch) {
          all.insert(all.end(), r->texts->begin(), r->texts->end());
          batch_longest = std::max(batch_longest, r->longest);
        }
        Tensor embeddings;
        {
          Turn turn(model);
          embeddings = model.embedder->encode(all, std::max<size_t>(1, budget / batch_longest));
        }
        metrics.batch(all.size());
        const std::vector<float> values = embeddings.to_vector<float>();
        const size_t dim = all.empty() ? 0 : values.size() / all.size();
        std::vector<std::vector<std::vector<float>>> results;
        size_t next = 0;
        for (const ServedModel::TextsRequest* r : batch) {
          std::vector<std::vector<float>> rows;
          for (size_t i = 0; i < r->texts->size(); ++i, ++next)
            rows.emplace_back(values.begin() + static_cast<int64_t>(next * dim),
                              values.begin() + static_cast<int64_t>((next + 1) * dim));
          results.push_back(std::move(rows));
        }
        return results;
      });
  if (normalize_rows.value_or(false))
    for (std::vector<float>& row : result.rows) normalize(row);
  return result;
}

json embed(const Context& context, const json& body) {
  ServedModel& model = model_for(context, body, ModelKind::Embedding);
  const std::vector<std::string> texts = strings_field(body, "inputs", true);
  const Embeddings result = embed_texts(context, model, texts, bool_field(body, "truncate").value_or(false),
                                        bool_field(body, "normalize").value_or(true));
  return result.rows;
}

json predict(const Context& context, const json& body) {
  ServedModel& model = model_for(context, body, ModelKind::Classifier);
  if (!body.contains("inputs")) throw HttpError(422, "'inputs' is required");
  const json& inputs = body["inputs"];
  bool single = true;
  json items = json::array();
  if (inputs.is_string() ||
      (inputs.is_array() && inputs.size() == 2 && inputs[0].is_string() && inputs[1].is_string())) {
    items.push_back(sequence_input(inputs, "inputs"));
  } else if (inputs.is_array() && !inputs.empty()) {
    single = false;
    for (const json& input : inputs) items.push_back(sequence_input(input, "inputs"));
  } else {
    throw HttpError(422, "'inputs' must be a text, a pair of texts or a non-empty list of them");
  }
  const bool raw = bool_field(body, "raw_scores").value_or(false);
  json results =
      classify(context, model, items, bool_field(body, "truncate").value_or(false), raw ? "none" : "default");
  return single ? results.at(0) : results;
}

json rerank(const Context& context, const json& body) {
  ServedModel& model = model_for(context, body, ModelKind::Classifier);
  if (model.classifier->model().config().num_labels() != 1)
    throw HttpError(400, "model '" + model.name + "' has " +
                             std::to_string(model.classifier->model().config().num_labels()) +
                             " labels; /rerank needs a cross-encoder with one (use /predict)");
  const std::optional<std::string> query = string_field(body, "query");
  if (!query) throw HttpError(422, "'query' is required");
  const std::vector<std::string> texts = strings_field(body, "texts", true);
  const bool raw = bool_field(body, "raw_scores").value_or(false);
  const bool return_text = bool_field(body, "return_text").value_or(false);
  json pairs = json::array();
  for (const std::string& text : texts) pairs.push_back({{"text", *query}, {"text_pair", text}});
  // TEI's reranker score is the single logit's sigmoid (raw_scores: the logit).
  const json scored =
      classify(context, model, pairs, bool_field(body, "truncate").value_or(false), raw ? "none" : "sigmoid");
  json ranks = json::array();
  for (size_t i = 0; i < texts.size(); ++i) {
    json rank = {{"index", i}, {"score", scored[i][0]["score"]}};
    if (return_text) rank["text"] = texts[i];
    ranks.push_back(std::move(rank));
  }
  std::stable_sort(ranks.begin(), ranks.end(),
                   [](const json& a, const json& b) { return a["score"].get<double>() > b["score"].get<double>(); });
  return ranks;
}

json info(const Context& context) {
  json models = json::array();
  for (const auto& model : context.models) {
    json type;
    if (model->kind == ModelKind::Embedding) {
      static const char* poolings[] = {"mean", "cls", "max", "mean_sqrt_len"};
      type = {{"embedding", {{"pooling", poolings[static_cast<int>(model->embedder->pooling())]}}}};
    } else if (model->kind == ModelKind::Classifier) {
      json labels = json::object();
      for (const auto& [id, label] : model->classifier->model().config().id2label) labels[std::to_string(id)] = label;
      type = {{"classifier", {{"id2label", labels}}}};
    } else {
      type = "text-generation";
    }
    models.push_back({{"model_id", model->name}, {"model_type", type}});
  }
  json reply = models.at(0);
  reply["models"] = models;
  reply["router"] = "transformers.cpp";
  reply["max_concurrent_requests"] = context.options.max_concurrent_requests;
  reply["max_input_length"] = context.options.max_input_tokens;
  reply["max_batch_tokens"] = context.options.max_batch_tokens;
  return reply;
}

}  // namespace transformers::server
