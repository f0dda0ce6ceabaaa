#pragma once
// pipeline("fill-mask"), as transformers' fill_mask.py: the top_k (default 5) tokens for each mask
// token of the input as {score, token, token_str, sequence}; targets restricts the candidates to
// given words. One mask gives a list of candidates, several masks a list per mask; a list of
// inputs gives one such result per input (a list of one, one result).
#include <memory>

#include "transformers/pipelines/base.hpp"

namespace transformers {

class FillMaskPipeline final : public Pipeline {
 public:
  FillMaskPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer, PipelineOptions options);

  Items preprocess(const json& input, const json& kwargs) const override;
  json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                   const json& kwargs) const override;
  json join_results(const json& inputs, const json& kwargs, json results) const override;

 private:
  std::vector<int64_t> target_ids(const nlohmann::json& targets) const;
  nlohmann::json candidates(const tokenizers::Encoding& encoding, const std::vector<float>& logits, size_t top_k,
                            const std::vector<int64_t>& targets) const;

  int64_t mask_id_;
};

}  // namespace transformers
