// The server's request handling: a fuzzed JSON body (all but the first byte) posted to the route the
// first byte picks, on a server holding a tiny Llama and a tiny sentiment classifier with small
// limits. Any body gets an answer; a 500 ("internal error": an exception the handlers did not turn
// into a 4xx) or no answer at all is a finding.
#include <httplib.h>

#include <cstdlib>
#include <iostream>
#include <thread>

#include "fuzz_input.hpp"
#include "transformers/server/server.hpp"

namespace {

// The generation routes twice: they read the most fields.
const char* const kRoutes[] = {
    "/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/embed", "/predict", "/rerank",
    "/v1/chat/completions", "/v1/completions"};

transformers::server::ServerOptions small_server() {
  const std::string fixtures = std::string(TRANSFORMERS_TEST_DATA) + "/fixtures/pipelines/";
  transformers::server::ServerOptions options;
  options.port = 0;
  options.models = {{"llama", fixtures + "tiny-llama-gen", "", {}}, {"sentiment", fixtures + "tiny-sentiment", "", {}}};
  options.max_input_tokens = 32;
  options.max_total_tokens = 48;
  options.max_body_bytes = 64 * 1024;
  options.http_threads = 4;
  return options;
}

// Started on the first input, stopped and joined when the process exits.
struct RunningServer {
  transformers::server::Server server{small_server()};
  int port = server.bind();
  std::thread thread{[this] { server.run(); }};
  ~RunningServer() {
    server.stop();
    thread.join();
  }
};

int server_port() {
  static RunningServer running;
  return running.port;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* route = kRoutes[data[0] % (sizeof(kRoutes) / sizeof(kRoutes[0]))];
  httplib::Client client("127.0.0.1", server_port());
  client.set_read_timeout(60);
  const auto result = client.Post(route, fuzz::text(data + 1, size - 1), "application/json");
  if (result && std::getenv("FUZZ_SERVER_ECHO"))
    std::cerr << route << " " << result->status << " " << result->body << "\n";
  if (!result || result->status >= 500) {
    std::cerr << route << ": " << (result ? std::to_string(result->status) + " " + result->body : "no answer") << "\n";
    std::abort();
  }
  return 0;
}
