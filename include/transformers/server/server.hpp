#pragma once
// server/: the HTTP server behind `transformers-cli serve`. One process serves causal LMs through
// OpenAI's API (/v1/chat/completions with Server-Sent Events, /v1/completions, /v1/models) and
// encoders through OpenAI's /v1/embeddings and Text Embeddings Inference's API (/embed, /predict,
// /rerank, /info), with /health and Prometheus /metrics; a Bearer key guards every route but
// /health. The HTTP layer (cpp-httplib) stays in src/server/, so this header is all a program that
// embeds the server sees. Generations of one sequence decode together in a continuous batch (rows
// join and leave between steps) where the model allows it; other requests to one model take turns,
// each with all the threads. Admission is bounded (429 beyond max_concurrent_requests), never an
// unbounded queue.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "transformers/models/auto.hpp"

namespace transformers::server {

// One model to serve, named for the API's "model" field.
struct ModelSpec {
  std::string name;       // default: the folder's or file's name
  std::string path;       // a folder, Hub id, .gguf file or PEFT adapter folder
  std::string gguf_file;  // a GGUF file of the folder or repo
  LoadOptions load;       // device, dtype, quantization, adapters
};

struct ServerOptions {
  std::vector<ModelSpec> models;
  std::string host = "127.0.0.1";        // loopback unless told otherwise
  int port = 8080;                       // 0: any free port (see Server::bind)
  std::string api_key;                   // empty: no authentication
  size_t max_concurrent_requests = 128;  // requests admitted at once (running or waiting); more get 429
  size_t max_input_tokens = 1024;        // longest prompt or text accepted (413/400 beyond)
  size_t max_total_tokens = 2048;        // prompt + new tokens of one generation
  size_t max_body_bytes = 2 * 1024 * 1024;
  size_t max_batch_tokens = 16384;   // tokens of the texts that one embedding forward pass takes
  size_t max_batch_size = 64;        // generations decoding together (1: one at a time)
  std::string cors_origin;           // Access-Control-Allow-Origin when set
  size_t http_threads = 0;           // connections served at once; 0: max_concurrent_requests + 8
  double read_timeout_seconds = 10;  // a client slower than this to send its request is dropped
};

class Server {
 public:
  // Loads every model (its kind from its files: a causal LM, a sentence-transformers embedding
  // model, or a sequence classifier). Throws as the loaders do, or InvalidArgument for options that
  // cannot work (no model, two of one name).
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds host:port (port 0: a free one); returns the port. Error when the address is taken.
  int bind();
  // Serves until stop() (binds first when bind() was not called).
  void run();
  // Stops run() from any thread; requests under way are cut.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace transformers::server
