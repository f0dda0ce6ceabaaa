// The fill-mask pipeline: softmax over the vocabulary at each mask, the best candidates (among the
// targets when given), each decoded back into the sentence.
#include "transformers/pipelines/fill_mask.hpp"

#include <algorithm>
#include <numeric>
#include <set>

#include "pipeline_support.hpp"

namespace transformers {

FillMaskPipeline::FillMaskPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                                   PipelineOptions options)
    : Pipeline("fill-mask", std::move(options)), model_(std::move(model)), tokenizer_(std::move(tokenizer)) {
  auto mask = tokenizer_.special_token_id("mask_token");
  if (!mask) throw InvalidArgument("fill-mask: the tokenizer does not define a `mask_token`");
  mask_id_ = *mask;
}

// Each target is a vocabulary token, or else its first sub-token (as transformers, which warns);
// duplicates are dropped.
std::vector<int64_t> FillMaskPipeline::target_ids(const nlohmann::json& targets) const {
  std::vector<std::string> words;
  if (targets.is_string()) words.push_back(targets.get<std::string>());
  else words = targets.get<std::vector<std::string>>();
  std::set<int64_t> ids;
  for (const std::string& word : words) {
    if (auto id = tokenizer_.backend().token_to_id(word)) {
      ids.insert(*id);
      continue;
    }
    TokenizeOptions options;
    options.add_special_tokens = false;
    options.truncation = true;
    options.max_length = 1;
    const tokenizers::Encoding e = tokenizer_({word}, options).encodings.at(0);
    if (!e.ids.empty()) ids.insert(e.ids[0]);
  }
  if (ids.empty()) throw InvalidArgument("fill-mask: at least one target must be provided when passed");
  return {ids.begin(), ids.end()};
}

// For every mask of one input: the top_k candidates, ranked by probability.
nlohmann::json FillMaskPipeline::candidates(const tokenizers::Encoding& encoding, const std::vector<float>& logits,
                                            size_t top_k, const std::vector<int64_t>& targets) const {
  const size_t vocab = logits.size() / encoding.size();
  std::vector<size_t> masks;
  for (size_t t = 0; t < encoding.size(); ++t)
    if (encoding.ids[t] == mask_id_) masks.push_back(t);
  const bool single_mask = masks.size() == 1;
  std::vector<int64_t> ids = encoding.ids;
  const auto pad = tokenizer_.pad_token_id();
  nlohmann::json result = nlohmann::json::array();
  for (size_t mask : masks) {
    std::vector<double> probs = pipelines::softmax(std::vector<double>(
        logits.begin() + static_cast<int64_t>(mask * vocab), logits.begin() + static_cast<int64_t>((mask + 1) * vocab)));
    std::vector<int64_t> pool = targets;
    if (pool.empty()) {
      pool.resize(vocab);
      std::iota(pool.begin(), pool.end(), 0);
    }
    const size_t keep = std::min(top_k, pool.size());
    std::partial_sort(pool.begin(), pool.begin() + static_cast<int64_t>(keep), pool.end(), [&](int64_t a, int64_t b) {
      return probs[static_cast<size_t>(a)] != probs[static_cast<size_t>(b)] ? probs[static_cast<size_t>(a)] > probs[static_cast<size_t>(b)] : a < b;
    });
    nlohmann::json row = nlohmann::json::array();
    for (size_t k = 0; k < keep; ++k) {
      const int64_t token = pool[k];
      std::vector<int64_t> filled;
      for (size_t t = 0; t < ids.size(); ++t) {
        const int64_t id = t == mask ? token : ids[t];
        if (!pad || id != *pad) filled.push_back(id);
      }
      // transformers decodes the sentence without special tokens only when there is one mask
      row.push_back({{"score", probs[static_cast<size_t>(token)]},
                     {"token", token},
                     {"token_str", tokenizer_.decode({token}, false)},
                     {"sequence", tokenizer_.decode(filled, single_mask)}});
    }
    result.push_back(std::move(row));
  }
  return single_mask ? result[0] : result;
}

nlohmann::json FillMaskPipeline::operator()(const nlohmann::json& inputs, const nlohmann::json& kwargs) const {
  std::vector<int64_t> targets;
  if (kwargs.contains("targets") && !kwargs["targets"].is_null()) targets = target_ids(kwargs["targets"]);
  size_t top_k = pipelines::size_kwarg(kwargs, "top_k", 5);
  if (!targets.empty()) top_k = std::min(top_k, targets.size());
  if (!inputs.is_string() && !inputs.is_array()) throw InvalidArgument("fill-mask: inputs must be a string or a list of strings");
  std::vector<std::string> texts;
  for (const nlohmann::json& item : inputs.is_string() ? nlohmann::json::array({inputs}) : inputs) {
    if (!item.is_string()) throw InvalidArgument("fill-mask: each input must be a string");
    texts.push_back(item.get<std::string>());
  }
  BatchEncoding batch = tokenizer_(texts, tokenize_options(kwargs));
  std::vector<const tokenizers::Encoding*> encodings;
  for (const tokenizers::Encoding& e : batch.encodings) {
    if (std::find(e.ids.begin(), e.ids.end(), mask_id_) == e.ids.end())
      throw InvalidArgument("fill-mask: no mask_token found on the input");
    encodings.push_back(&e);
  }
  nlohmann::json results = nlohmann::json::array();
  pipelines::run_in_batches(*model_, tokenizer_, encodings, batch_size(kwargs),
                            [&](size_t i, const ModelOutput& output, int64_t row) {
    const std::vector<float> logits = pipelines::unpadded_row(output.logits, row, encodings[i]->size(), tokenizer_);
    results.push_back(candidates(*encodings[i], logits, top_k, targets));
  });
  return inputs.is_array() && inputs.size() != 1 ? results : results[0];
}

}  // namespace transformers
