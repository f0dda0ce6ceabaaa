#pragma once
// What every pipeline is: transformers' preprocess -> forward -> postprocess over a model and its
// tokenizer, JSON in and out in the Python pipeline's shapes, with one batching loop for all tasks.
// The stages are public so that a caller gathering inputs of several requests (a batching server)
// can run their items through shared forward passes.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/core/device.hpp"
#include "transformers/core/error.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/peft/adapter_folder.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers {

struct PipelineOptions {
  std::string revision;     // Hub revision of the model (default: the task default's, or main)
  std::string gguf_file;    // transformers' gguf_file: load the model and tokenizer from this GGUF file of the folder or repo
  size_t batch_size = 1;    // items (encodings) padded and run together
  bool truncation = false;  // truncate to the model's max length (as the tokenizer kwargs do)
  std::optional<size_t> max_length;
  Device device =
      Device::cpu();           // where the model runs: Device("cuda:0") for a GPU (inputs and outputs stay on the host)
  std::optional<DType> dtype;  // the model's dtype, as pipeline(dtype=...): nullopt is "auto" (the checkpoint's)
  // PEFT adapters loaded on the model in order (the first active), as LoadOptions::adapters. A model
  // that is itself an adapter folder adds its adapter first, as "default".
  std::vector<peft::NamedAdapter> adapters;
};

// One call of a pipeline: inputs and kwargs as the Python pipeline takes them.
struct PipelineCall {
  nlohmann::json inputs;
  nlohmann::json kwargs = nlohmann::json::object();
};

// What a forward pass gave one item, copied to the host: the item's row of each model output its
// task reads, flattened and still padded to the batch's width (as transformers' pipelines see it).
struct ItemOutput {
  std::vector<float> logits, start_logits, end_logits, last_hidden_state;
  // Generating pipelines: the item's generated sequences (prompt included, padded on the left to
  // the batch's prompt width `width`), one per returned sequence.
  std::vector<std::vector<int64_t>> sequences;
  size_t width = 0;        // positions per row: the batch's longest item
  size_t first_token = 0;  // where the item's own tokens start (after padding on the left)
  size_t tokens = 0;       // how many tokens the item has

  // A per-token row ([width, n] flattened) without its padding: `tokens` times n values.
  std::vector<float> unpadded(const std::vector<float>& row) const;
};

class Pipeline {
 public:
  using json = nlohmann::json;
  using Items = std::vector<tokenizers::Encoding>;  // what the model reads of one input
  using ItemOutputs = std::vector<ItemOutput>;      // what it gave them, in order

  virtual ~Pipeline() = default;

  // inputs and kwargs as the Python pipeline takes them; the result as it returns it.
  json operator()(const json& inputs, const json& kwargs = json::object()) const;
  // Several calls at once, the items of all of them sharing forward passes of up to `batch_size`
  // items: one result per call, each what that call alone returns (an error in any call is thrown
  // for all).
  std::vector<json> operator()(const std::vector<PipelineCall>& calls, size_t batch_size) const {
    return run(calls, batch_size);
  }

  // The stages, in the order the calls above run them.
  // A call's inputs one by one (by default a list is a batch of inputs, anything else one input).
  virtual std::vector<json> split_inputs(const json& inputs, const json& kwargs) const;
  // One input -> the encodings the model reads: one, or several (a long text's windows, one pair
  // per zero-shot label).
  virtual Items preprocess(const json& input, const json& kwargs) const = 0;
  // Encodings of any inputs of any calls, padded into one batch (as transformers' pad_collate) for
  // one model call: an output per encoding, in order. Takes no kwargs, so requests that differ in
  // them can share it.
  ItemOutputs forward(const std::vector<const tokenizers::Encoding*>& items) const;
  // One input, its encodings and their outputs -> that input's result.
  virtual json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                           const json& kwargs) const = 0;
  // The results of a call's inputs -> what the call returns (by default a list for a list, else the
  // one result).
  virtual json join_results(const json& inputs, const json& kwargs, json results) const;

  const std::string& task() const { return task_; }
  const PreTrainedModel& model() const { return *model_; }
  const PreTrainedTokenizerFast& tokenizer() const { return tokenizer_; }
  // kwargs' batch_size, else the options'.
  size_t batch_size(const json& kwargs) const;

 protected:
  // The calls through the stages: by default every input of every call preprocessed, their items
  // run `batch_size` to a forward, each input postprocessed when its last item is through. A task
  // whose model step depends on the call's kwargs (generation) runs each call's items on its own.
  virtual std::vector<json> run(const std::vector<PipelineCall>& calls, size_t batch_size) const;

  // `reads`: the model outputs the task's postprocess reads (forward copies no others to the host).
  Pipeline(std::string task, std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
           PipelineOptions options, std::vector<Tensor ModelOutput::*> reads);

  // The tokenizer kwargs (truncation, max_length), else the options'.
  TokenizeOptions tokenize_options(const json& kwargs) const;

  // run() of the generating tasks, whose settings are per call: each call on its own, checked by
  // `check` first, its inputs preprocessed, their encodings `batch_size` at a time through
  // `generate` (this call's kwargs), each input postprocessed, the results joined.
  using GenerateBatch =
      std::function<ItemOutputs(const std::vector<const tokenizers::Encoding*>& items, const json& kwargs)>;
  std::vector<json> run_each_call(const std::vector<PipelineCall>& calls, size_t batch_size,
                                  const std::function<void(const json& kwargs)>& check,
                                  const GenerateBatch& generate) const;

 private:
  std::string task_;
  std::unique_ptr<PreTrainedModel> model_;
  PreTrainedTokenizerFast tokenizer_;
  PipelineOptions options_;
  std::vector<Tensor ModelOutput::*> reads_;
};

}  // namespace transformers
