// pipeline("text-generation") (see text_generation.hpp): transformers 5.23's preprocess, the
// generation settings of _prepare_generate_kwargs, generate() on left-padded prompts, postprocess.
#include "transformers/pipelines/text_generation.hpp"

#include <algorithm>
#include <set>

#include "transformers/generation/generate.hpp"

namespace transformers {
namespace {

using nlohmann::json;

// The keyword arguments the pipeline reads itself; every other one goes to generate().
const std::set<std::string>& pipeline_kwargs() {
  static const std::set<std::string> names = {"return_full_text",
                                              "return_tensors",
                                              "return_text",
                                              "return_type",
                                              "clean_up_tokenization_spaces",
                                              "prefix",
                                              "handle_long_generation",
                                              "stop_sequence",
                                              "truncation",
                                              "max_length",
                                              "continue_final_message",
                                              "skip_special_tokens",
                                              "tokenizer_encode_kwargs",
                                              "tools",
                                              "documents",
                                              "add_special_tokens",
                                              "padding",
                                              "batch_size",
                                              "seed"};
  return names;
}

// The sampling warpers' settings, which the pipeline's defaults only add when sampling.
const std::set<std::string>& sampling_params() {
  static const std::set<std::string> names = {"temperature", "top_k",          "top_p",     "min_p",
                                              "typical_p",   "epsilon_cutoff", "eta_cutoff"};
  return names;
}

bool is_chat(const json& input) {
  return input.is_array() && !input.empty() && input[0].is_object() && input[0].contains("role");
}

enum class ReturnType { FullText, NewText, Tensors };

// _sanitize_parameters' rules for return_full_text / return_tensors / return_text.
ReturnType return_type(const json& kwargs) {
  const bool full = kwargs.contains("return_full_text") && !kwargs["return_full_text"].is_null();
  const bool tensors = kwargs.contains("return_tensors") && !kwargs["return_tensors"].is_null();
  const bool text = kwargs.contains("return_text") && !kwargs["return_text"].is_null();
  if (full) {
    if (text) throw InvalidArgument("`return_text` is mutually exclusive with `return_full_text`");
    if (tensors) throw InvalidArgument("`return_full_text` is mutually exclusive with `return_tensors`");
    return kwargs["return_full_text"].get<bool>() ? ReturnType::FullText : ReturnType::NewText;
  }
  if (tensors) {
    if (text) throw InvalidArgument("`return_text` is mutually exclusive with `return_tensors`");
    return ReturnType::Tensors;
  }
  return ReturnType::FullText;
}

bool add_special_tokens(const json& kwargs) {
  return kwargs.contains("add_special_tokens") ? kwargs["add_special_tokens"].get<bool>() : true;
}

std::string prefix_of(const json& kwargs) {
  return kwargs.contains("prefix") && kwargs["prefix"].is_string() ? kwargs["prefix"].get<std::string>() : "";
}

}  // namespace

TextGenerationPipeline::TextGenerationPipeline(std::unique_ptr<PreTrainedModel> model,
                                               PreTrainedTokenizerFast tokenizer, PipelineOptions options,
                                               GenerationConfig model_generation_config)
    : Pipeline("text-generation", std::move(model), std::move(tokenizer), std::move(options), {}),
      model_generation_config_(std::move(model_generation_config)) {}

std::vector<json> TextGenerationPipeline::split_inputs(const json& inputs, const json&) const {
  if (inputs.is_string() || is_chat(inputs)) return {inputs};
  if (inputs.is_array() && !inputs.empty()) return {inputs.begin(), inputs.end()};
  throw InvalidArgument(
      "text-generation: inputs must be a string, a list of strings, a chat (a list of "
      "{\"role\", \"content\"} messages) or a list of chats");
}

namespace {

// A chat ending with an assistant message is continued (a prefill) unless the call says otherwise.
bool continues_final_message(const json& chat, const json& kwargs) {
  const json given = kwargs.value("continue_final_message", json());
  return given.is_boolean() ? given.get<bool>() : chat.back().value("role", "") == "assistant";
}

}  // namespace

// The prompt text of one input: a string with the call's prefix, or a chat through the tokenizer's
// chat template (a generation prompt opened, or the final message left open), as transformers.
std::string TextGenerationPipeline::prompt_text(const json& input, const json& kwargs) const {
  if (!is_chat(input)) {
    if (!input.is_string()) throw InvalidArgument("text-generation: each input must be a string, got " + input.dump());
    return prefix_of(kwargs) + input.get<std::string>();
  }
  ChatTemplateOptions chat;
  chat.continue_final_message = continues_final_message(input, kwargs);
  chat.add_generation_prompt = !chat.continue_final_message;
  if (kwargs.contains("tools")) chat.tools = kwargs["tools"];
  if (kwargs.contains("documents")) chat.documents = kwargs["documents"];
  return tokenizer().apply_chat_template(nlohmann::ordered_json(input), chat);
}

Pipeline::Items TextGenerationPipeline::preprocess(const json& input, const json& kwargs) const {
  TokenizeOptions options = tokenize_options(kwargs);
  // The rendered chat holds its special tokens already: add_special_tokens is ignored for chats.
  options.add_special_tokens = !is_chat(input) && add_special_tokens(kwargs);
  tokenizers::Encoding encoding =
      tokenizer().encode_each({{prompt_text(input, kwargs), std::nullopt}}, options).encodings.at(0);
  if (kwargs.value("handle_long_generation", json()).is_string()) {
    if (kwargs["handle_long_generation"] != "hole")
      throw InvalidArgument(kwargs["handle_long_generation"].get<std::string>() +
                            " is not a valid value for `handle_long_generation` parameter expected [None, 'hole']");
    const GenerationConfig config = call_config(kwargs);
    const int64_t length = static_cast<int64_t>(encoding.size());
    int64_t new_tokens = config.max_new_tokens.value_or(config.max_length.value_or(20) - length);
    if (!config.max_new_tokens && new_tokens < 0)
      throw InvalidArgument("We cannot infer how many new tokens are expected");
    const int64_t limit = static_cast<int64_t>(tokenizer().model_max_length().value_or(SIZE_MAX >> 1));
    if (length + new_tokens > limit) {
      const int64_t keep = limit - new_tokens;
      if (keep <= 0)
        throw InvalidArgument(
            "We cannot use `hole` to handle this generation the number of desired tokens exceeds the "
            "models max length");
      const auto tail = [&](auto& v) { v.erase(v.begin(), v.end() - keep); };
      tail(encoding.ids), tail(encoding.attention_mask), tail(encoding.type_ids), tail(encoding.tokens);
    }
  }
  return {std::move(encoding)};
}

GenerationConfig TextGenerationPipeline::call_config(const json& kwargs) const {
  json generate_kwargs = json::object();
  for (const auto& [key, value] : kwargs.items())
    if (!pipeline_kwargs().count(key)) generate_kwargs[key] = value;
  if (kwargs.contains("max_length")) generate_kwargs["max_length"] = kwargs["max_length"];
  if (kwargs.contains("stop_sequence") && !kwargs["stop_sequence"].is_null()) {
    const json& stop = kwargs["stop_sequence"];
    generate_kwargs["stop_strings"] = stop.is_string() ? json::array({stop}) : stop;
  }
  GenerationConfig config = model_generation_config_.updated(generate_kwargs);
  // _prepare_generate_kwargs: the pipeline's defaults for what neither the model nor the call set.
  const json set = config.to_json();
  json defaults = {{"max_new_tokens", 256}, {"do_sample", true}, {"temperature", 0.7}};
  if (tokenizer().pad_token_id()) defaults["pad_token_id"] = *tokenizer().pad_token_id();
  json added = json::object();
  for (const auto& [key, value] : defaults.items())
    if (!set.contains(key) && !(key == "max_new_tokens" && set.contains("max_length"))) added[key] = value;
  const bool sampling = set.contains("do_sample") ? set["do_sample"].get<bool>() : added.value("do_sample", false);
  if (!sampling)
    for (const std::string& name : sampling_params()) added.erase(name);
  config.update(added);
  // A prefix counts toward total lengths (max_length / min_length given without their new-token forms).
  const std::string prefix = prefix_of(kwargs);
  if (!prefix.empty()) {
    TokenizeOptions plain;
    plain.add_special_tokens = kwargs.contains("add_special_tokens") && kwargs["add_special_tokens"].get<bool>();
    const int64_t prefix_length = static_cast<int64_t>(tokenizer()({prefix}, plain).encodings.at(0).size());
    if (config.max_length && !config.max_new_tokens) config.max_length = *config.max_length + prefix_length;
    if (config.min_length && !config.min_new_tokens) config.min_length = *config.min_length + prefix_length;
  }
  return config;
}

Pipeline::ItemOutputs TextGenerationPipeline::generate_batch(const std::vector<const tokenizers::Encoding*>& items,
                                                             const json& kwargs) const {
  size_t width = 0;
  for (const tokenizers::Encoding* item : items) width = std::max(width, item->size());
  if (items.size() > 1 && !tokenizer().pad_token_id())
    throw InvalidArgument("text-generation: batching prompts needs a pad token, and the tokenizer has none");
  const int64_t pad = tokenizer().pad_token_id().value_or(0);
  std::vector<int64_t> ids, mask;
  for (const tokenizers::Encoding* item : items) {  // decoder-only models read prompts padded on the left
    ids.insert(ids.end(), width - item->size(), pad);
    mask.insert(mask.end(), width - item->size(), 0);
    ids.insert(ids.end(), item->ids.begin(), item->ids.end());
    mask.insert(mask.end(), item->size(), 1);
  }
  const GenerationConfig config = call_config(kwargs);
  const Shape shape{static_cast<int64_t>(items.size()), static_cast<int64_t>(width)};  // [n, 0]: from bos
  GenerateOptions options;
  if (std::find(mask.begin(), mask.end(), 0) != mask.end()) options.attention_mask = Tensor::from_vector(mask, shape);
  options.tokenizer = &tokenizer();
  if (kwargs.contains("seed")) options.seed = kwargs["seed"].get<uint64_t>();
  const GenerateOutput out = generate(model(), Tensor::from_vector(ids, shape), config, options);
  const int64_t rows = out.sequences.size(0), length = out.sequences.size(1);
  const int64_t per_item = rows / static_cast<int64_t>(items.size());
  const std::vector<int64_t> all = out.sequences.to_vector<int64_t>();
  ItemOutputs outputs(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    outputs[i].width = width;
    outputs[i].tokens = items[i]->size();
    outputs[i].first_token = width - items[i]->size();
    for (int64_t r = 0; r < per_item; ++r) {
      const auto begin = all.begin() + (static_cast<int64_t>(i) * per_item + r) * length;
      outputs[i].sequences.emplace_back(begin, begin + length);
    }
  }
  return outputs;
}

json TextGenerationPipeline::postprocess(const json& input, const Items&, const ItemOutputs& outputs,
                                         const json& kwargs) const {
  const ReturnType type = return_type(kwargs);
  const bool skip_special = kwargs.contains("skip_special_tokens") && !kwargs["skip_special_tokens"].is_null()
                                ? kwargs["skip_special_tokens"].get<bool>()
                                : true;
  std::optional<bool> clean_up;
  if (kwargs.contains("clean_up_tokenization_spaces") && !kwargs["clean_up_tokenization_spaces"].is_null())
    clean_up = kwargs["clean_up_tokenization_spaces"].get<bool>();
  json records = json::array();
  const ItemOutput& out = outputs.at(0);
  for (const std::vector<int64_t>& sequence : out.sequences) {
    if (type == ReturnType::Tensors) {
      records.push_back({{"generated_token_ids", sequence}});
      continue;
    }
    const std::vector<int64_t> generated(sequence.begin() + static_cast<int64_t>(out.width), sequence.end());
    std::string text = tokenizer().decode(generated, skip_special, clean_up);
    if (type != ReturnType::FullText) {
      records.push_back({{"generated_text", text}});
    } else if (!is_chat(input)) {
      records.push_back({{"generated_text", input.get<std::string>() + text}});
    } else if (continues_final_message(input, kwargs)) {  // the prefill's message goes on
      json chat = input;
      chat.back()["content"] = chat.back().value("content", "") + text;
      records.push_back({{"generated_text", chat}});
    } else {  // a new assistant message
      json chat = input;
      chat.push_back({{"role", "assistant"}, {"content", text}});
      records.push_back({{"generated_text", chat}});
    }
  }
  return records;
}

json TextGenerationPipeline::join_results(const json& inputs, const json&, json results) const {
  return inputs.is_string() || is_chat(inputs) ? results.at(0) : results;
}

std::vector<json> TextGenerationPipeline::run(const std::vector<PipelineCall>& calls, size_t batch_size) const {
  return run_each_call(
      calls, batch_size, [](const json& kwargs) { return_type(kwargs); },  // contradictory return options
      [this](const auto& items, const json& kwargs) { return generate_batch(items, kwargs); });
}

}  // namespace transformers
