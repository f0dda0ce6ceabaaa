// pipeline("text2text-generation" / "summarization" / "translation") (see
// text2text_generation.hpp): transformers 4.57's Text2TextGenerationPipeline with transformers 5's
// generate().
#include "transformers/pipelines/text2text_generation.hpp"

#include <algorithm>
#include <set>

#include "transformers/generation/generate.hpp"
#include "transformers/models/encoder_decoder_model.hpp"

namespace transformers {
namespace {

using nlohmann::json;

// The keyword arguments the pipeline reads itself; every other one goes to generate().
const std::set<std::string>& pipeline_kwargs() {
  static const std::set<std::string> names = {"return_tensors", "return_text", "return_type",
                                              "clean_up_tokenization_spaces", "truncation", "stop_sequence",
                                              "src_lang", "tgt_lang", "batch_size", "seed"};
  return names;
}

std::string return_name_of(const std::string& task) {
  if (task == "summarization") return "summary";
  if (task.rfind("translation", 0) == 0) return "translation";
  return "generated";
}

bool returns_tensors(const json& kwargs) {
  return kwargs.contains("return_tensors") && !kwargs["return_tensors"].is_null() &&
         kwargs["return_tensors"].get<bool>();
}

// The pipeline's generation config, as transformers 4.57's Pipeline.__init__ makes it: the class's
// defaults (num_beams 4, max_new_tokens 256), the model's settings for every field those leave unset,
// max_new_tokens dropped when the model sets a max_length of its own (not the global 20).
GenerationConfig pipeline_generation_config(const GenerationConfig& model_config) {
  GenerationConfig config = model_config;
  config.num_beams = 4;
  config.max_new_tokens = 256;
  if (config.max_length && *config.max_length != 20) config.max_new_tokens.reset();
  if (config.temperature && *config.temperature == 0.0) config.do_sample = false;
  return config;
}

}  // namespace

Text2TextGenerationPipeline::Text2TextGenerationPipeline(const std::string& task,
                                                         std::unique_ptr<PreTrainedModel> model,
                                                         PreTrainedTokenizerFast tokenizer, PipelineOptions options,
                                                         const GenerationConfig& model_generation_config)
    : Pipeline(task, std::move(model), std::move(tokenizer), std::move(options), {}),
      return_name_(return_name_of(task)),
      generation_config_(pipeline_generation_config(model_generation_config)) {
  if (!dynamic_cast<const EncoderDecoderModel*>(&this->model()))
    throw InvalidArgument(task + ": the model (" + this->model().config().model_type +
                          ") is not an encoder-decoder (AutoModelForSeq2SeqLM)");
  const json& raw = this->model().config().raw;
  if (raw.contains("prefix") && raw["prefix"].is_string()) prefix_ = raw["prefix"].get<std::string>();
  // config.json's task_specific_params[task]: its prefix, and generation settings.
  if (raw.contains("task_specific_params") && raw["task_specific_params"].is_object() &&
      raw["task_specific_params"].contains(task) && raw["task_specific_params"][task].is_object()) {
    json params = raw["task_specific_params"][task];
    if (params.contains("prefix") && params["prefix"].is_string()) prefix_ = params["prefix"].get<std::string>();
    params.erase("prefix");
    for (const auto& [key, value] : params.items()) {
      try {
        generation_config_.update({{key, value}});
      } catch (const InvalidArgument&) {  // as GenerationConfig.update: a field it does not know is left out
      }
    }
  }
  if (!generation_config_.pad_token_id && this->tokenizer().pad_token_id())
    generation_config_.pad_token_id = *this->tokenizer().pad_token_id();
}

std::vector<json> Text2TextGenerationPipeline::split_inputs(const json& inputs, const json&) const {
  if (inputs.is_string()) return {inputs};
  if (inputs.is_array() && !inputs.empty() &&
      std::all_of(inputs.begin(), inputs.end(), [](const json& x) { return x.is_string(); }))
    return {inputs.begin(), inputs.end()};
  throw InvalidArgument(task() + ": inputs must be a string or a non-empty list of strings, got " +
                        inputs.dump().substr(0, 200));
}

Pipeline::Items Text2TextGenerationPipeline::preprocess(const json& input, const json& kwargs) const {
  TokenizeOptions options;
  options.truncation = kwargs.contains("truncation") && !kwargs["truncation"].is_null()
                           ? kwargs["truncation"].is_boolean() ? kwargs["truncation"].get<bool>()
                                                               : kwargs["truncation"] != "do_not_truncate"
                           : tokenize_options(json::object()).truncation;
  return {tokenizer().encode_each({{prefix_ + input.get<std::string>(), std::nullopt}}, options).encodings.at(0)};
}

GenerationConfig Text2TextGenerationPipeline::call_config(const json& kwargs) const {
  json generate_kwargs = json::object();
  for (const auto& [key, value] : kwargs.items())
    if (!pipeline_kwargs().count(key)) generate_kwargs[key] = value;
  if (kwargs.contains("stop_sequence") && kwargs["stop_sequence"].is_string()) {
    TokenizeOptions plain;
    plain.add_special_tokens = false;
    const std::vector<int64_t> ids = tokenizer()({kwargs["stop_sequence"].get<std::string>()}, plain).encodings.at(0).ids;
    if (ids.empty()) throw InvalidArgument(task() + ": stop_sequence has no tokens");
    generate_kwargs["eos_token_id"] = ids.front();  // as transformers: the first token only
  }
  return generation_config_.updated(generate_kwargs);
}

Pipeline::ItemOutputs Text2TextGenerationPipeline::generate_batch(
    const std::vector<const tokenizers::Encoding*>& items, const json& kwargs) const {
  size_t width = 0;
  for (const tokenizers::Encoding* item : items) width = std::max(width, item->size());
  if (items.size() > 1 && !tokenizer().pad_token_id())
    throw InvalidArgument(task() + ": batching texts needs a pad token, and the tokenizer has none");
  const int64_t pad = tokenizer().pad_token_id().value_or(0);
  const bool left = tokenizer().padding_side() == tokenizers::Side::Left;
  std::vector<int64_t> ids, mask;
  for (const tokenizers::Encoding* item : items) {
    const size_t padding = width - item->size();
    if (left) ids.insert(ids.end(), padding, pad), mask.insert(mask.end(), padding, 0);
    ids.insert(ids.end(), item->ids.begin(), item->ids.end());
    mask.insert(mask.end(), item->size(), 1);
    if (!left) ids.insert(ids.end(), padding, pad), mask.insert(mask.end(), padding, 0);
  }
  const Shape shape{static_cast<int64_t>(items.size()), static_cast<int64_t>(width)};
  GenerateOptions options;
  options.attention_mask = Tensor::from_vector(mask, shape);
  if (kwargs.contains("seed")) options.seed = kwargs["seed"].get<uint64_t>();
  const GenerateOutput out = generate(model(), Tensor::from_vector(ids, shape), call_config(kwargs), options);
  const int64_t rows = out.sequences.size(0), length = out.sequences.size(1);
  const int64_t per_item = rows / static_cast<int64_t>(items.size());
  const std::vector<int64_t> all = out.sequences.to_vector<int64_t>();
  ItemOutputs outputs(items.size());
  for (size_t i = 0; i < items.size(); ++i)
    for (int64_t r = 0; r < per_item; ++r) {
      const auto begin = all.begin() + (static_cast<int64_t>(i) * per_item + r) * length;
      outputs[i].sequences.emplace_back(begin, begin + length);
    }
  return outputs;
}

json Text2TextGenerationPipeline::postprocess(const json&, const Items&, const ItemOutputs& outputs,
                                              const json& kwargs) const {
  const bool clean_up = kwargs.contains("clean_up_tokenization_spaces") &&
                        !kwargs["clean_up_tokenization_spaces"].is_null() &&
                        kwargs["clean_up_tokenization_spaces"].get<bool>();
  json records = json::array();
  for (const std::vector<int64_t>& sequence : outputs.at(0).sequences) {
    if (returns_tensors(kwargs))
      records.push_back({{return_name_ + "_token_ids", sequence}});
    else
      records.push_back({{return_name_ + "_text", tokenizer().decode(sequence, true, clean_up)}});
  }
  return records;
}

json Text2TextGenerationPipeline::join_results(const json& inputs, const json&, json results) const {
  if (inputs.is_string()) return results.at(0);
  const bool one_each = std::all_of(results.begin(), results.end(), [](const json& r) { return r.size() == 1; });
  if (!one_each) return results;
  json flat = json::array();
  for (const json& r : results) flat.push_back(r.at(0));
  return flat;
}

std::vector<json> Text2TextGenerationPipeline::run(const std::vector<PipelineCall>& calls, size_t batch_size) const {
  return run_each_call(
      calls, batch_size, [this](const json& kwargs) { call_config(kwargs); },  // bad generate arguments
      [this](const auto& items, const json& kwargs) { return generate_batch(items, kwargs); });
}

}  // namespace transformers
