// What the routes share (see api.hpp): choosing the model, typed body fields, ids and /metrics.
#include <chrono>
#include <random>
#include <sstream>

#include "api.hpp"

namespace transformers::server {

namespace {

std::string with_article(const std::string& noun) {
  return (std::string("aeiou").find(noun.front()) == std::string::npos ? "a " : "an ") + noun;
}

}  // namespace

ServedModel& model_for(const Context& context, const json& body, ModelKind kind) {
  const std::optional<std::string> name = string_field(body, "model");
  ServedModel* only = nullptr;
  size_t of_kind = 0;
  for (const auto& model : context.models) {
    if (name && model->name == *name) {
      if (model->kind != kind)
        throw HttpError(400, "model '" + *name + "' is " + with_article(kind_name(model->kind)) + " model, not " +
                                 with_article(kind_name(kind)) + " model");
      return *model;
    }
    if (model->kind == kind) {
      only = model.get();
      ++of_kind;
    }
  }
  // OpenAI clients always send a model name; a server with one model of the kind answers with it,
  // as llama-server and TEI do.
  if (of_kind == 1 && (!name || context.models.size() == 1)) return *only;
  if (name)
    throw HttpError(404, "The model '" + *name + "' does not exist", "invalid_request_error", "model_not_found");
  throw HttpError(400,
                  "name the model: this server holds " + std::to_string(of_kind) + " " + kind_name(kind) + " models");
}

namespace {

const json* field(const json& body, const std::string& name) {
  if (!body.is_object()) throw HttpError(400, "the request body must be a JSON object");
  const auto it = body.find(name);
  return it == body.end() || it->is_null() ? nullptr : &*it;
}

[[noreturn]] void wrong_type(const std::string& name, const char* expected) {
  throw HttpError(400, "'" + name + "' must be " + expected, "invalid_request_error", "invalid_type");
}

}  // namespace

std::optional<std::string> string_field(const json& body, const std::string& name) {
  const json* value = field(body, name);
  if (!value) return std::nullopt;
  if (!value->is_string()) wrong_type(name, "a string");
  return value->get<std::string>();
}

std::optional<double> number_field(const json& body, const std::string& name) {
  const json* value = field(body, name);
  if (!value) return std::nullopt;
  if (!value->is_number()) wrong_type(name, "a number");
  return value->get<double>();
}

std::optional<int64_t> integer_field(const json& body, const std::string& name) {
  const json* value = field(body, name);
  if (!value) return std::nullopt;
  if (!value->is_number_integer()) wrong_type(name, "an integer");
  return value->get<int64_t>();
}

std::optional<bool> bool_field(const json& body, const std::string& name) {
  const json* value = field(body, name);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) wrong_type(name, "true or false");
  return value->get<bool>();
}

std::vector<std::string> strings_field(const json& body, const std::string& name, bool required) {
  const json* value = field(body, name);
  if (!value) {
    if (required)
      throw HttpError(400, "'" + name + "' is required", "invalid_request_error", "missing_required_parameter");
    return {};
  }
  if (value->is_string()) return {value->get<std::string>()};
  if (!value->is_array() || (required && value->empty())) wrong_type(name, "a string or a non-empty list of strings");
  std::vector<std::string> texts;
  for (const json& item : *value) {
    if (!item.is_string()) wrong_type(name, "a string or a list of strings");
    texts.push_back(item.get<std::string>());
  }
  return texts;
}

std::string random_id(const std::string& prefix) {
  static thread_local std::mt19937_64 generator{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id = prefix;
  for (int i = 0; i < 24; ++i) id += hex[generator() & 15];
  return id;
}

int64_t unix_time() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void Metrics::request_done(const std::string& route, int status, double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{route, status}];
  auto& [sum, count] = durations_[route];
  sum += seconds;
  ++count;
}

void Metrics::tokens(size_t prompt, size_t generated) {
  std::lock_guard<std::mutex> lock(mutex_);
  prompt_tokens_ += prompt;
  generated_tokens_ += generated;
}

void Metrics::batch(size_t texts) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++batches_;
  batched_texts_ += texts;
}

namespace {

// A label value as Prometheus' text format writes it: backslash, quote and newline escaped.
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

}  // namespace

std::string Metrics::prometheus(const std::vector<std::unique_ptr<ServedModel>>& models, size_t in_flight) const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::ostringstream out;
  out << "# HELP transformers_requests_total Requests answered, by route and HTTP status.\n"
         "# TYPE transformers_requests_total counter\n";
  for (const auto& [key, count] : requests_)
    out << "transformers_requests_total{route=\"" << key.first << "\",status=\"" << key.second << "\"} " << count
        << "\n";
  out << "# HELP transformers_request_duration_seconds Time from request to the end of the response.\n"
         "# TYPE transformers_request_duration_seconds summary\n";
  for (const auto& [route, total] : durations_)
    out << "transformers_request_duration_seconds_sum{route=\"" << route << "\"} " << total.first << "\n"
        << "transformers_request_duration_seconds_count{route=\"" << route << "\"} " << total.second << "\n";
  out << "# TYPE transformers_prompt_tokens_total counter\ntransformers_prompt_tokens_total " << prompt_tokens_ << "\n"
      << "# TYPE transformers_generated_tokens_total counter\ntransformers_generated_tokens_total " << generated_tokens_
      << "\n"
      << "# HELP transformers_batch_texts_total Texts run in embedding and classification forward passes.\n"
      << "# TYPE transformers_batches_total counter\ntransformers_batches_total " << batches_ << "\n"
      << "# TYPE transformers_batch_texts_total counter\ntransformers_batch_texts_total " << batched_texts_ << "\n"
      << "# HELP transformers_requests_in_flight Requests admitted and not yet answered.\n"
      << "# TYPE transformers_requests_in_flight gauge\ntransformers_requests_in_flight " << in_flight << "\n"
      << "# HELP transformers_queue_depth Requests waiting for their model.\n"
      << "# TYPE transformers_queue_depth gauge\n";
  for (const auto& model : models) {
    const size_t batch_waiting = model->batch ? static_cast<size_t>(model->batch->counts().waiting) : 0;
    out << "transformers_queue_depth{model=\"" << label(model->name) << "\"} " << model->queued.load() + batch_waiting
        << "\n";
  }
  out << "# HELP transformers_batch_rows Generations decoding in a model's continuous batch now.\n"
         "# TYPE transformers_batch_rows gauge\n";
  for (const auto& model : models)
    if (model->batch)
      out << "transformers_batch_rows{model=\"" << label(model->name) << "\"} " << model->batch->counts().rows << "\n";
  out << "# HELP transformers_batch_steps_total Batched decoding steps, and the rows they decoded.\n"
         "# TYPE transformers_batch_steps_total counter\n";
  for (const auto& model : models)
    if (model->batch) {
      const auto counts = model->batch->counts();
      out << "transformers_batch_steps_total{model=\"" << label(model->name) << "\"} " << counts.steps << "\n"
          << "transformers_batch_stepped_rows_total{model=\"" << label(model->name) << "\"} " << counts.stepped_rows
          << "\n";
    }
  return out.str();
}

}  // namespace transformers::server
