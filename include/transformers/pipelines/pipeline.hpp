#pragma once
// pipeline(task, model): transformers' task names and aliases, the default model of each task
// (looked up in the Hugging Face cache when no model is given), and the pipeline classes.
#include <memory>
#include <string>
#include <vector>

#include "transformers/pipelines/feature_extraction.hpp"
#include "transformers/pipelines/fill_mask.hpp"
#include "transformers/pipelines/question_answering.hpp"
#include "transformers/pipelines/text2text_generation.hpp"
#include "transformers/pipelines/text_classification.hpp"
#include "transformers/pipelines/text_generation.hpp"
#include "transformers/pipelines/token_classification.hpp"
#include "transformers/pipelines/zero_shot_classification.hpp"

namespace transformers {

// One task: its names, transformers' default model and revision for it, and how its pipeline is
// made from a model folder (which Auto class loads the model, which pipeline class runs it) for
// the task name as the caller gave it (translation_en_to_de picks that entry of a model's
// task_specific_params).
struct PipelineTask {
  std::string task, alias, model, revision;
  std::unique_ptr<Pipeline> (*load)(const std::string& folder, const std::string& task, PipelineOptions options);
};

// The tasks built so far.
const std::vector<PipelineTask>& supported_tasks();

// The task named `task` or its alias (translation_XX_to_YY: translation); InvalidArgument (listing
// the tasks) for any other name.
const PipelineTask& find_task(const std::string& task);

// `model`: a folder or a Hub id; empty means the task's default model at its default revision.
std::unique_ptr<Pipeline> pipeline(const std::string& task, const std::string& model = "",
                                   PipelineOptions options = {});

}  // namespace transformers
