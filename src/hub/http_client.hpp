#pragma once
// A small blocking HTTP client over libcurl: one request, its status and headers, the body streamed to a
// callback. It knows nothing of the Hub; hub_http.cpp adds the Hub's rules on top.
#include <functional>
#include <map>
#include <stdexcept>
#include <string>

namespace transformers::hub::detail {

// The request never got a complete answer: no connection, a timeout, or the connection dropped mid-body.
// `retryable` says whether trying again can help (a dropped or stalled transfer) or not (the host can't be
// resolved or refuses connections: fall back to the cache at once).
class TransportError : public std::runtime_error {
 public:
  TransportError(const std::string& message, bool retryable) : std::runtime_error(message), retryable_(retryable) {}
  bool retryable() const { return retryable_; }

 private:
  bool retryable_;
};

struct HttpRequest {
  std::string method = "GET";  // "GET" or "HEAD"
  std::string url;
  std::map<std::string, std::string> headers;  // sent as given
  bool follow_redirects = false;
  double timeout_s = 10;  // HEAD: whole request; GET: connect, then at most this long without a byte
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names lowercased; the last value of a repeated header
  std::string url;                             // the URL that answered (after redirects)
  std::string header(const std::string& lowercase_name) const {
    auto it = headers.find(lowercase_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Receives body bytes as they arrive, with the answer's status (only for a 2xx answer; an error answer's body
// is collected in `error_body`). Returning false aborts the transfer with a TransportError; an exception it
// throws aborts it and reaches the caller.
using BodySink = std::function<bool(long status, const char* data, size_t size)>;

// Performs the request. Throws TransportError when no complete answer came back; any HTTP status (including
// 4xx/5xx) is a normal return.
HttpResponse http_request(const HttpRequest& request, const BodySink& sink = {}, std::string* error_body = nullptr);

// "scheme://host:port" of a URL (what must match for the Authorization header to be sent), and whether a
// Location value is relative (no scheme and host).
std::string url_origin(const std::string& url);
bool is_relative_location(const std::string& location);

// Python's urllib.parse.quote(text, safe=safe): every byte but letters, digits, "_.-~" and `safe` becomes
// %XX.
std::string percent_encode(const std::string& text, const std::string& safe);

}  // namespace transformers::hub::detail
