#pragma once
// pipeline("question-answering"), as transformers 4.57's question_answering.py (transformers 5
// removed the task): the context is cut into overlapping windows (max_seq_len, doc_stride) after
// the question, each window scores every span of at most max_answer_len tokens, answers with the
// same text are merged across windows, and the top_k best are returned as {score, start, end,
// answer} (character positions in the context). handle_impossible_answer adds the empty answer;
// align_to_words widens spans to whole words.
#include <memory>

#include "transformers/pipelines/base.hpp"

namespace transformers {

class QuestionAnsweringPipeline final : public Pipeline {
 public:
  QuestionAnsweringPipeline(std::unique_ptr<PreTrainedModel> model, PreTrainedTokenizerFast tokenizer,
                            PipelineOptions options);

  // inputs: {"question", "context"} or a list of them (a list of one gives one result, as Python);
  // or null with kwargs question= and context= (strings, or lists as Python takes them).
  std::vector<json> split_inputs(const json& inputs, const json& kwargs) const override;
  // One encoding per window of the context.
  Items preprocess(const json& input, const json& kwargs) const override;
  json postprocess(const json& input, const Items& items, const ItemOutputs& outputs,
                   const json& kwargs) const override;
  json join_results(const json& inputs, const json& kwargs, json results) const override;
};

}  // namespace transformers
