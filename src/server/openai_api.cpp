// OpenAI's API: /v1/chat/completions and /v1/completions (whole, or streamed as Server-Sent Events
// ending in "data: [DONE]"), /v1/embeddings and /v1/models. Sampling follows OpenAI's fields:
// temperature 0 is greedy, any other temperature (or top_p) samples, neither leaves the model's
// generation config in charge; "stop" strings end the text before them.
#include <algorithm>
#include <cstring>

#include <transformers/generation/generate.hpp>

#include "api.hpp"

namespace transformers::server {
namespace {

// OpenAI's presence and frequency penalties over the tokens generated so far (not the prompt's):
// logit -= presence * [count > 0] + frequency * count.
class PresenceFrequencyPenalty final : public LogitsProcessor {
 public:
  PresenceFrequencyPenalty(int64_t prompt_length, double presence, double frequency)
      : prompt_length_(prompt_length), presence_(presence), frequency_(frequency) {}

  Tensor operator()(const Tensor& input_ids, const Tensor& scores) const override {
    const int64_t rows = scores.size(0), vocab = scores.size(1), length = input_ids.size(1);
    std::vector<float> values = scores.to_vector<float>();
    const std::vector<int64_t> ids = input_ids.to_vector<int64_t>();
    for (int64_t row = 0; row < rows; ++row) {
      std::map<int64_t, int64_t> counts;
      for (int64_t t = prompt_length_; t < length; ++t) ++counts[ids[static_cast<size_t>(row * length + t)]];
      for (const auto& [token, count] : counts)
        if (token >= 0 && token < vocab)
          values[static_cast<size_t>(row * vocab + token)] -=
              static_cast<float>(presence_ + frequency_ * static_cast<double>(count));
    }
    return Tensor::from_vector(values, {rows, vocab});
  }
  std::string name() const override { return "PresenceFrequencyPenalty"; }

 private:
  int64_t prompt_length_;
  double presence_, frequency_;
};

// Stops generation once the client has gone (a stream that could not be written).
class ClientGone final : public StoppingCriteria {
 public:
  explicit ClientGone(std::shared_ptr<std::atomic<bool>> gone) : gone_(std::move(gone)) {}
  std::vector<bool> operator()(const Tensor& input_ids) const override {
    return std::vector<bool>(static_cast<size_t>(input_ids.size(0)), gone_->load());
  }
  std::string name() const override { return "ClientGone"; }

 private:
  std::shared_ptr<std::atomic<bool>> gone_;
};

// One generation request, read from the body.
struct Job {
  std::vector<int64_t> prompt;
  GenerationConfig config;
  GenerateOptions options;
  std::vector<std::string> stop;
  size_t n = 1;
  bool stream = false, include_usage = false;
  bool logprobs = false;    // the chosen tokens' log-probabilities (of the model's raw distribution)
  size_t top_logprobs = 0;  // and this many alternatives at each step
};

// A generated token with its log-probability and the most likely tokens at its step.
struct TokenLogprob {
  std::string token;
  double logprob = 0;
  std::vector<std::pair<std::string, double>> top;
};

struct Choice {
  std::string text, finish_reason;
  size_t tokens = 0;
  std::vector<TokenLogprob> logprobs;  // with Job::logprobs
};

// Fields OpenAI defines that change the answer and that this server does not compute: refused, so a
// client never takes an answer made without them for one made with them.
void refuse_unserved_fields(const json& body) {
  const auto unserved = [&](const char* name, const char* what) {
    throw HttpError(400, std::string(name) + " is not served yet (" + what + ")", "invalid_request_error",
                    "unsupported_parameter");
  };
  if (bool_field(body, "echo").value_or(false)) unserved("echo", "the prompt's own logprobs");
  if (string_field(body, "suffix")) unserved("suffix", "insertion");
  if (integer_field(body, "best_of").value_or(1) > 1) unserved("best_of", "ranking several completions");
  const auto bias = body.find("logit_bias");
  if (bias != body.end() && !bias->is_null() && !bias->empty()) unserved("logit_bias", "biased logits");
}

Job read_job(const Context& context, ServedModel& model, const json& body, std::vector<int64_t> prompt, bool chat) {
  const ServerOptions& limits = context.options;
  Job job;
  job.prompt = std::move(prompt);
  if (job.prompt.size() > limits.max_input_tokens)
    throw HttpError(400,
                    "the prompt has " + std::to_string(job.prompt.size()) + " tokens, more than the " +
                        std::to_string(limits.max_input_tokens) + " this server accepts (--max-input-tokens)",
                    "invalid_request_error", "context_length_exceeded");
  const size_t room = limits.max_total_tokens > job.prompt.size() ? limits.max_total_tokens - job.prompt.size() : 0;
  std::optional<int64_t> max_tokens = integer_field(body, "max_completion_tokens");
  if (!max_tokens) max_tokens = integer_field(body, "max_tokens");
  if (max_tokens && *max_tokens < 1) throw HttpError(400, "max_tokens must be at least 1");
  if (max_tokens && static_cast<size_t>(*max_tokens) > room)
    throw HttpError(400,
                    "the prompt (" + std::to_string(job.prompt.size()) + " tokens) and max_tokens (" +
                        std::to_string(*max_tokens) + ") exceed the " + std::to_string(limits.max_total_tokens) +
                        " tokens this server generates to (--max-total-tokens)",
                    "invalid_request_error", "context_length_exceeded");
  if (room == 0)
    throw HttpError(400, "the prompt leaves no room to generate within --max-total-tokens", "invalid_request_error",
                    "context_length_exceeded");

  json kwargs = json::object();
  int64_t new_tokens = max_tokens ? *max_tokens : static_cast<int64_t>(room);
  if (!max_tokens && model.generation.max_new_tokens)
    new_tokens = std::min(new_tokens, *model.generation.max_new_tokens);
  kwargs["max_new_tokens"] = new_tokens;
  kwargs["max_length"] = nullptr;
  const std::optional<double> temperature = number_field(body, "temperature");
  const std::optional<double> top_p = number_field(body, "top_p");
  if (temperature && (*temperature < 0 || *temperature > 2)) throw HttpError(400, "temperature must be within [0, 2]");
  if (top_p && (*top_p <= 0 || *top_p > 1)) throw HttpError(400, "top_p must be within (0, 1]");
  if (temperature && *temperature == 0) {
    kwargs["do_sample"] = false;
  } else if (temperature || top_p) {
    kwargs["do_sample"] = true;
    if (temperature) kwargs["temperature"] = *temperature;
    if (top_p) kwargs["top_p"] = *top_p;
  }
  refuse_unserved_fields(body);
  const std::optional<int64_t> n = integer_field(body, "n");
  if (n && (*n < 1 || *n > 16)) throw HttpError(400, "n must be within [1, 16]");
  job.n = n ? static_cast<size_t>(*n) : 1;
  if (job.n > 1) kwargs["num_return_sequences"] = job.n;
  // vLLM's extensions, which load generators use for fixed lengths.
  if (bool_field(body, "ignore_eos").value_or(false)) kwargs["eos_token_id"] = nullptr;
  if (auto min_tokens = integer_field(body, "min_tokens")) {
    if (*min_tokens < 0 || *min_tokens > new_tokens) throw HttpError(400, "min_tokens must be within [0, max_tokens]");
    kwargs["min_new_tokens"] = *min_tokens;
  }
  job.stop = strings_field(body, "stop", false);
  if (job.stop.size() > 4) throw HttpError(400, "stop takes at most 4 sequences");
  job.stop.erase(std::remove(job.stop.begin(), job.stop.end(), std::string()), job.stop.end());
  if (!job.stop.empty()) kwargs["stop_strings"] = job.stop;
  if (chat) {  // logprobs: true, top_logprobs: 0..20
    job.logprobs = bool_field(body, "logprobs").value_or(false);
    if (auto top = integer_field(body, "top_logprobs")) {
      if (*top < 0 || *top > 20) throw HttpError(400, "top_logprobs must be within [0, 20]");
      if (*top > 0 && !job.logprobs) throw HttpError(400, "top_logprobs needs logprobs: true");
      job.top_logprobs = static_cast<size_t>(*top);
    }
  } else if (auto top = integer_field(body, "logprobs")) {  // completions: logprobs: 0..5
    if (*top < 0 || *top > 5) throw HttpError(400, "logprobs must be within [0, 5]");
    job.logprobs = true;
    job.top_logprobs = static_cast<size_t>(*top);
  }
  if (job.logprobs) {
    if (bool_field(body, "stream").value_or(false))
      throw HttpError(400, "logprobs are not streamed yet", "invalid_request_error", "unsupported_parameter");
    kwargs["output_logits"] = true;
    kwargs["return_dict_in_generate"] = true;
  }
  const bool samples =
      kwargs.contains("do_sample") ? kwargs["do_sample"].get<bool>() : model.generation.do_sample.value_or(false);
  if (job.n > 1 && !samples) throw HttpError(400, "n > 1 needs sampling (a temperature above 0)");
  try {
    job.config = model.generation.updated(kwargs);
    job.config.validate();
  } catch (const InvalidArgument& e) {
    throw HttpError(400, e.what());
  }

  const double presence = number_field(body, "presence_penalty").value_or(0.0);
  const double frequency = number_field(body, "frequency_penalty").value_or(0.0);
  if (presence < -2 || presence > 2 || frequency < -2 || frequency > 2)
    throw HttpError(400, "presence_penalty and frequency_penalty must be within [-2, 2]");
  if (presence != 0 || frequency != 0)
    job.options.logits_processor.push_back(
        std::make_shared<PresenceFrequencyPenalty>(static_cast<int64_t>(job.prompt.size()), presence, frequency));
  if (auto seed = integer_field(body, "seed")) job.options.seed = static_cast<uint64_t>(*seed);
  job.options.tokenizer = &*model.tokenizer;
  job.stream = bool_field(body, "stream").value_or(false);
  if (body.contains("stream_options") && body["stream_options"].is_object())
    job.include_usage = bool_field(body["stream_options"], "include_usage").value_or(false);
  if (job.stream && job.n > 1) throw HttpError(400, "streaming with n > 1 is not served yet");
  return job;
}

bool is_eos(const GenerationConfig& config, int64_t token) {
  if (!config.eos_token_id) return false;
  return std::find(config.eos_token_id->begin(), config.eos_token_id->end(), token) != config.eos_token_id->end();
}

// Where the earliest stop string starts in `text` (npos: none).
size_t first_stop(const std::string& text, const std::vector<std::string>& stop) {
  size_t at = std::string::npos;
  for (const std::string& s : stop) at = std::min(at, text.find(s));
  return at;
}

// The generated tokens of a returned row: up to and including the first end-of-sequence token.
Choice choice_of(const ServedModel& model, const Job& job, std::vector<int64_t> generated) {
  Choice choice;
  choice.finish_reason = "length";
  for (size_t i = 0; i < generated.size(); ++i)
    if (is_eos(job.config, generated[i])) {
      generated.resize(i + 1);
      choice.finish_reason = "stop";
      break;
    }
  choice.tokens = generated.size();
  choice.text = model.tokenizer->decode(generated, /*skip_special_tokens=*/true);
  if (const size_t at = first_stop(choice.text, job.stop); at != std::string::npos) {
    choice.text.resize(at);
    choice.finish_reason = "stop";
  }
  return choice;
}

Tensor prompt_tensor(const Job& job) {
  return Tensor::from_vector(job.prompt, {1, static_cast<int64_t>(job.prompt.size())});
}

// One sequence joins the model's continuous batch; anything else (n > 1, beams, a model that cannot
// share its steps) waits for its turn and runs alone.
GenerateOutput generate_job(ServedModel& model, const Job& job, const GenerateOptions& options) {
  if (model.batch && job.n == 1 && job.config.beams() == 1)
    return generation_detail::generate_stepped(
        *model.causal_lm, prompt_tensor(job), job.config, options,
        [&model](const generation_detail::Sequences&, bool, int64_t) { return model.batch->stepper(); });
  Turn turn(model);
  return generate(*model.causal_lm, prompt_tensor(job), job.config, options);
}

// The log-probabilities of a returned row's tokens under the model's raw logits (log_softmax in
// double), with the top alternatives, as OpenAI reports them.
std::vector<TokenLogprob> logprobs_of(const ServedModel& model, const Job& job, const GenerateOutput& out, int64_t row,
                                      std::vector<int64_t>::const_iterator sequence) {
  std::vector<TokenLogprob> result;
  const size_t steps = std::min(out.logits.size(), static_cast<size_t>(out.sequences.size(1)) - job.prompt.size());
  auto text_of = [&model](int64_t id) { return model.tokenizer->decode({id}); };
  for (size_t step = 0; step < steps; ++step) {
    const Tensor& logits = out.logits[step];
    const int64_t vocab = logits.size(1);
    const std::vector<float> all = logits.narrow(0, row, 1).contiguous().to_vector<float>();
    const double top = *std::max_element(all.begin(), all.end());
    double sum = 0;
    for (float v : all) sum += std::exp(static_cast<double>(v) - top);
    const double log_normalizer = top + std::log(sum);
    const int64_t id = *(sequence + static_cast<int64_t>(job.prompt.size() + step));
    if (id < 0 || id >= vocab) break;
    TokenLogprob token{text_of(id), static_cast<double>(all[static_cast<size_t>(id)]) - log_normalizer, {}};
    std::vector<int64_t> order(static_cast<size_t>(vocab));
    for (int64_t i = 0; i < vocab; ++i) order[static_cast<size_t>(i)] = i;
    const size_t k = std::min(job.top_logprobs, order.size());
    std::partial_sort(
        order.begin(), order.begin() + static_cast<int64_t>(k), order.end(),
        [&all](int64_t a, int64_t b) { return all[static_cast<size_t>(a)] > all[static_cast<size_t>(b)]; });
    for (size_t i = 0; i < k; ++i)
      token.top.emplace_back(text_of(order[i]),
                             static_cast<double>(all[static_cast<size_t>(order[i])]) - log_normalizer);
    result.push_back(std::move(token));
    if (is_eos(job.config, id)) break;
  }
  return result;
}

std::vector<Choice> run(const Context& context, ServedModel& model, Job& job) {
  const GenerateOutput out = generate_job(model, job, job.options);
  const int64_t rows = out.sequences.size(0), length = out.sequences.size(1);
  const std::vector<int64_t> ids = out.sequences.to_vector<int64_t>();
  std::vector<Choice> choices;
  size_t generated = 0;
  for (int64_t row = 0; row < rows; ++row) {
    const auto begin = ids.begin() + row * length;
    choices.push_back(choice_of(model, job, {begin + static_cast<int64_t>(job.prompt.size()), begin + length}));
    if (job.logprobs) choices.back().logprobs = logprobs_of(model, job, out, row, begin);
    generated += choices.back().tokens;
  }
  context.metrics.tokens(job.prompt.size(), generated);
  return choices;
}

json usage(size_t prompt, size_t completion) {
  return {{"prompt_tokens", prompt}, {"completion_tokens", completion}, {"total_tokens", prompt + completion}};
}

// Holds back streamed text that may be the start of a stop string, and cuts at one when found.
class StopFilter {
 public:
  explicit StopFilter(const std::vector<std::string>& stop) : stop_(stop) {}

  // The text that can be sent now; `stopped` once a stop string was met (nothing after it is sent).
  std::string push(const std::string& text, bool end) {
    if (stopped) return {};
    pending_ += text;
    if (const size_t at = first_stop(pending_, stop_); at != std::string::npos) {
      stopped = true;
      return take(at);
    }
    if (end) return take(pending_.size());
    size_t keep = 0;  // the longest tail of pending_ that begins a stop string
    for (const std::string& s : stop_)
      for (size_t k = std::min(s.size() - 1, pending_.size()); k > keep; --k)
        if (pending_.compare(pending_.size() - k, k, s, 0, k) == 0) {
          keep = k;
          break;
        }
    return take(pending_.size() - keep);
  }
  bool stopped = false;

 private:
  std::string take(size_t count) {
    std::string out = pending_.substr(0, count);
    pending_.erase(0, count);
    return out;
  }
  const std::vector<std::string>& stop_;
  std::string pending_;
};

// Streams one choice: `opening()` first when given, `delta(text)` for every piece of text, then the
// frames of `finish(choice)` (tokens and finish_reason set) and "[DONE]". Writes fail once the client is gone, which stops
// generation at its next step.
void stream(const Context& context, ServedModel& model, Job& job, httplib::Response& response,
            std::shared_ptr<Admission> admission, std::function<json(const std::string& text)> delta,
            std::function<std::vector<json>(const Choice& choice)> finish, std::function<json()> opening) {
  auto state = std::make_shared<Job>(std::move(job));
  Metrics* metrics = &context.metrics;  // the context is the handler's; the stream outlives it
  ServedModel* served = &model;
  response.set_header("Cache-Control", "no-cache");
  response.set_chunked_content_provider("text/event-stream", [state, metrics, served, admission, delta, finish,
                                                              opening](size_t, httplib::DataSink& sink) {
    auto gone = std::make_shared<std::atomic<bool>>(false);
    auto send = [&](const std::string& data) {
      const std::string frame = "data: " + data + "\n\n";
      if (!gone->load() && !sink.write(frame.data(), frame.size())) *gone = true;
    };
    if (opening) send(opening().dump());
    StopFilter filter(state->stop);
    std::vector<int64_t> generated;
    auto on_text = [&](const std::string& text, bool end) {
      const std::string piece = filter.push(text, end);
      if (!piece.empty()) send(delta(piece).dump());
    };
    TextStreamer streamer(*served->tokenizer, /*skip_prompt=*/true, StreamerDecodeOptions{true, std::nullopt}, on_text);
    state->options.streamer = &streamer;
    state->options.stopping_criteria.push_back(std::make_shared<ClientGone>(gone));
    Choice choice;
    try {
      const GenerateOutput out = generate_job(*served, *state, state->options);
      const std::vector<int64_t> ids = out.sequences.to_vector<int64_t>();
      choice = choice_of(*served, *state, {ids.begin() + static_cast<int64_t>(state->prompt.size()), ids.end()});
      if (filter.stopped) choice.finish_reason = "stop";
      metrics->tokens(state->prompt.size(), choice.tokens);
    } catch (const std::exception& e) {  // the status is sent: the error goes in the stream
      send(json{{"error", {{"message", e.what()}, {"type", "server_error"}, {"param", nullptr}, {"code", nullptr}}}}
               .dump());
      sink.done();
      return true;
    }
    for (const json& frame : finish(choice)) send(frame.dump());
    send("[DONE]");
    sink.done();
    return true;
  });
}

std::vector<int64_t> chat_prompt(ServedModel& model, const json& body) {
  if (!body.contains("messages") || !body["messages"].is_array() || body["messages"].empty())
    throw HttpError(400, "messages must be a non-empty list", "invalid_request_error", "invalid_type");
  for (const json& message : body["messages"])
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string())
      throw HttpError(400, "every message must be an object with a string \"role\"");
  if (model.tokenizer->chat_templates().empty())
    throw HttpError(400, "model '" + model.name + "' has no chat template; use /v1/completions");
  ChatTemplateOptions chat;
  chat.add_generation_prompt = true;
  if (body.contains("tools") && !body["tools"].is_null()) chat.tools = nlohmann::ordered_json(body["tools"]);
  std::string prompt;
  try {
    prompt = model.tokenizer->apply_chat_template(nlohmann::ordered_json(body["messages"]), chat);
  } catch (const Error& e) {
    throw HttpError(400, std::string("the chat template failed on these messages: ") + e.what());
  }
  return model.tokenizer->encode(prompt, /*add_special_tokens=*/false);
}

// What differs between chat and text completions: the object names and a choice's fields (besides
// "index" and "finish_reason") in a whole response, a streamed piece, the last chunk and, for chat,
// the first chunk.
struct Format {
  std::string id_prefix, object, chunk_object;
  std::function<json(const Choice&)> choice;
  std::function<json(const std::string& text)> piece;
  std::function<json()> last;
  std::function<json()> opening;  // none for text completions
};

// The jobs' completions as `format` shapes them: one JSON response whose choices are every job's in
// order (a list of prompts gives n choices each, as OpenAI indexes them), or a stream of chunks (one
// job only).
void respond(const Context& context, ServedModel& model, std::vector<Job> jobs, httplib::Response& response,
             std::shared_ptr<Admission> admission, const Format& format) {
  const std::string id = random_id(format.id_prefix);
  const int64_t created = unix_time();
  auto envelope = [id, created, name = model.name](const std::string& object) {
    return json{{"id", id}, {"object", object}, {"created", created}, {"model", name}};
  };
  if (!jobs.front().stream) {
    json choices = json::array();
    size_t prompt_tokens = 0, completion = 0;
    for (Job& job : jobs) {
      prompt_tokens += job.prompt.size();
      for (const Choice& choice : run(context, model, job)) {
        json item = format.choice(choice);
        item["index"] = choices.size();
        item["finish_reason"] = choice.finish_reason;
        choices.push_back(std::move(item));
        completion += choice.tokens;
      }
    }
    json reply = envelope(format.object);
    reply["choices"] = std::move(choices);
    reply["usage"] = usage(prompt_tokens, completion);
    response.set_content(reply.dump(), "application/json");
    return;
  }
  if (jobs.size() != 1)
    throw HttpError(400, "streaming a list of prompts is not served yet", "invalid_request_error",
                    "unsupported_parameter");
  Job& job = jobs.front();
  const size_t prompt_tokens = job.prompt.size();
  const bool include_usage = job.include_usage;
  // OpenAI's chunks carry "usage": null when the last one will hold the usage.
  auto chunk = [envelope, include_usage, object = format.chunk_object](json fields, json finish_reason) {
    fields["index"] = 0;
    fields["finish_reason"] = std::move(finish_reason);
    json c = envelope(object);
    c["choices"] = json::array({std::move(fields)});
    if (include_usage) c["usage"] = nullptr;
    return c;
  };
  auto piece = [chunk, make = format.piece](const std::string& text) { return chunk(make(text), nullptr); };
  auto finish = [chunk, envelope, include_usage, prompt_tokens, last = format.last,
                 object = format.chunk_object](const Choice& choice) {
    std::vector<json> frames{chunk(last(), choice.finish_reason)};
    if (include_usage) {  // OpenAI's last chunk: no choices, the usage
      json with_usage = envelope(object);
      with_usage["choices"] = json::array();
      with_usage["usage"] = usage(prompt_tokens, choice.tokens);
      frames.push_back(std::move(with_usage));
    }
    return frames;
  };
  std::function<json()> opening;
  if (format.opening) opening = [chunk, make = format.opening] { return chunk(make(), nullptr); };
  stream(context, model, job, response, std::move(admission), piece, finish, opening);
}

json utf8_bytes(const std::string& text) {
  json bytes = json::array();
  for (unsigned char c : text) bytes.push_back(c);
  return bytes;
}

// Chat's shape: {"content": [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}.
json chat_logprobs(const Choice& choice) {
  json content = json::array();
  for (const TokenLogprob& t : choice.logprobs) {
    json top = json::array();
    for (const auto& [token, logprob] : t.top)
      top.push_back({{"token", token}, {"logprob", logprob}, {"bytes", utf8_bytes(token)}});
    content.push_back(
        {{"token", t.token}, {"logprob", t.logprob}, {"bytes", utf8_bytes(t.token)}, {"top_logprobs", top}});
  }
  return {{"content", content}};
}

// Completions' shape: tokens, token_logprobs, top_logprobs (one {token: logprob} per step), text_offset.
json completion_logprobs(const Choice& choice) {
  json tokens = json::array(), token_logprobs = json::array(), top = json::array(), offsets = json::array();
  size_t offset = 0;
  for (const TokenLogprob& t : choice.logprobs) {
    tokens.push_back(t.token);
    token_logprobs.push_back(t.logprob);
    json alternatives = json::object();
    for (const auto& [token, logprob] : t.top) alternatives[token] = logprob;
    top.push_back(alternatives);
    offsets.push_back(offset);
    offset += t.token.size();
  }
  return {{"tokens", tokens}, {"token_logprobs", token_logprobs}, {"top_logprobs", top}, {"text_offset", offsets}};
}

std::string base64(const std::string& bytes) {
  static const char* digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t left = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t k = 0; k < 3; ++k) group = (group << 8) | (k < left ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    for (size_t k = 0; k < 4; ++k) out += k <= left ? digits[(group >> (18 - 6 * k)) & 63] : '=';
  }
  return out;
}

}  // namespace

json list_models(const Context& context) {
  json data = json::array();
  for (const auto& model : context.models)
    data.push_back(
        {{"id", model->name}, {"object", "model"}, {"created", unix_time()}, {"owned_by", "transformers.cpp"}});
  return {{"object", "list"}, {"data", data}};
}

void chat_completions(const Context& context, const json& body, httplib::Response& response,
                      std::shared_ptr<Admission> admission) {
  ServedModel& model = model_for(context, body, ModelKind::CausalLM);
  Job job = read_job(context, model, body, chat_prompt(model, body), /*chat=*/true);
  Format chat;
  chat.id_prefix = "chatcmpl-";
  chat.object = "chat.completion";
  chat.chunk_object = "chat.completion.chunk";
  const bool logprobs = job.logprobs;
  chat.choice = [logprobs](const Choice& choice) {
    return json{{"message", {{"role", "assistant"}, {"content", choice.text}}},
                {"logprobs", logprobs ? chat_logprobs(choice) : json(nullptr)}};
  };
  chat.piece = [](const std::string& text) { return json{{"delta", {{"content", text}}}, {"logprobs", nullptr}}; };
  chat.last = [] { return json{{"delta", json::object()}, {"logprobs", nullptr}}; };
  chat.opening = [] { return json{{"delta", {{"role", "assistant"}, {"content", ""}}}, {"logprobs", nullptr}}; };
  std::vector<Job> jobs;
  jobs.push_back(std::move(job));
  respond(context, model, std::move(jobs), response, std::move(admission), chat);
}

void completions(const Context& context, const json& body, httplib::Response& response,
                 std::shared_ptr<Admission> admission) {
  ServedModel& model = model_for(context, body, ModelKind::CausalLM);
  const std::vector<std::string> prompts = strings_field(body, "prompt", true);
  constexpr size_t kMaxPrompts = 64;
  if (prompts.empty() || prompts.size() > kMaxPrompts)
    throw HttpError(400, "prompt must be a string or a list of 1 to " + std::to_string(kMaxPrompts) + " strings");
  std::vector<Job> jobs;
  for (const std::string& prompt : prompts)
    jobs.push_back(read_job(context, model, body, model.tokenizer->encode(prompt), /*chat=*/false));
  const Job& job = jobs.front();
  Format text;
  text.id_prefix = "cmpl-";
  text.object = text.chunk_object = "text_completion";
  const bool logprobs = job.logprobs;
  text.choice = [logprobs](const Choice& choice) {
    return json{{"text", choice.text}, {"logprobs", logprobs ? completion_logprobs(choice) : json(nullptr)}};
  };
  text.piece = [](const std::string& piece) { return json{{"text", piece}, {"logprobs", nullptr}}; };
  text.last = [] { return json{{"text", ""}, {"logprobs", nullptr}}; };
  respond(context, model, std::move(jobs), response, std::move(admission), text);
}

json embeddings(const Context& context, const json& body) {
  ServedModel& model = model_for(context, body, ModelKind::Embedding);
  const std::vector<std::string> texts = strings_field(body, "input", true);
  const std::string format = string_field(body, "encoding_format").value_or("float");
  if (format != "float" && format != "base64")
    throw HttpError(400, "encoding_format must be float or base64, not '" + format + "'");
  const Embeddings result = embed_texts(context, model, texts, /*truncate=*/false, std::nullopt);
  json data = json::array();
  for (const std::vector<float>& row : result.rows) {
    json item = {{"object", "embedding"}, {"index", data.size()}};
    if (format == "float") {
      item["embedding"] = row;
    } else {  // the little-endian float32 bytes, as OpenAI's base64 embeddings
      std::string bytes(row.size() * sizeof(float), '\0');
      std::memcpy(bytes.data(), row.data(), bytes.size());
      item["embedding"] = base64(bytes);
    }
    data.push_back(std::move(item));
  }
  return {{"object", "list"},
          {"data", data},
          {"model", model.name},
          {"usage", {{"prompt_tokens", result.tokens}, {"total_tokens", result.tokens}}}};
}

}  // namespace transformers::server
