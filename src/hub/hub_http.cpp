// The Hub's HTTP conventions: URLs, headers, retries, and error answers as exceptions.
#include "hub_http.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <thread>

#include "hub_internal.hpp"

namespace transformers::hub::detail {

namespace {

double env_seconds(const char* name, double fallback) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  const double seconds = std::strtod(value, &end);
  if (end == value || *end != '\0' || !(seconds > 0)) {
    throw InvalidArgument(std::string(name) + "='" + value + "' is not a positive number of seconds");
  }
  return seconds;
}

long env_integer(const char* name, long fallback, long minimum) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return fallback;
  char* end = nullptr;
  const long number = std::strtol(value, &end, 10);
  if (end == value || *end != '\0' || number < minimum) {
    throw InvalidArgument(std::string(name) + "='" + value + "' is not a whole number >= " + std::to_string(minimum));
  }
  return number;
}

std::string type_prefix(const std::string& repo_type) {
  if (repo_type == "dataset") return "datasets/";
  if (repo_type == "space") return "spaces/";
  return "";
}

// The server's own words: X-Error-Message, else the "error" field of a JSON body.
std::string server_message(const HttpResponse& response, const std::string& body) {
  std::string message = response.header("x-error-message");
  if (message.empty()) {
    const auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_object() && json.contains("error") && json["error"].is_string())
      message = json["error"].get<std::string>();
  }
  return message.empty() ? std::string() : " (the Hub says: \"" + message.substr(0, 300) + "\")";
}

std::string token_hint() {
  return "pass a token that can read it: HubOptions::token / --token, the "
         "HF_TOKEN variable, or the token file "
         "that `hf auth login` writes ($HF_HOME/token)";
}

}  // namespace

std::string describe_target(const HubTarget& target) {
  std::string text = target.filename.empty() ? std::string() : "'" + target.filename + "' of ";
  return text + "'" + target.repo_id + "' at revision '" + target.revision + "'";
}

std::string resolve_url(const HubTarget& target) {
  return hub_endpoint() + "/" + type_prefix(target.repo_type) + target.repo_id + "/resolve/" +
         percent_encode(target.revision, "") + "/" + percent_encode(target.filename, "/");
}

std::string api_revision_url(const HubTarget& target) {
  return hub_endpoint() + "/api/" + (target.repo_type.empty() ? std::string("model") : target.repo_type) + "s/" +
         target.repo_id + "/revision/" + percent_encode(target.revision, "");
}

std::map<std::string, std::string> hub_headers(const HubOptions& options) {
  std::map<std::string, std::string> headers{{"User-Agent", "transformers.cpp/0.1; hf_hub/compatible"}};
  const std::optional<std::string> token = options.token ? options.token : hub_token();
  if (token && !token->empty()) headers["Authorization"] = "Bearer " + *token;
  return headers;
}

double etag_timeout() { return env_seconds("HF_HUB_ETAG_TIMEOUT", 10); }
double download_timeout() { return env_seconds("HF_HUB_DOWNLOAD_TIMEOUT", 10); }

int max_attempts() { return int(env_integer("TRANSFORMERS_HUB_MAX_ATTEMPTS", 5, 1)); }

void backoff_sleep(int failed_attempts) {
  const long base_ms = env_integer("TRANSFORMERS_HUB_BACKOFF_MS", 1000, 0);
  long delay = base_ms;
  for (int i = 1; i < failed_attempts && delay < 8000; ++i) delay *= 2;
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(delay, 8000L)));
}

bool is_retryable_status(long status) { return status == 429 || status >= 500; }

HttpResponse request_with_retries(HttpRequest request, std::string* body, std::string* error_body) {
  const BodySink sink = [body](long, const char* data, size_t size) {
    if (body) body->append(data, size);
    return true;
  };
  const int attempts = max_attempts();
  int redirects = 0;
  for (int attempt = 1;; ++attempt) {
    HttpResponse response;
    try {
      if (body) body->clear();
      if (error_body) error_body->clear();
      response = http_request(request, sink, error_body);
    } catch (const TransportError& e) {
      if (!e.retryable() || attempt >= attempts) throw;
      backoff_sleep(attempt);
      continue;
    }
    // A relative redirect is the Hub itself pointing at a renamed repo: follow it (a few hops at most, not
    // counted as attempts). An absolute one leaves the Hub: the caller decides.
    if (!request.follow_redirects && response.status >= 300 && response.status < 400) {
      const std::string location = response.header("location");
      if (!location.empty() && is_relative_location(location)) {
        static constexpr int kMaxRelativeRedirects = 10;
        if (++redirects > kMaxRelativeRedirects) return response;
        request.url = url_origin(request.url) + (location.front() == '/' ? "" : "/") + location;
        --attempt;
        continue;
      }
    }
    if (is_retryable_status(response.status) && attempt < attempts) {
      backoff_sleep(attempt);
      continue;
    }
    return response;
  }
}

void raise_for_status(const HttpResponse& response, const std::string& error_body, const HubTarget& target) {
  const long status = response.status;
  if (status < 400) return;
  const std::string code = response.header("x-error-code");
  const std::string said = server_message(response, error_body);
  const std::string what = describe_target(target);
  const std::string http = " (HTTP " + std::to_string(status) + " from " + hub_endpoint() + ")";
  const std::string repo = "'" + target.repo_id + "'";
  const auto& [repo_id, repo_type, revision, filename] = target;

  if (code == "RevisionNotFound") {
    throw RevisionNotFound("revision '" + revision + "' does not exist in the Hub repo " + repo + http + said +
                               ": check the branch, tag or commit name (the default is \"main\")",
                           repo_id, revision, filename);
  }
  if (code == "EntryNotFound") {
    throw EntryNotFound(
        what + " does not exist on the Hub" + http + said + ": check the file name, or pick a revision that has it",
        repo_id, revision, filename);
  }
  if (code == "GatedRepo") {
    throw GatedRepo("cannot download " + what + ": " + repo + " is a gated repo" + http + said +
                        ". Accept its terms at " + hub_endpoint() + "/" + repo_id + " while logged in, then " +
                        token_hint(),
                    repo_id, revision, filename);
  }
  if (response.header("x-error-message") == "Access to this resource is disabled.") {
    throw RepositoryNotFound("cannot download " + what + ": the Hub repo " + repo +
                                 " has been disabled by its owner or "
                                 "the Hub" +
                                 http,
                             repo_id, revision, filename);
  }
  const bool bad_token = said.find("Invalid credentials in Authorization header") != std::string::npos;
  if (code == "RepoNotFound" || ((status == 401 || status == 403) && !bad_token) ||
      (status == 404 && code.empty() && response.header("x-repo-commit").empty())) {
    throw RepositoryNotFound("cannot download " + what + ": repository " + repo + " was not found on the Hub" + http +
                                 said +
                                 ". It does not exist, is private, or is "
                                 "gated: check the id, and for a private "
                                 "or gated repo " +
                                 token_hint(),
                             repo_id, revision, filename);
  }
  if (status == 404) {  // no code but the repo answered with its commit: the file is what is missing
    throw EntryNotFound(what + " does not exist on the Hub" + http + said + ": check the file name or the revision",
                        repo_id, revision, filename);
  }
  if (bad_token) {
    throw HubHttpError("the Hub rejected the token sent for " + what + http + said +
                           ": check HF_TOKEN / the token file, or log in again "
                           "with `hf auth login`",
                       status, repo_id, revision, filename);
  }
  throw HubHttpError("the Hub answered HTTP " + std::to_string(status) + " for " + what + " (" + response.url + ")" +
                         said + (status >= 500 ? ": a server error; try again later" : ""),
                     status, repo_id, revision, filename);
}

}  // namespace transformers::hub::detail
