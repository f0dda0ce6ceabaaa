// The server on a loopback port, called over HTTP: chat and text completions give transformers'
// greedy text for the recorded text-generation calls (tiny Llama), whole and streamed as SSE;
// embeddings are transformers' hidden states pooled and normalized as sentence-transformers does;
// /predict is transformers' text-classification pipeline; and the refusals (key, JSON, types,
// limits, admission) come with their status and the API's error body.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <mutex>
#include <thread>

#include <transformers/models/auto.hpp>
#include <transformers/server/server.hpp>
#include <transformers/tokenizers/auto_tokenizer.hpp>

#include "pipelines/recorded_calls.hpp"
#include "test_util.hpp"

using namespace transformers;
using nlohmann::json;
using recorded::kFixtures;
using recorded::read_lines;

namespace {

namespace fs = std::filesystem;

// A sentence-transformers folder over the tiny DistilBERT: mean pooling, then Normalize.
fs::path embedding_folder() {
  static const fs::path folder =
      [] {
        const fs::path dir = fs::temp_directory_path() / ("transformers_server_st_" + std::to_string(::getpid()));
        fs::create_directories(dir / "1_Pooling");
        for (const char* name :
             {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"})
          fs::copy_file(kFixtures / "tiny-sentiment" / name, dir / name, fs::copy_options::overwrite_existing);
        std::ofstream(dir / "modules.json")
            << R"([{"idx":0,"name":"0","path":"","type":"sentence_transformers.models.Transformer"},)"
            << R"({"idx":1,"name":"1","path":"1_Pooling","type":"sentence_transformers.models.Pooling"},)"
            << R"({"idx":2,"name":"2","path":"2_Normalize","type":"sentence_transformers.models.Normalize"}])";
        std::ofstream(dir / "1_Pooling" / "config.json") << R"({"pooling_mode_mean_tokens": true})";
        return dir;
      }();
  return folder;
}

// A server on a free loopback port, running on its own thread for the test's lifetime.
class RunningServer {
 public:
  explicit RunningServer(server::ServerOptions options) : server_(std::move(options)) {
    port_ = server_.bind();
    thread_ = std::thread([this] { server_.run(); });
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  httplib::Client client(const std::string& key = "") const {
    httplib::Client c("127.0.0.1", port_);
    c.set_read_timeout(120);
    if (!key.empty()) c.set_bearer_token_auth(key);
    return c;
  }
  int port() const { return port_; }

 private:
  server::Server server_;
  int port_ = 0;
  std::thread thread_;
};

server::ServerOptions options_with_all_models() {
  server::ServerOptions options;
  options.port = 0;
  options.models = {{"llama", (kFixtures / "tiny-llama-gen").string(), "", {}},
                    {"minilm", embedding_folder().string(), "", {}},
                    {"sentiment", (kFixtures / "tiny-sentiment").string(), "", {}}};
  options.max_input_tokens = 64;
  options.max_total_tokens = 96;
  options.max_body_bytes = 64 * 1024;
  return options;
}

const RunningServer& shared_server() {
  static RunningServer running(options_with_all_models());
  return running;
}

json post(const std::string& path, const json& body, int expected_status = 200) {
  auto result = shared_server().client().Post(path.c_str(), body.dump(), "application/json");
  REQUIRE(result);
  INFO(path << " -> " << result->body);
  REQUIRE(result->status == expected_status);
  return json::parse(result->body);
}

// The data of each "data: ...\n\n" frame of an SSE body, checked to be exactly such frames.
std::vector<std::string> sse_frames(const std::string& body) {
  std::vector<std::string> frames;
  size_t at = 0;
  while (at < body.size()) {
    REQUIRE(body.compare(at, 6, "data: ") == 0);
    const size_t end = body.find("\n\n", at);
    REQUIRE(end != std::string::npos);
    frames.push_back(body.substr(at + 6, end - at - 6));
    REQUIRE(frames.back().find('\n') == std::string::npos);
    at = end + 2;
  }
  return frames;
}

std::string streamed(const std::string& path, const json& body) {
  auto result = shared_server().client().Post(path.c_str(), body.dump(), "application/json");
  REQUIRE(result);
  REQUIRE(result->status == 200);
  REQUIRE(result->get_header_value("Content-Type") == "text/event-stream");
  return result->body;
}

// transformers' text for the recorded greedy chat calls of the tiny Llama.
struct RecordedChat {
  json messages;
  int64_t max_new_tokens;
  std::string reply;
};
std::vector<RecordedChat> recorded_chats() {
  std::vector<RecordedChat> chats;
  for (const json& call : read_lines(kFixtures / "tiny-llama-gen" / "text_generation.jsonl")) {
    if (!call["inputs"].is_array() || !call["inputs"][0].is_object() || call.contains("error")) continue;
    const json& kwargs = call["kwargs"];
    if (kwargs.value("do_sample", true) || kwargs.size() != (kwargs.contains("return_full_text") ? 3u : 2u)) continue;
    if (call["inputs"].back()["role"] == "assistant") continue;  // continue_final_message: not a chat request
    const json& generated = call["output"][0]["generated_text"];
    chats.push_back(
        {call["inputs"], kwargs["max_new_tokens"].get<int64_t>(),
         generated.is_string() ? generated.get<std::string>() : generated.back()["content"].get<std::string>()});
  }
  return chats;
}

float read_float(const std::string& bytes, size_t index) {
  float value = 0;
  std::memcpy(&value, bytes.data() + index * sizeof(float), sizeof(float));
  return value;
}

std::string base64_decode(const std::string& text) {
  static const std::string digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t group = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    group = (group << 6) | static_cast<uint32_t>(digits.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((group >> bits) & 0xFF);
    }
  }
  return out;
}

// sentence-transformers' embedding of a recorded feature-extraction call: the mean of transformers'
// hidden states over the tokens, L2-normalized.
std::vector<float> expected_embedding(const json& call) {
  const json& tokens = call["output"][0];
  std::vector<double> sum(tokens[0].size(), 0.0);
  for (const json& token : tokens)
    for (size_t d = 0; d < sum.size(); ++d) sum[d] += token[d].get<double>();
  double norm = 0;
  for (double& v : sum) {
    v /= static_cast<double>(tokens.size());
    norm += v * v;
  }
  std::vector<float> row;
  for (double v : sum) row.push_back(static_cast<float>(v / std::sqrt(norm)));
  return row;
}

}  // namespace

TEST_CASE("served chat completions give transformers' greedy replies", "[server][python]") {
  const std::vector<RecordedChat> chats = recorded_chats();
  REQUIRE(chats.size() >= 2);
  for (const RecordedChat& chat : chats) {
    INFO(chat.messages.dump());
    const json reply = post(
        "/v1/chat/completions",
        {{"model", "llama"}, {"messages", chat.messages}, {"max_tokens", chat.max_new_tokens}, {"temperature", 0}});
    CHECK(reply["object"] == "chat.completion");
    CHECK(reply["model"] == "llama");
    CHECK(reply["id"].get<std::string>().rfind("chatcmpl-", 0) == 0);
    CHECK(reply["choices"][0]["message"]["role"] == "assistant");
    CHECK(reply["choices"][0]["message"]["content"] == chat.reply);
    // Python stopped at the end-of-sequence token or at max_new_tokens (none of these ends on the last step).
    const int64_t tokens = reply["usage"]["completion_tokens"];
    CHECK(tokens <= chat.max_new_tokens);
    const std::string finish_reason = tokens < chat.max_new_tokens ? "stop" : "length";
    CHECK(reply["choices"][0]["finish_reason"] == finish_reason);
    CHECK(reply["usage"]["total_tokens"] == reply["usage"]["prompt_tokens"].get<int64_t>() + tokens);

    // Streamed: the same text in deltas, the role first, the finish reason last, then [DONE].
    const std::vector<std::string> frames =
        sse_frames(streamed("/v1/chat/completions", {{"messages", chat.messages},
                                                     {"max_tokens", chat.max_new_tokens},
                                                     {"temperature", 0},
                                                     {"stream", true},
                                                     {"stream_options", {{"include_usage", true}}}}));
    REQUIRE(frames.size() >= 4);
    CHECK(frames.back() == "[DONE]");
    const json first = json::parse(frames.front());
    CHECK(first["object"] == "chat.completion.chunk");
    CHECK(first["choices"][0]["delta"]["role"] == "assistant");
    std::string text;
    for (size_t i = 1; i + 3 < frames.size(); ++i) {
      const json chunk = json::parse(frames[i]);
      CHECK(chunk["id"] == first["id"]);
      CHECK(chunk["choices"][0]["finish_reason"].is_null());
      text += chunk["choices"][0]["delta"]["content"].get<std::string>();
    }
    CHECK(text == chat.reply);
    const json last = json::parse(frames[frames.size() - 3]);
    CHECK(last["choices"][0]["finish_reason"] == finish_reason);
    const json usage = json::parse(frames[frames.size() - 2]);
    CHECK(usage["choices"].empty());
    CHECK(usage["usage"] == reply["usage"]);
  }
}

TEST_CASE("served text completions give transformers' greedy text and cut at stop strings", "[server][python]") {
  const json call = read_lines(kFixtures / "tiny-llama-gen" / "text_generation.jsonl").at(1);
  REQUIRE(call["kwargs"]["return_full_text"] == false);
  const std::string expected = call["output"][0]["generated_text"];
  const json request = {
      {"prompt", call["inputs"]}, {"max_tokens", call["kwargs"]["max_new_tokens"]}, {"temperature", 0}};
  const json reply = post("/v1/completions", request);
  CHECK(reply["object"] == "text_completion");
  CHECK(reply["choices"][0]["text"] == expected);
  CHECK(reply["choices"][0]["finish_reason"] == "length");

  // A stop string ends the text before it, whole or streamed.
  const std::string stop = expected.substr(3, 4);
  json stopped_request = request;
  stopped_request["stop"] = json::array({"never there", stop});
  const json stopped = post("/v1/completions", stopped_request);
  CHECK(stopped["choices"][0]["text"] == expected.substr(0, expected.find(stop)));
  CHECK(stopped["choices"][0]["finish_reason"] == "stop");
  stopped_request["stream"] = true;
  std::string text;
  const std::vector<std::string> frames = sse_frames(streamed("/v1/completions", stopped_request));
  for (size_t i = 0; i + 1 < frames.size(); ++i)
    text += json::parse(frames[i])["choices"][0]["text"].get<std::string>();
  CHECK(text == expected.substr(0, expected.find(stop)));
  CHECK(json::parse(frames[frames.size() - 2])["choices"][0]["finish_reason"] == "stop");

  // A list of prompts: their choices in order, each what the prompt gives alone; usage adds up.
  json listed = request;
  listed["prompt"] = json::array({"Hello", call["inputs"]});
  const json both = post("/v1/completions", listed);
  REQUIRE(both["choices"].size() == 2);
  CHECK(both["choices"][1]["text"] == expected);
  CHECK(both["choices"][1]["index"] == 1);
  json hello = request;
  hello["prompt"] = "Hello";
  const json alone = post("/v1/completions", hello);
  CHECK(both["choices"][0]["text"] == alone["choices"][0]["text"]);
  CHECK(both["usage"]["prompt_tokens"] ==
        alone["usage"]["prompt_tokens"].get<int>() + reply["usage"]["prompt_tokens"].get<int>());
  listed["stream"] = true;
  CHECK(post("/v1/completions", listed, 400)["error"]["code"] == "unsupported_parameter");
}

TEST_CASE("sampling follows the seed, n choices come back", "[server]") {
  const json request = {{"prompt", "Hello"}, {"max_tokens", 6}, {"temperature", 1.0}, {"seed", 7}, {"n", 2}};
  const json a = post("/v1/completions", request), b = post("/v1/completions", request);
  REQUIRE(a["choices"].size() == 2);
  CHECK(a["choices"] == b["choices"]);
  CHECK(a["usage"]["completion_tokens"] == 12);
  // vLLM's ignore_eos: exactly max_tokens.
  const json fixed =
      post("/v1/completions", {{"prompt", "Hello"}, {"max_tokens", 40}, {"temperature", 0}, {"ignore_eos", true}});
  CHECK(fixed["usage"]["completion_tokens"] == 40);
  CHECK(fixed["choices"][0]["finish_reason"] == "length");
  CHECK(post("/v1/completions", {{"prompt", "Hello"}, {"n", 2}, {"temperature", 0}}, 400)["error"]["message"] ==
        "n > 1 needs sampling (a temperature above 0)");
}

TEST_CASE("embeddings are sentence-transformers' over transformers' hidden states", "[server][python]") {
  std::vector<json> calls = read_lines(kFixtures / "tiny-sentiment" / "feature_extraction.jsonl");
  calls.resize(2);
  const std::vector<std::string> texts = {calls[0]["inputs"], calls[1]["inputs"]};
  const json openai = post("/v1/embeddings", {{"model", "minilm"}, {"input", texts}});
  const json base64 = post("/v1/embeddings", {{"input", texts}, {"encoding_format", "base64"}});
  const json tei = post("/embed", {{"inputs", texts}});
  REQUIRE(openai["data"].size() == 2);
  CHECK(openai["object"] == "list");
  CHECK(openai["usage"]["prompt_tokens"].get<int64_t>() > 0);
  for (size_t i = 0; i < 2; ++i) {
    const std::vector<float> expected = expected_embedding(calls[i]);
    const std::vector<float> ours = openai["data"][i]["embedding"];
    const std::string bytes = base64_decode(base64["data"][i]["embedding"]);
    REQUIRE(ours.size() == expected.size());
    REQUIRE(bytes.size() == expected.size() * sizeof(float));
    for (size_t d = 0; d < expected.size(); ++d) {
      CHECK(std::abs(ours[d] - expected[d]) < 1e-4);
      CHECK(read_float(bytes, d) == ours[d]);
      CHECK(std::abs(tei[i][d].get<float>() - expected[d]) < 1e-4);
    }
  }
  // TEI refuses a text over the token limit unless told to truncate.
  std::string long_text;
  for (int i = 0; i < 80; ++i) long_text += "word ";
  CHECK(post("/embed", {{"inputs", long_text}}, 413)["error_type"] == "validation");
  CHECK(post("/embed", {{"inputs", long_text}, {"truncate", true}}).size() == 1);
}

TEST_CASE("/predict is transformers' text-classification pipeline", "[server][python]") {
  for (const json& call : read_lines(kFixtures / "tiny-sentiment" / "expected.jsonl")) {
    if (!call["kwargs"].empty() || !call["inputs"].is_string()) continue;
    const json scores = post("/predict", {{"inputs", call["inputs"]}});
    REQUIRE(scores.is_array());
    CHECK(scores[0]["label"] == call["output"][0]["label"]);
    CHECK(std::abs(scores[0]["score"].get<double>() - call["output"][0]["score"].get<double>()) < 1e-4);
    CHECK(std::abs(scores[0]["score"].get<double>() + scores[1]["score"].get<double>() - 1) < 1e-5);
  }
  CHECK(post("/predict", {{"inputs", {"a", "b", "c"}}}).size() == 3);
  CHECK(post("/rerank", {{"query", "q"}, {"texts", {"a"}}}, 400)["error"].get<std::string>().find("one") !=
        std::string::npos);
}

TEST_CASE("the server refuses bad requests with the API's error body", "[server]") {
  auto client = shared_server().client();
  auto raw = client.Post("/v1/chat/completions", "{not json", "application/json");
  REQUIRE(raw);
  CHECK(raw->status == 400);
  CHECK(json::parse(raw->body)["error"]["message"] == "the request body is not valid JSON");
  // A deeply nested body parses, but copying it would recurse once per level: refused first.
  raw = client.Post("/v1/chat/completions",
                    "{\"messages\": " + std::string(20'000, '[') + std::string(20'000, ']') + "}", "application/json");
  REQUIRE(raw);
  CHECK(raw->status == 400);
  CHECK(json::parse(raw->body)["error"]["message"] == "the request body nests deeper than 512 levels");
  // Fields that would change the answer and are not computed are refused, never ignored.
  CHECK(post("/v1/completions", {{"prompt", "a"}, {"echo", true}}, 400)["error"]["code"] == "unsupported_parameter");
  CHECK(post("/v1/chat/completions",
             {{"messages", {{{"role", "user"}, {"content", "a"}}}}, {"logit_bias", {{"5", 10}}}},
             400)["error"]["message"] == "logit_bias is not served yet (biased logits)");
  const json wrong_type = post("/v1/completions", {{"prompt", "a"}, {"max_tokens", "ten"}}, 400);
  CHECK(wrong_type["error"]["message"] == "'max_tokens' must be an integer");
  CHECK(post("/v1/chat/completions", {{"model", "nope"}, {"messages", {{{"role", "user"}, {"content", "a"}}}}},
             404)["error"]["code"] == "model_not_found");
  CHECK(post("/v1/chat/completions", {{"model", "minilm"}, {"messages", {{{"role", "user"}, {"content", "a"}}}}},
             400)["error"]["message"] == "model 'minilm' is an embedding model, not a text-generation model");
  CHECK(post("/v1/chat/completions", {{"messages", json::array()}}, 400)["error"]["code"] == "invalid_type");
  std::string long_prompt;
  for (int i = 0; i < 80; ++i) long_prompt += "word ";
  CHECK(post("/v1/completions", {{"prompt", long_prompt}}, 400)["error"]["code"] == "context_length_exceeded");
  CHECK(post("/v1/completions", {{"prompt", "a"}, {"max_tokens", 500}}, 400)["error"]["code"] ==
        "context_length_exceeded");
  auto huge = client.Post("/v1/completions", std::string(100 * 1024, ' '), "application/json");
  REQUIRE(huge);
  CHECK(huge->status == 413);
  auto missing = client.Get("/v1/nothing");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(json::parse(missing->body)["error"]["message"] == "no route GET /v1/nothing");
  // And it still answers.
  CHECK(post("/v1/completions", {{"prompt", "a"}, {"max_tokens", 2}, {"temperature", 0}})["choices"].size() == 1);
}

TEST_CASE("/v1/models, /info, /health and /metrics", "[server]") {
  auto client = shared_server().client();
  auto models = client.Get("/v1/models");
  REQUIRE(models);
  const json list = json::parse(models->body);
  REQUIRE(list["data"].size() == 3);
  CHECK(list["data"][0]["id"] == "llama");
  CHECK(list["data"][1]["id"] == "minilm");
  const json info = json::parse(client.Get("/info")->body);
  CHECK(info["models"][1]["model_type"]["embedding"]["pooling"] == "mean");
  CHECK(info["models"][2]["model_type"]["classifier"]["id2label"]["1"] == "POSITIVE");
  CHECK(client.Get("/health")->status == 200);
  const std::string metrics = client.Get("/metrics")->body;
  CHECK(metrics.find("transformers_requests_total{route=\"/v1/models\",status=\"200\"}") != std::string::npos);
  CHECK(metrics.find("transformers_queue_depth{model=\"llama\"} 0") != std::string::npos);
}

TEST_CASE("options a model kind cannot take are refused by the model's name", "[server]") {
  server::ServerOptions options;
  options.models = {{"sentiment", (kFixtures / "tiny-sentiment").string(), "", {}}};
  options.models[0].load.quantization = "int8";
  CHECK_THROWS_WITH(server::Server(options), Catch::Contains("sentiment: a classifier is served in its dtype"));
  options.models = {{"minilm", embedding_folder().string(), "", {}}};
  options.models[0].load.dtype = DType::BF16;
  CHECK_THROWS_WITH(server::Server(options),
                    Catch::Contains("minilm: a sentence-transformers model is served as stored"));
  options.models = {};
  CHECK_THROWS_WITH(server::Server(options), Catch::Contains("no model to serve"));
}

TEST_CASE("a key guards every route but /health", "[server]") {
  server::ServerOptions options;
  options.port = 0;
  options.api_key = "secret";
  options.models = {{"", (kFixtures / "tiny-llama-gen").string(), "", {}}};
  RunningServer running(options);
  for (const std::string key : {"", "wrong", "secre", "secret!"}) {
    auto result = running.client(key).Get("/v1/models");
    REQUIRE(result);
    CHECK(result->status == 401);
    CHECK(json::parse(result->body)["error"]["code"] == "invalid_api_key");
  }
  auto allowed = running.client("secret").Get("/v1/models");
  REQUIRE(allowed);
  CHECK(allowed->status == 200);
  CHECK(json::parse(allowed->body)["data"][0]["id"] == "tiny-llama-gen");
  CHECK(running.client().Get("/health")->status == 200);
}

TEST_CASE("admission is bounded, and a client that leaves frees its stream", "[server]") {
  server::ServerOptions options;
  options.port = 0;
  options.max_concurrent_requests = 1;
  options.models = {{"llama", (kFixtures / "tiny-llama-gen").string(), "", {}}};
  RunningServer running(options);
  auto in_flight = [&running] {
    const std::string metrics = running.client().Get("/metrics")->body;
    const std::string key = "\ntransformers_requests_in_flight ";
    const size_t at = metrics.find(key);
    REQUIRE(at != std::string::npos);
    return std::stoi(metrics.substr(at + key.size()));
  };
  std::mutex mutex;
  std::condition_variable changed;
  bool first_chunk = false, release = false;
  // A long stream whose client reads one chunk, waits until released, then hangs up: the server's
  // writes fill the socket and wait, so the stream stays admitted.
  std::thread streaming([&] {
    auto client = running.client();
    httplib::Request request;
    request.method = "POST";
    request.path = "/v1/completions";
    request.set_header("Content-Type", "application/json");
    request.body =
        json{{"prompt", "Hello"}, {"max_tokens", 2000}, {"temperature", 0}, {"stream", true}, {"ignore_eos", true}}
            .dump();
    request.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) {
      std::unique_lock<std::mutex> lock(mutex);
      first_chunk = true;
      changed.notify_all();
      changed.wait(lock, [&] { return release; });
      return false;
    };
    client.send(request);
  });
  {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return first_chunk; });
  }
  CHECK(in_flight() == 1);
  auto refused = running.client().Post("/v1/completions", json{{"prompt", "a"}}.dump(), "application/json");
  REQUIRE(refused);
  CHECK(refused->status == 429);
  CHECK(refused->get_header_value("Retry-After") == "1");
  CHECK(json::parse(refused->body)["error"]["type"] == "rate_limit_exceeded");
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
  }
  changed.notify_all();
  streaming.join();
  // The abandoned stream ends at its next step (its write fails); then requests are admitted again.
  for (int attempt = 0; attempt < 400 && in_flight() != 0; ++attempt)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(in_flight() == 0);
  auto admitted = running.client().Post(
      "/v1/completions", json{{"prompt", "a"}, {"max_tokens", 1}, {"temperature", 0}}.dump(), "application/json");
  REQUIRE(admitted);
  CHECK(admitted->status == 200);
}

TEST_CASE("concurrent requests of every kind get the answers they get alone", "[server][threads]") {
  const std::vector<std::pair<std::string, json>> requests = {
      {"/v1/completions", {{"prompt", "Hello world"}, {"max_tokens", 6}, {"temperature", 0}}},
      {"/v1/completions", {{"prompt", "the quick brown fox"}, {"max_tokens", 5}, {"temperature", 0.8}, {"seed", 3}}},
      {"/v1/chat/completions",
       {{"messages", {{{"role", "user"}, {"content", "Hello"}}}}, {"max_tokens", 4}, {"temperature", 0}}},
      {"/v1/embeddings", {{"input", {"a text", "another text"}}}},
      {"/predict", {{"inputs", "the movie was great"}}}};
  // What varies between calls (ids, times) is left out of the comparison.
  auto answer = [](const std::string& path, const json& body) {
    json reply = post(path, body);
    if (reply.is_object()) {
      reply.erase("id");
      reply.erase("created");
    }
    return reply;
  };
  std::vector<json> alone;
  for (const auto& [path, body] : requests) alone.push_back(answer(path, body));
  std::vector<std::thread> threads;
  std::vector<std::vector<json>> answers(4);
  for (size_t t = 0; t < answers.size(); ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round)
        for (size_t i = 0; i < requests.size(); ++i) {
          const size_t k = (i + t) % requests.size();
          auto result =
              shared_server().client().Post(requests[k].first.c_str(), requests[k].second.dump(), "application/json");
          json reply = result && result->status == 200 ? json::parse(result->body) : json("failed");
          if (reply.is_object()) {
            reply.erase("id");
            reply.erase("created");
          }
          answers[t].push_back({{"request", k}, {"reply", reply}});
        }
    });
  for (std::thread& thread : threads) thread.join();
  // Texts batched with others' are padded further: their numbers may move in the last bits.
  std::function<bool(const json&, const json&)> same = [&same](const json& a, const json& b) {
    if (a.is_number_float() && b.is_number_float()) return std::abs(a.get<double>() - b.get<double>()) <= 1e-5;
    if (a.type() != b.type() || a.size() != b.size()) return false;
    if (a.is_array()) {
      for (size_t i = 0; i < a.size(); ++i)
        if (!same(a[i], b[i])) return false;
      return true;
    }
    if (a.is_object()) {
      for (const auto& [key, value] : a.items())
        if (!b.contains(key) || !same(value, b[key])) return false;
      return true;
    }
    return a == b;
  };
  for (const std::vector<json>& replies : answers) {
    REQUIRE(replies.size() == 3 * requests.size());
    for (const json& reply : replies) {
      INFO(reply["reply"].dump().substr(0, 300));
      CHECK(same(reply["reply"], alone[reply["request"].get<size_t>()]));
    }
  }
}

TEST_CASE("a client too slow to send its request is dropped, and others are served meanwhile", "[server]") {
  server::ServerOptions options;
  options.port = 0;
  options.read_timeout_seconds = 0.5;
  options.models = {{"llama", (kFixtures / "tiny-llama-gen").string(), "", {}}};
  RunningServer running(options);
  // A raw connection that sends half a request line and then nothing.
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(sock >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(running.port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(sock, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0);
  const std::string partial = "POST /v1/completions HTTP/1.1\r\nHost: x\r\n";
  REQUIRE(::send(sock, partial.data(), partial.size(), 0) == static_cast<ssize_t>(partial.size()));
  // Served while the slow one waits.
  auto served = running.client().Get("/v1/models");
  REQUIRE(served);
  CHECK(served->status == 200);
  // The server gives up on the slow client within its read timeout.
  timeval wait{5, 0};
  ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof(wait));
  char buffer[256];
  const auto start = std::chrono::steady_clock::now();
  const ssize_t got = ::recv(sock, buffer, sizeof(buffer), 0);
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(sock);
  // Closed, or closed after an error status.
  CHECK((got <= 0 || std::string(buffer, static_cast<size_t>(got)).rfind("HTTP/1.1 4", 0) == 0));
  CHECK(waited < 4.0);
}

TEST_CASE("logprobs are the model's log-softmax, with the top alternatives", "[server]") {
  // The first step's distribution, computed here from the model itself.
  const auto model = AutoModelForCausalLM::from_pretrained((kFixtures / "tiny-llama-gen").string());
  const auto tokenizer = AutoTokenizer::from_pretrained((kFixtures / "tiny-llama-gen").string());
  const std::vector<int64_t> ids = tokenizer.encode("Hello world");
  ModelInputs inputs;
  inputs.input_ids = Tensor::from_vector(ids, {1, static_cast<int64_t>(ids.size())});
  const Tensor logits = model->forward(inputs).logits;
  const std::vector<float> last = logits.select(1, logits.size(1) - 1).contiguous().to_vector<float>();
  double normalizer = 0;
  const double top = *std::max_element(last.begin(), last.end());
  for (float v : last) normalizer += std::exp(v - top);
  const double best_logprob = -std::log(normalizer);  // the argmax's log-probability

  const json text =
      post("/v1/completions", {{"prompt", "Hello world"}, {"max_tokens", 5}, {"temperature", 0}, {"logprobs", 3}});
  const json& lp = text["choices"][0]["logprobs"];
  REQUIRE(lp["tokens"].size() == 5);
  CHECK(std::abs(lp["token_logprobs"][0].get<double>() - best_logprob) < 1e-4);
  for (size_t i = 0; i < 5; ++i) {
    CHECK(lp["top_logprobs"][i].size() <= 3);
    double highest = -1e9;
    for (const auto& [token, value] : lp["top_logprobs"][i].items()) highest = std::max(highest, value.get<double>());
    CHECK(std::abs(highest - lp["token_logprobs"][i].get<double>()) < 1e-9);  // greedy took the best
  }
  const json chat = post("/v1/chat/completions", {{"messages", {{{"role", "user"}, {"content", "Hello"}}}},
                                                  {"max_tokens", 4},
                                                  {"temperature", 0},
                                                  {"logprobs", true},
                                                  {"top_logprobs", 2}});
  const json& content = chat["choices"][0]["logprobs"]["content"];
  REQUIRE(content.size() == chat["usage"]["completion_tokens"].get<size_t>());
  for (const json& token : content) {
    CHECK(token["logprob"].get<double>() <= 0);
    REQUIRE(token["top_logprobs"].size() == 2);
    CHECK(token["top_logprobs"][0]["logprob"].get<double>() >= token["top_logprobs"][1]["logprob"].get<double>());
    CHECK(token["top_logprobs"][0]["logprob"] == token["logprob"]);
    CHECK(token["bytes"].size() == token["token"].get<std::string>().size());
  }
  CHECK(post("/v1/chat/completions",
             {{"messages", {{{"role", "user"}, {"content", "a"}}}}, {"logprobs", true}, {"stream", true}},
             400)["error"]["code"] == "unsupported_parameter");
  CHECK(post("/v1/chat/completions", {{"messages", {{{"role", "user"}, {"content", "a"}}}}, {"top_logprobs", 2}},
             400)["error"]["message"] == "top_logprobs needs logprobs: true");
}
