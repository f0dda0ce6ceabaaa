#pragma once
// pipeline("text-generation"): prompts continued by generate(), as transformers 5.23's
// TextGenerationPipeline: a string gives [{"generated_text"}] (one per num_return_sequences), a list
// of strings a list of those; return_full_text (default true: the prompt, as given, then the new
// text), return_tensors (the generated ids), prefix, stop_sequence, handle_long_generation="hole",
// batch_size (prompts padded on the left and generated together), and every other keyword argument
// handed to generate(). The generation settings are the model's generation config, then the call's
// arguments, then the pipeline's defaults for what neither sets (max_new_tokens 256, do_sample true
// and temperature 0.7 when sampling, the tokenizer's pad token). `seed` (ours; Python seeds torch
// globally) makes sampling repeatable. A chat (a list of {"role", "content"} messages) is rendered
// by the tokenizer's chat template with a generation prompt (or, ending with an assistant message,
// continued: continue_final_message), and comes back as the chat with the reply added.
#include <memory>
#include <string>

#include "transformers/generation/generation_config.hpp"
#include "transformers/pipelines/base.hpp"

namespace transformers {

class TextGenerationPipeline final : public Pipeline {
 public:
  TextGenerationPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                         PipelineOptions options, GenerationConfig model_generation_config);

  std::vector<json> split_inputs(const json& inputs, const json& kwargs) const override;
  Items preprocess(const json& input, const json& kwargs) const override;
  json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                   const json& kwargs) const override;
  json join_results(const json& inputs, const json& kwargs, json results) const override;

  // What generate() runs with for a call: the model's generation config, the call's generate
  // arguments, then the pipeline's defaults where neither says (see above).
  GenerationConfig call_config(const json& kwargs) const;
  // The generated sequences of prompts (their encodings), padded on the left and run together.
  ItemOutputs generate_batch(const std::vector<const tokenizers::Encoding*>& items, const json& kwargs) const;

 protected:
  std::vector<json> run(const std::vector<PipelineCall>& calls, size_t batch_size) const override;

 private:
  // The text one input becomes before tokenizing: a string after the call's prefix, or a chat
  // rendered by the tokenizer's chat template.
  std::string prompt_text(const json& input, const json& kwargs) const;

  GenerationConfig model_generation_config_;
};

}  // namespace transformers
