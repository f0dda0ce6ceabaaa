// The one batching loop: every input of every call preprocessed, their items run `batch_size` to a
// forward in order, and each input postprocessed as soon as its last item is through (so only the
// outputs of inputs still in flight are held).
#include "transformers/pipelines/base.hpp"

#include <algorithm>
#include <utility>

#include "transformers/pipelines/model_inputs.hpp"

namespace transformers {
namespace {

using nlohmann::json;

// One input of one call on its way through the stages.
struct InputInFlight {
  const PipelineCall* call;
  json input;
  std::vector<tokenizers::Encoding> items;
  std::vector<ItemOutput> outputs;
  json result;
};

std::vector<float> row_of(const Tensor& tensor, int64_t row) {
  return tensor.select(0, row).contiguous().to_vector<float>();
}

}  // namespace

std::vector<float> ItemOutput::unpadded(const std::vector<float>& row) const {
  const size_t per_token = row.size() / std::max<size_t>(width, 1);
  return std::vector<float>(row.begin() + static_cast<int64_t>(first_token * per_token),
                            row.begin() + static_cast<int64_t>((first_token + tokens) * per_token));
}

Pipeline::Pipeline(std::string task, std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                   PipelineOptions options, std::vector<Tensor ModelOutput::*> reads)
    : task_(std::move(task)),
      model_(std::move(model)),
      tokenizer_(std::move(tokenizer)),
      options_(std::move(options)),
      reads_(std::move(reads)) {}

json Pipeline::operator()(const json& inputs, const json& kwargs) const {
  return (*this)({PipelineCall{inputs, kwargs}}, batch_size(kwargs)).at(0);
}

std::vector<json> Pipeline::run(const std::vector<PipelineCall>& calls, size_t batch_size) const {
  if (batch_size == 0) throw InvalidArgument(task_ + ": batch_size must be at least 1");
  std::vector<InputInFlight> inputs;
  std::vector<size_t> inputs_per_call;
  for (const PipelineCall& call : calls) {
    std::vector<json> split = split_inputs(call.inputs, call.kwargs);
    inputs_per_call.push_back(split.size());
    for (json& input : split) inputs.push_back({&call, std::move(input), {}, {}, {}});
  }
  for (InputInFlight& in : inputs) in.items = preprocess(in.input, in.call->kwargs);

  std::vector<const tokenizers::Encoding*> items;
  std::vector<size_t> owner;
  for (size_t i = 0; i < inputs.size(); ++i)
    for (const tokenizers::Encoding& item : inputs[i].items) {
      items.push_back(&item);
      owner.push_back(i);
    }
  size_t finished = 0;
  auto postprocess_finished = [&] {
    for (; finished < inputs.size() && inputs[finished].outputs.size() == inputs[finished].items.size(); ++finished) {
      InputInFlight& in = inputs[finished];
      in.result = postprocess(in.input, in.items, in.outputs, in.call->kwargs);
      in.outputs = {};
    }
  };
  postprocess_finished();
  for (size_t start = 0; start < items.size(); start += batch_size) {
    const size_t end = std::min(items.size(), start + batch_size);
    std::vector<ItemOutput> outputs =
        forward({items.begin() + static_cast<int64_t>(start), items.begin() + static_cast<int64_t>(end)});
    for (size_t i = start; i < end; ++i) inputs[owner[i]].outputs.push_back(std::move(outputs[i - start]));
    postprocess_finished();
  }

  std::vector<json> results;
  auto next = inputs.begin();
  for (size_t c = 0; c < calls.size(); ++c) {
    json call_results = json::array();
    for (size_t i = 0; i < inputs_per_call[c]; ++i, ++next) call_results.push_back(std::move(next->result));
    results.push_back(join_results(calls[c].inputs, calls[c].kwargs, std::move(call_results)));
  }
  return results;
}

std::vector<json> Pipeline::split_inputs(const json& inputs, const json&) const {
  if (inputs.is_array()) return {inputs.begin(), inputs.end()};
  return {inputs};
}

std::vector<ItemOutput> Pipeline::forward(const std::vector<const tokenizers::Encoding*>& items) const {
  static const std::pair<Tensor ModelOutput::*, std::vector<float> ItemOutput::*> kRows[] = {
      {&ModelOutput::logits, &ItemOutput::logits},
      {&ModelOutput::start_logits, &ItemOutput::start_logits},
      {&ModelOutput::end_logits, &ItemOutput::end_logits},
      {&ModelOutput::last_hidden_state, &ItemOutput::last_hidden_state}};
  const ModelOutput batch = model_->forward(pad_collate(items, tokenizer_));
  size_t width = 0;
  for (const tokenizers::Encoding* item : items) width = std::max(width, item->size());
  const bool left = tokenizer_.padding_side() == tokenizers::Side::Left;
  std::vector<ItemOutput> outputs(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    ItemOutput& out = outputs[i];
    out.width = width;
    out.tokens = items[i]->size();
    out.first_token = left ? width - out.tokens : 0;
    for (const auto& [from, to] : kRows)
      if (std::find(reads_.begin(), reads_.end(), from) != reads_.end())
        out.*to = row_of(batch.*from, static_cast<int64_t>(i));
  }
  return outputs;
}

json Pipeline::join_results(const json& inputs, const json&, json results) const {
  return inputs.is_array() ? results : results.at(0);
}

size_t Pipeline::batch_size(const json& kwargs) const {
  return kwargs.contains("batch_size") ? kwargs["batch_size"].get<size_t>() : options_.batch_size;
}

std::vector<json> Pipeline::run_each_call(const std::vector<PipelineCall>& calls, size_t batch_size,
                                         const std::function<void(const json&)>& check,
                                         const GenerateBatch& generate) const {
  if (batch_size == 0) throw InvalidArgument(task_ + ": batch_size must be at least 1");
  std::vector<json> results;
  for (const PipelineCall& call : calls) {
    check(call.kwargs);
    const std::vector<json> inputs = split_inputs(call.inputs, call.kwargs);
    std::vector<Items> items;
    for (const json& input : inputs) items.push_back(preprocess(input, call.kwargs));
    json call_results = json::array();
    for (size_t start = 0; start < inputs.size(); start += batch_size) {
      const size_t end = std::min(inputs.size(), start + batch_size);
      std::vector<const tokenizers::Encoding*> batch;
      for (size_t i = start; i < end; ++i) batch.push_back(&items[i].at(0));
      const ItemOutputs outputs = generate(batch, call.kwargs);
      for (size_t i = start; i < end; ++i)
        call_results.push_back(postprocess(inputs[i], items[i], {outputs[i - start]}, call.kwargs));
    }
    results.push_back(join_results(call.inputs, call.kwargs, std::move(call_results)));
  }
  return results;
}

TokenizeOptions Pipeline::tokenize_options(const json& kwargs) const {
  TokenizeOptions options;
  options.truncation = kwargs.value("truncation", options_.truncation);
  options.max_length =
      kwargs.contains("max_length") ? std::optional<size_t>(kwargs["max_length"].get<size_t>()) : options_.max_length;
  return options;
}

}  // namespace transformers
