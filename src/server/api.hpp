#pragma once
// What the routes share: the server's state as a route sees it, the errors a route answers with
// (in OpenAI's or TEI's body shape, chosen by the route), reading typed fields of a request body,
// and the metrics /metrics prints. openai_api.cpp and tei_api.cpp hold the routes themselves.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <transformers/core/error.hpp>

#include "served_model.hpp"

namespace transformers::server {

using nlohmann::json;

// A request the server refuses: the HTTP status, OpenAI's error "type" and "code" (TEI's
// error_type is derived from the status).
class HttpError : public Error {
 public:
  HttpError(int status_, std::string message, std::string type_ = "invalid_request_error", std::string code_ = {})
      : Error(std::move(message)), status(status_), type(std::move(type_)), code(std::move(code_)) {}
  int status;
  std::string type, code;
};

// Counters and sums for /metrics (Prometheus text format).
class Metrics {
 public:
  void request_done(const std::string& route, int status, double seconds);
  void tokens(size_t prompt, size_t generated);
  void batch(size_t texts);
  std::string prometheus(const std::vector<std::unique_ptr<ServedModel>>& models, size_t in_flight) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, size_t> requests_;
  std::map<std::string, std::pair<double, size_t>> durations_;  // route -> (seconds, count)
  size_t prompt_tokens_ = 0, generated_tokens_ = 0, batches_ = 0, batched_texts_ = 0;
};

// One admitted request: counts itself in the server's in-flight total until destroyed (a streamed
// response keeps it until its stream ends).
class Admission {
 public:
  // Admits one more request unless `limit` are in flight already (counted and checked in one step,
  // so concurrent arrivals cannot slip past the limit together); nullptr when full.
  static std::shared_ptr<Admission> try_admit(std::atomic<size_t>& in_flight, size_t limit) {
    if (in_flight.fetch_add(1) >= limit) {
      --in_flight;
      return nullptr;
    }
    return std::shared_ptr<Admission>(new Admission(in_flight));
  }
  ~Admission() { --in_flight_; }
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

 private:
  explicit Admission(std::atomic<size_t>& in_flight) : in_flight_(in_flight) {}

  std::atomic<size_t>& in_flight_;
};

struct Context {
  const ServerOptions& options;
  std::vector<std::unique_ptr<ServedModel>>& models;
  Metrics& metrics;
};

// The model a request names in "model" (any of `kind` when it names none and only one is served);
// 404 for an unknown name, 400 for a model of another kind.
ServedModel& model_for(const Context& context, const json& body, ModelKind kind);

// Typed fields of a request body: nullopt when absent or null, 400 naming the field when of another type.
std::optional<std::string> string_field(const json& body, const std::string& name);
std::optional<double> number_field(const json& body, const std::string& name);
std::optional<int64_t> integer_field(const json& body, const std::string& name);
std::optional<bool> bool_field(const json& body, const std::string& name);
// A string or a list of strings ("input", "inputs", "stop"); 400 naming the field otherwise.
std::vector<std::string> strings_field(const json& body, const std::string& name, bool required);

std::string random_id(const std::string& prefix);
int64_t unix_time();

// OpenAI routes (openai_api.cpp). The admission goes with a streamed response until it ends.
json list_models(const Context& context);
void chat_completions(const Context& context, const json& body, httplib::Response& response,
                      std::shared_ptr<Admission> admission);
void completions(const Context& context, const json& body, httplib::Response& response,
                 std::shared_ptr<Admission> admission);
json embeddings(const Context& context, const json& body);

// TEI routes (tei_api.cpp).
json embed(const Context& context, const json& body);
json predict(const Context& context, const json& body);
json rerank(const Context& context, const json& body);
json info(const Context& context);

// Embeddings of `texts` by `model` (its pooling; normalized when asked), refusing texts over
// max_input_tokens unless `truncate`; also the tokens read. Shared by /embed and /v1/embeddings.
struct Embeddings {
  std::vector<std::vector<float>> rows;
  size_t tokens = 0;
};
Embeddings embed_texts(const Context& context, ServedModel& model, const std::vector<std::string>& texts, bool truncate,
                       std::optional<bool> normalize);

}  // namespace transformers::server
