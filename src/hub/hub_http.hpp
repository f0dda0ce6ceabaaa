#pragma once
// The Hub's HTTP conventions on top of http_client: URLs, headers, retries with backoff, and error answers
// turned into the Hub's exceptions (huggingface_hub's hf_raise_for_status).
#include <functional>
#include <string>

#include "http_client.hpp"
#include "transformers/hub/hub.hpp"

namespace transformers::hub::detail {

// What a request is about, for error messages.
struct HubTarget {
  std::string repo_id, repo_type, revision, filename;
};

// {endpoint}/{prefix}{repo}/resolve/{quote(revision, safe="")}/{quote(filename)}; prefix "" for models,
// "datasets/" and "spaces/" otherwise.
std::string resolve_url(const HubTarget& target);
// {endpoint}/api/{models|datasets|spaces}/{repo}/revision/{quote(revision, safe="")}.
std::string api_revision_url(const HubTarget& target);

// User-Agent, and Authorization: Bearer <token> when there is a token (options.token, else hub_token()).
std::map<std::string, std::string> hub_headers(const HubOptions& options);

// HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT in seconds (default 10).
double etag_timeout();
double download_timeout();

// Retries: at most TRANSFORMERS_HUB_MAX_ATTEMPTS tries (default 5, as huggingface_hub's http_backoff),
// sleeping TRANSFORMERS_HUB_BACKOFF_MS (default 1000) doubled after each failure, at most 8 s.
int max_attempts();
void backoff_sleep(int failed_attempts);

// Whether an answer is worth retrying: 429 and 5xx.
bool is_retryable_status(long status);

// Sends the request until it gets an answer that is not retryable or the attempts run out; a TransportError
// of the last attempt propagates. Without follow_redirects, relative redirects (a renamed repo) are followed
// here but absolute ones are not (the caller reads those). A small 2xx body (API JSON) goes to `body`, an
// error answer's body to `error_body`.
HttpResponse request_with_retries(HttpRequest request, std::string* body = nullptr, std::string* error_body = nullptr);

// Throws the Hub's exception for an error answer (status >= 400); returns for anything else.
void raise_for_status(const HttpResponse& response, const std::string& error_body, const HubTarget& target);

// "'config.json' of 'org/name' at revision 'main'".
std::string describe_target(const HubTarget& target);

}  // namespace transformers::hub::detail
