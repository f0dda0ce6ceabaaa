#pragma once
// What every pipeline shares: JSON in, JSON out in the Python pipeline's shapes, and the options
// given at construction (batch_size, tokenizer settings) that call-time kwargs override.
#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

#include "transformers/core/device.hpp"
#include "transformers/core/error.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers {

struct PipelineOptions {
  std::string revision;          // Hub revision of the model (default: the task default's, or main)
  size_t batch_size = 1;         // inputs padded and run together
  bool truncation = false;       // truncate to the model's max length (as the tokenizer kwargs do)
  std::optional<size_t> max_length;
  Device device = Device::cpu();  // where the model runs: Device("cuda:0") for a GPU (inputs and outputs stay on the host)
};

class Pipeline {
 public:
  virtual ~Pipeline() = default;
  // inputs and kwargs as the Python pipeline takes them; the result as it returns it.
  virtual nlohmann::json operator()(const nlohmann::json& inputs, const nlohmann::json& kwargs = nlohmann::json::object()) const = 0;
  const std::string& task() const { return task_; }

 protected:
  Pipeline(std::string task, PipelineOptions options) : task_(std::move(task)), options_(std::move(options)) {}

  size_t batch_size(const nlohmann::json& kwargs) const {
    const size_t size = kwargs.contains("batch_size") ? kwargs["batch_size"].get<size_t>() : options_.batch_size;
    if (size == 0) throw InvalidArgument(task_ + ": batch_size must be at least 1");
    return size;
  }

  TokenizeOptions tokenize_options(const nlohmann::json& kwargs) const {
    TokenizeOptions options;
    options.truncation = kwargs.value("truncation", options_.truncation);
    options.max_length = kwargs.contains("max_length") ? std::optional<size_t>(kwargs["max_length"].get<size_t>())
                                                       : options_.max_length;
    return options;
  }

  std::string task_;
  PipelineOptions options_;
};

}  // namespace transformers
