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
    : Pipeline("fill-mask", std::move(model), std::move(tokenizer), std::move(options), {&ModelOutput::logits}) {
  auto mask = this->tokenizer().special_token_id("mask_token");
  if (!mask) throw InvalidArgument("fill-mask: the tokenizer does not define a `mask_token`");
  mask_id_ = *mask;
}

// Each target is a vocabulary token, or else its first sub-token (as transformers, which warns);
// duplicates are dropped.
std::vector<int64_t> FillMaskPipeline::target_ids(const nlohmann::json& targets) const {
  std::vector<std::string> words;
  if (targets.is_string())
    words.push_back(targets.get<std::string>());
  else
    words = targets.get<std::vector<std::string>>();
  std::set<int64_t> ids;
  for (const std::string& word : words) {
    if (auto id = tokenizer().backend().token_to_id(word)) {
      ids.insert(*id);
      continue;
    }
    TokenizeOptions options;
    options.add_special_tokens = false;
    options.truncation = true;
    options.max_length = 1;
    const tokenizers::Encoding e = tokenizer()({word}, options).encodings.at(0);
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
  const auto pad = tokenizer().pad_token_id();
  nlohmann::json result = nlohmann::json::array();
  for (size_t mask : masks) {
    std::vector<double> probs =
        pipelines::softmax(std::vector<double>(logits.begin() + static_cast<int64_t>(mask * vocab),
                                               logits.begin() + static_cast<int64_t>((mask + 1) * vocab)));
    std::vector<int64_t> pool = targets;
    if (pool.empty()) {
      pool.resize(vocab);
      std::iota(pool.begin(), pool.end(), 0);
    }
    const size_t keep = std::min(top_k, pool.size());
    std::partial_sort(pool.begin(), pool.begin() + static_cast<int64_t>(keep), pool.end(), [&](int64_t a, int64_t b) {
      return probs[static_cast<size_t>(a)] != probs[static_cast<size_t>(b)]
                 ? probs[static_cast<size_t>(a)] > probs[static_cast<size_t>(b)]
                 : a < b;
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
                     {"token_str", tokenizer().decode({token}, false)},
                     {"sequence", tokenizer().decode(filled, single_mask)}});
    }
    result.push_back(std::move(row));
  }
  return single_mask ? result[0] : result;
}

std::vector<tokenizers::Encoding> FillMaskPipeline::preprocess(const nlohmann::json& input,
                                                               const nlohmann::json& kwargs) const {
  if (!input.is_string()) throw InvalidArgument("fill-mask: each input must be a string");
  std::vector<tokenizers::Encoding> encodings =
      tokenizer()({input.get<std::string>()}, tokenize_options(kwargs)).encodings;
  const std::vector<int64_t>& ids = encodings.at(0).ids;
  if (std::find(ids.begin(), ids.end(), mask_id_) == ids.end())
    throw InvalidArgument("fill-mask: no mask_token found on the input");
  return encodings;
}

nlohmann::json FillMaskPipeline::postprocess(const nlohmann::json&, const std::vector<tokenizers::Encoding>& items,
                                             const std::vector<ItemOutput>& outputs,
                                             const nlohmann::json& kwargs) const {
  std::vector<int64_t> targets;
  if (kwargs.contains("targets") && !kwargs["targets"].is_null()) targets = target_ids(kwargs["targets"]);
  size_t top_k = pipelines::size_kwarg(kwargs, "top_k", 5);
  if (!targets.empty()) top_k = std::min(top_k, targets.size());
  return candidates(items.at(0), outputs.at(0).unpadded(outputs.at(0).logits), top_k, targets);
}

// As Python: a list of one input gives its result alone.
nlohmann::json FillMaskPipeline::join_results(const nlohmann::json&, const nlohmann::json&,
                                              nlohmann::json results) const {
  return results.size() == 1 ? results[0] : results;
}

}  // namespace transformers
