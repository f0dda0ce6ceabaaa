// The HTTP side of the server (see server.hpp): routes, the Bearer key, CORS, body and admission
// limits, and errors in the body shape of each API (OpenAI's {"error": {...}} for /v1/*, TEI's
// {"error", "error_type"} elsewhere). cpp-httplib serves each connection on a pool thread; Debian
// compiles its pool size in, so the pool is set here from the options.
#include <transformers/server/server.hpp>

#include <sys/socket.h>

#include <chrono>
#include <set>

#include "api.hpp"
#include "transformers/core/json_nesting.hpp"

namespace transformers::server {

struct Server::Impl {
  ServerOptions options;
  std::vector<std::unique_ptr<ServedModel>> models;
  Metrics metrics;
  std::atomic<size_t> in_flight{0};
  httplib::Server http;
  int port = -1;

  Context context() { return {options, models, metrics}; }
  void add_routes();
  bool authorized(const httplib::Request& request) const;
  // Runs a route: admission, JSON body, errors in the route's shape, metrics.
  using Route = std::function<void(const json& body, httplib::Response& response, std::shared_ptr<Admission>)>;
  httplib::Server::Handler handler(const std::string& route, bool openai, bool reads_body, Route run);
};

namespace {

bool is_openai(const std::string& path) { return path.rfind("/v1/", 0) == 0; }

void send_error(httplib::Response& response, bool openai, int status, const std::string& message,
                const std::string& type, const std::string& code) {
  json body;
  if (openai) {
    body = {{"error",
             {{"message", message},
              {"type", type},
              {"param", nullptr},
              {"code", code.empty() ? json(nullptr) : json(code)}}}};
  } else {
    const char* kind = status == 413 || status == 422 || status == 400 ? "validation"
                       : status == 429                                 ? "overloaded"
                       : status == 401                                 ? "unauthorized"
                       : status == 404                                 ? "not_found"
                                                                       : "backend";
    body = {{"error", message}, {"error_type", kind}};
  }
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

std::string route_of(const httplib::Request& request) {
  static const std::set<std::string> known = {"/v1/chat/completions",
                                              "/v1/completions",
                                              "/v1/embeddings",
                                              "/v1/models",
                                              "/embed",
                                              "/predict",
                                              "/rerank",
                                              "/info",
                                              "/health",
                                              "/metrics"};
  return known.count(request.path) ? request.path : "other";
}

}  // namespace

bool Server::Impl::authorized(const httplib::Request& request) const {
  if (options.api_key.empty()) return true;
  const std::string header = request.get_header_value("Authorization");
  const std::string expected = "Bearer " + options.api_key;
  // Compared in time independent of where they differ.
  if (header.size() != expected.size()) return false;
  unsigned char difference = 0;
  for (size_t i = 0; i < header.size(); ++i) difference |= static_cast<unsigned char>(header[i] ^ expected[i]);
  return difference == 0;
}

httplib::Server::Handler Server::Impl::handler(const std::string& route, bool openai, bool reads_body, Route run) {
  return [this, route, openai, reads_body, run](const httplib::Request& request, httplib::Response& response) {
    const auto start = std::chrono::steady_clock::now();
    try {
      std::shared_ptr<Admission> admission = Admission::try_admit(in_flight, options.max_concurrent_requests);
      if (!admission)
        throw HttpError(429, "the server is at --max-concurrent-requests; retry later", "rate_limit_exceeded");
      json body = json::object();
      if (reads_body) {
        if (json_nesting_depth(request.body) > kMaxJsonNesting)
          throw HttpError(400, "the request body nests deeper than " + std::to_string(kMaxJsonNesting) + " levels");
        body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
        if (body.is_discarded()) throw HttpError(400, "the request body is not valid JSON");
        if (!body.is_object()) throw HttpError(400, "the request body must be a JSON object");
      }
      run(body, response, std::move(admission));
    } catch (const HttpError& e) {
      send_error(response, openai, e.status, e.what(), e.type, e.code);
      if (e.status == 429) response.set_header("Retry-After", "1");
    } catch (const InvalidArgument& e) {
      send_error(response, openai, 400, e.what(), "invalid_request_error", "");
    } catch (const std::exception& e) {
      send_error(response, openai, 500, std::string("internal error: ") + e.what(), "server_error", "");
    }
    metrics.request_done(route, response.status == -1 ? 200 : response.status,
                         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
}

void Server::Impl::add_routes() {
  using Reply = std::function<json(const json& body)>;
  auto json_route = [this](const std::string& path, bool reads_body, Reply reply) {
    return handler(path, is_openai(path), reads_body,
                   [reply](const json& body, httplib::Response& response, std::shared_ptr<Admission>) {
                     response.set_content(reply(body).dump(), "application/json");
                   });
  };
  http.Post("/v1/chat/completions",
            handler("/v1/chat/completions", true, true,
                    [this](const json& body, httplib::Response& response, std::shared_ptr<Admission> admission) {
                      chat_completions(context(), body, response, std::move(admission));
                    }));
  http.Post("/v1/completions",
            handler("/v1/completions", true, true,
                    [this](const json& body, httplib::Response& response, std::shared_ptr<Admission> admission) {
                      completions(context(), body, response, std::move(admission));
                    }));
  http.Post("/v1/embeddings",
            json_route("/v1/embeddings", true, [this](const json& b) { return embeddings(context(), b); }));
  http.Get("/v1/models", json_route("/v1/models", false, [this](const json&) { return list_models(context()); }));
  http.Post("/embed", json_route("/embed", true, [this](const json& b) { return embed(context(), b); }));
  http.Post("/predict", json_route("/predict", true, [this](const json& b) { return predict(context(), b); }));
  http.Post("/rerank", json_route("/rerank", true, [this](const json& b) { return rerank(context(), b); }));
  http.Get("/info", json_route("/info", false, [this](const json&) { return info(context()); }));
  http.Get("/health", [](const httplib::Request&, httplib::Response& response) { response.status = 200; });
  http.Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    response.set_content(metrics.prometheus(models, in_flight.load()), "text/plain; version=0.0.4");
  });
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.options = std::move(options);
  if (s.options.models.empty()) throw InvalidArgument("ServerOptions::models: no model to serve");
  if (s.options.max_concurrent_requests == 0)
    throw InvalidArgument("ServerOptions::max_concurrent_requests must be > 0");
  for (const ModelSpec& spec : s.options.models) {
    for (const auto& loaded : s.models)
      if (loaded->name == served_name(spec))
        throw InvalidArgument("two models are named '" + loaded->name + "': name them (--model NAME=PATH)");
    s.models.push_back(load_served_model(spec, s.options.max_batch_size));
  }
  const size_t threads = s.options.http_threads ? s.options.http_threads : s.options.max_concurrent_requests + 8;
  s.http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  s.http.set_payload_max_length(s.options.max_body_bytes);
  s.http.set_read_timeout(std::chrono::duration<double>(s.options.read_timeout_seconds));
  s.http.set_keep_alive_max_count(1000);
  s.http.set_tcp_nodelay(true);  // small writes (headers, then the body; SSE frames) go out at once
  s.http.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    Impl& impl = *impl_;
    if (!impl.options.cors_origin.empty()) {
      response.set_header("Access-Control-Allow-Origin", impl.options.cors_origin);
      response.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
      response.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      if (request.method == "OPTIONS") {
        response.status = 204;
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (request.path == "/health" || impl.authorized(request)) return httplib::Server::HandlerResponse::Unhandled;
    send_error(response, is_openai(request.path), 401,
               "Incorrect API key provided. Pass it as 'Authorization: Bearer KEY'.", "invalid_request_error",
               "invalid_api_key");
    impl.metrics.request_done(route_of(request), 401, 0);
    return httplib::Server::HandlerResponse::Handled;
  });
  // Errors httplib itself answers (404, 413 for a body over --max-body-bytes, 400) get a body too.
  s.http.set_error_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (!response.body.empty()) return;
    const std::string message = response.status == 404   ? "no route " + request.method + " " + request.path
                                : response.status == 413 ? "the request body is over --max-body-bytes"
                                                         : "bad request";
    send_error(response, is_openai(request.path), response.status, message, "invalid_request_error", "");
    impl_->metrics.request_done(route_of(request), response.status, 0);
  });
  s.add_routes();
}

Server::~Server() { stop(); }

int Server::bind() {
  Impl& s = *impl_;
  if (s.port >= 0) return s.port;
  int listening = -1;
  s.http.set_socket_options([&listening](socket_t sock) {
    httplib::default_socket_options(sock);
    listening = sock;
  });
  s.port = s.options.port == 0 ? s.http.bind_to_any_port(s.options.host)
                               : (s.http.bind_to_port(s.options.host, s.options.port) ? s.options.port : -1);
  if (s.port < 0)
    throw Error("cannot listen on " + s.options.host + ":" + std::to_string(s.options.port) +
                " (address in use, or not this machine's)");
  // Debian's cpp-httplib listens with a backlog of 5: many clients connecting at once would be
  // dropped. Listening again on the socket raises it.
  if (listening >= 0) ::listen(listening, SOMAXCONN);
  return s.port;
}

void Server::run() {
  bind();
  impl_->http.listen_after_bind();
}

void Server::stop() {
  if (impl_) impl_->http.stop();
}

}  // namespace transformers::server
