#pragma once
// What the token, span, mask and NLI pipelines share: encodings run in padded batches, numpy's
// softmax, and Python's str slicing and lower() on UTF-8 text (offsets count code points).
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "transformers/models/modeling_outputs.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers::pipelines {

// Runs `count` model inputs in batches of `batch_size` and hands each one's rows back in order:
// visit(index, output, row) with `row` the index of that input in `output`'s batch dimension.
void run_in_batches(const PreTrainedModel& model, const PreTrainedTokenizerFast& tokenizer,
                    const std::vector<const tokenizers::Encoding*>& encodings, size_t batch_size,
                    const std::function<void(size_t index, const ModelOutput& output, int64_t row)>& visit);

// Row `row` of a [batch, ...] float tensor, flattened.
std::vector<float> tensor_row(const Tensor& tensor, int64_t row);

// Row `row` of a [batch, seq, n] tensor without its padding positions: `length` tokens times n.
std::vector<float> unpadded_row(const Tensor& tensor, int64_t row, size_t length, const PreTrainedTokenizerFast& tokenizer);

// Softmax with max subtraction (numpy's form in the Python pipelines), in double.
std::vector<double> softmax(const std::vector<double>& logits);

// Python's text[start:end] and len(text) where text is UTF-8 and positions count code points.
std::string slice_chars(std::string_view text, size_t start, size_t end);
size_t char_count(std::string_view text);
// Python's str.lower().
std::string lower(std::string_view text);

// Reads an optional integer / boolean kwarg with a default.
size_t size_kwarg(const nlohmann::json& kwargs, const char* name, size_t fallback);
bool bool_kwarg(const nlohmann::json& kwargs, const char* name, bool fallback);

}  // namespace transformers::pipelines
