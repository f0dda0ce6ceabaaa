#pragma once
// pipeline("text2text-generation"), pipeline("summarization") and pipeline("translation") /
// pipeline("translation_xx_to_yy"): texts in, generate() on an encoder-decoder, texts out, as
// transformers 4.57's Text2TextGenerationPipeline and its two subclasses (transformers 5 removed
// them; generate() is transformers 5's). A string gives a list of records (one per returned
// sequence) under "<name>_text" (generated / summary / translation), or "<name>_token_ids" with
// return_tensors; a list of strings gives one such list per string, flattened to one record per
// string when each has one. The generation settings: the pipeline's defaults (num_beams 4,
// max_new_tokens 256 unless the model's config sets a max_length), the model's generation config
// where the defaults leave a field unset, the task's entry in config.json's task_specific_params
// (whose "prefix" goes before every text, as config.json's own "prefix" does), the tokenizer's pad
// token, then the call's arguments. truncation, clean_up_tokenization_spaces, stop_sequence (its
// first token becomes eos_token_id), src_lang / tgt_lang (accepted, for tokenizers without language
// codes), batch_size (texts padded on the tokenizer's side and generated together).
#include <memory>
#include <string>

#include "transformers/generation/generation_config.hpp"
#include "transformers/pipelines/base.hpp"

namespace transformers {

class Text2TextGenerationPipeline final : public Pipeline {
 public:
  // `task`: text2text-generation, summarization, translation or translation_xx_to_yy.
  Text2TextGenerationPipeline(const std::string& task, std::unique_ptr<PreTrainedModel> model,
                              PreTrainedTokenizerFast tokenizer, PipelineOptions options,
                              const GenerationConfig& model_generation_config);

  std::vector<json> split_inputs(const json& inputs, const json& kwargs) const override;
  Items preprocess(const json& input, const json& kwargs) const override;
  json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                   const json& kwargs) const override;
  json join_results(const json& inputs, const json& kwargs, json results) const override;

  // The pipeline's generation settings (before a call's arguments) and the prefix of every text.
  const GenerationConfig& generation_config() const { return generation_config_; }
  const std::string& prefix() const { return prefix_; }
  // What generate() runs with for a call's kwargs.
  GenerationConfig call_config(const json& kwargs) const;
  // The generated sequences of texts (their encodings), padded and run together.
  ItemOutputs generate_batch(const std::vector<const tokenizers::Encoding*>& items, const json& kwargs) const;

 protected:
  std::vector<json> run(const std::vector<PipelineCall>& calls, size_t batch_size) const override;

 private:
  std::string return_name_;  // generated, summary or translation
  std::string prefix_;
  GenerationConfig generation_config_;
};

}  // namespace transformers
