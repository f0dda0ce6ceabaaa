// transformers-cli serve: the OpenAI- and TEI-compatible HTTP server (include/transformers/server)
// over one or more models, until SIGINT or SIGTERM.
#include <pthread.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <transformers/core/threads.hpp>
#include <transformers/server/server.hpp>

#include "commands.hpp"
#include "generation_options.hpp"

namespace transformers::cli {
namespace {

size_t count(const CommandLine& args, const std::string& name, size_t fallback) {
  const std::optional<long long> value = args.integer(name);
  if (!value) return fallback;
  if (*value < 1) throw UsageError("--" + name + " must be at least 1");
  return static_cast<size_t>(*value);
}

// --model [NAME=]PATH: a name is what comes before '=' when it holds no path separator.
server::ModelSpec model_spec(const std::string& value, const LoadOptions& load) {
  server::ModelSpec spec;
  spec.load = load;
  const size_t equals = value.find('=');
  if (equals != std::string::npos && equals > 0 && value.substr(0, equals).find('/') == std::string::npos) {
    spec.name = value.substr(0, equals);
    spec.path = value.substr(equals + 1);
  } else {
    spec.path = value;
  }
  if (spec.path.empty()) throw UsageError("--model " + value + ": no path");
  return spec;
}

server::ServerOptions server_options(const CommandLine& args) {
  server::ServerOptions options;
  LoadOptions load;
  load.device = Device(args.value_or("device", "cpu"));
  load.dtype = parse_model_dtype(args.value_or("dtype", "auto"));
  load.keep_quantized = args.has("keep-quantized");
  load.quantization = args.value_or("quantization", "");
  load.adapters = adapters_of(args);
  for (const std::string& value : args.values("model")) options.models.push_back(model_spec(value, load));
  if (options.models.empty()) throw UsageError("--model is required");
  options.host = args.value_or("host", options.host);
  if (auto port = args.integer("port")) {
    if (*port < 0 || *port > 65535) throw UsageError("--port must be within 0..65535");
    options.port = static_cast<int>(*port);
  }
  if (auto key = args.value("api-key")) {
    options.api_key = *key;
  } else if (const char* env = std::getenv("TRANSFORMERS_API_KEY")) {
    options.api_key = env;
  }
  options.max_concurrent_requests = count(args, "max-concurrent-requests", options.max_concurrent_requests);
  options.max_input_tokens = count(args, "max-input-tokens", options.max_input_tokens);
  options.max_total_tokens = count(args, "max-total-tokens", options.max_total_tokens);
  options.max_body_bytes = count(args, "max-body-bytes", options.max_body_bytes);
  options.max_batch_tokens = count(args, "max-batch-tokens", options.max_batch_tokens);
  options.max_batch_size = count(args, "max-batch-size", options.max_batch_size);
  options.cors_origin = args.value_or("cors-origin", "");
  if (options.max_input_tokens >= options.max_total_tokens)
    throw UsageError("--max-input-tokens must be below --max-total-tokens (room is needed to generate)");
  return options;
}

int run_serve(const CommandLine& args) {
  server::ServerOptions options = server_options(args);
  if (args.has("threads")) set_num_threads(static_cast<int>(count(args, "threads", 1)));
  // SIGINT / SIGTERM are taken by a thread of their own (sigwait), which stops the server: nothing
  // runs inside a signal handler. Blocked before any thread starts, so every thread inherits it.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  server::Server server(std::move(options));
  const int port = server.bind();
  std::cerr << "transformers-cli serve: " << args.values("model").size() << " model(s) on http://"
            << args.value_or("host", "127.0.0.1") << ":" << port << "\n"
            << std::flush;
  std::thread stopper([&] {
    int received = 0;
    sigwait(&stop_signals, &received);
    server.stop();
  });
  server.run();
  pthread_kill(stopper.native_handle(), SIGTERM);  // stopper is still waiting when run() ended otherwise
  stopper.join();
  return 0;
}

}  // namespace

Command serve_command() {
  std::vector<OptionSpec> options = {
      {"model", "[NAME=]PATH",
       "a model to serve (folder, Hub id, .gguf file or adapter folder), named NAME (default: its folder's name); "
       "repeatable. Causal LMs answer /v1/chat/completions and /v1/completions, sentence-transformers folders "
       "/v1/embeddings and /embed, sequence classifiers /predict and /rerank",
       "", true},
      {"host", "ADDRESS", "address to listen on", "127.0.0.1"},
      {"port", "N", "port to listen on (0: any free port)", "8080"},
      {"api-key", "KEY", "require 'Authorization: Bearer KEY' (also from TRANSFORMERS_API_KEY)"},
      {"max-concurrent-requests", "N", "requests admitted at once; more get 429", "128"},
      {"max-input-tokens", "N", "longest prompt or text accepted", "1024"},
      {"max-total-tokens", "N", "prompt + generated tokens of one request", "2048"},
      {"max-body-bytes", "N", "largest request body", "2097152"},
      {"max-batch-tokens", "N", "tokens of texts in one embedding/classification forward pass", "16384"},
      {"max-batch-size", "N", "generations decoding together in a continuous batch (1: one at a time)", "64"},
      {"cors-origin", "ORIGIN", "answer browsers from this origin (Access-Control-Allow-Origin)"},
      {"threads", "N", "threads for the models' computations", "OMP_NUM_THREADS or all cores"},
      {"device", "DEVICE", "cpu, cuda or cuda:N", "cpu"},
      {"dtype", "DTYPE", "the models' dtype: auto, float32, bfloat16 or float16", "auto"},
      {"keep-quantized", "", "multiply a GGUF file's quantized weights as stored (see generate --help)"},
      {"quantization", "int8|int4", "quantize floating weights at load (see generate --help)"},
      adapter_option()};
  return {"serve", "--model [NAME=]PATH [--model ...]",
          "serve models over HTTP: OpenAI's chat/completions/embeddings and Text Embeddings Inference's API",
          std::move(options), run_serve};
}

}  // namespace transformers::cli
