// HTTP over libcurl: one easy handle per request (requests are few and large, so reusing connections would
// buy little), status and headers collected, the 2xx body streamed to the caller.
#include "http_client.hpp"

#include <curl/curl.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <mutex>

namespace transformers::hub::detail {

namespace {

void init_curl_once() {
  static std::once_flag once;
  // curl_global_init is not thread-safe; the downloads of a snapshot run on several threads.
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lowercase(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  size_t begin = 0, end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return text.substr(begin, end - begin);
}

struct Transfer {
  CURL* curl = nullptr;
  HttpResponse* response = nullptr;
  const BodySink* sink = nullptr;
  std::string* error_body = nullptr;
  std::exception_ptr sink_error;  // an exception thrown by the sink, rethrown after curl returns
  // Stall detection for GET: the time the last byte arrived, and how long silence may last.
  std::chrono::steady_clock::time_point last_progress = std::chrono::steady_clock::now();
  curl_off_t last_received = 0;
  double stall_limit_s = 0;
  bool stalled = false;
};

// requests' read timeout: no byte for stall_limit_s seconds aborts the transfer. (curl's own LOW_SPEED_LIMIT
// averages over several seconds, so a burst followed by silence goes unnoticed.)
int on_progress(void* user, curl_off_t, curl_off_t received, curl_off_t, curl_off_t) {
  auto* transfer = static_cast<Transfer*>(user);
  const auto now = std::chrono::steady_clock::now();
  if (received != transfer->last_received) {
    transfer->last_received = received;
    transfer->last_progress = now;
    return 0;
  }
  if (std::chrono::duration<double>(now - transfer->last_progress).count() > transfer->stall_limit_s) {
    transfer->stalled = true;
    return 1;
  }
  return 0;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::string line(data, size * count);
  // A new status line starts a new response (a redirect followed, or "100 Continue").
  if (line.rfind("HTTP/", 0) == 0) {
    transfer->response->headers.clear();
  } else if (const size_t colon = line.find(':'); colon != std::string::npos) {
    transfer->response->headers[lowercase(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t bytes = size * count;
  long status = 0;
  curl_easy_getinfo(transfer->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    // An error answer's body says why (JSON {"error": ...}); keep the start of it.
    if (transfer->error_body && transfer->error_body->size() < 4096) transfer->error_body->append(data, bytes);
    return bytes;
  }
  if (!transfer->sink || !*transfer->sink) return bytes;
  try {
    return (*transfer->sink)(status, data, bytes) ? bytes : 0;
  } catch (...) {
    transfer->sink_error = std::current_exception();
    return 0;
  }
}

// Failures where the server was never reached: retrying at once won't help.
bool is_unreachable(CURLcode code) {
  return code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_COULDNT_CONNECT ||
         code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT || code == CURLE_SSL_CONNECT_ERROR ||
         code == CURLE_PEER_FAILED_VERIFICATION;
}

struct CurlDeleter {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

HttpResponse http_request(const HttpRequest& request, const BodySink& sink, std::string* error_body) {
  init_curl_once();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) throw TransportError("cannot start an HTTP request to " + request.url + " (curl_easy_init failed)", false);
  HttpResponse response;
  Transfer transfer{curl.get(), &response, &sink, error_body, nullptr};

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    if (appended == nullptr) throw TransportError("cannot build the headers of a request to " + request.url, false);
    (void)headers.release();
    headers.reset(appended);
  }
  const long timeout_ms = std::max(1L, static_cast<long>(std::lround(request.timeout_s * 1000)));
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL,
                   1L);  // no SIGALRM from DNS timeouts: we run on threads
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, request.follow_redirects ? 1L : 0L);
  curl_easy_setopt(handle, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  if (request.method == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  } else {
    // A download may take long; what must not happen is a stall: abort after timeout_s without data
    // (requests' read timeout, which huggingface_hub sets to HF_HUB_DOWNLOAD_TIMEOUT).
    transfer.stall_limit_s = request.timeout_s;
    curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(handle, CURLOPT_XFERINFODATA, &transfer);
    curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  }

  const CURLcode code = curl_easy_perform(handle);
  if (transfer.sink_error) std::rethrow_exception(transfer.sink_error);
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  char* effective_url = nullptr;
  curl_easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &effective_url);
  response.url = effective_url ? effective_url : request.url;
  if (code != CURLE_OK) {
    std::string what = curl_easy_strerror(code);
    if (code == CURLE_OPERATION_TIMEDOUT || transfer.stalled) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%g", request.timeout_s);
      what = std::string("timed out (nothing received for ") + seconds + " s)";
    }
    throw TransportError(request.method + " " + request.url + " failed: " + what, !is_unreachable(code));
  }
  return response;
}

std::string url_origin(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {};
  const size_t host_end = url.find_first_of("/?#", scheme_end + 3);
  return lowercase(url.substr(0, host_end));
}

bool is_relative_location(const std::string& location) {
  return url_origin(location).empty() && location.rfind("//", 0) != 0;
}

std::string percent_encode(const std::string& text, const std::string& safe) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || safe.find(char(c)) != std::string::npos) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace transformers::hub::detail
