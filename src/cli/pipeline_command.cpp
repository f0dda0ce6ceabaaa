// transformers-cli pipeline TASK: pipeline(TASK, --model) over inputs given as arguments or read
// from stdin (one per line), one JSON line out per input: what the Python pipeline returns for that
// input alone. A line that starts with '{' is JSON (a QA {"question", "context"}, a zero-shot
// {"sequences", "candidate_labels"}, a {"text", "text_pair"} pair), so is one starting with '[' or
// '"' that parses as JSON (with --is-split-into-words, a list of words); anything else is plain text.
#include <algorithm>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <transformers/core/json_nesting.hpp>
#include <transformers/pipelines/pipeline.hpp>

#include "command_line.hpp"
#include "commands.hpp"
#include "generation_options.hpp"  // adapters_of, adapter_option

namespace transformers::cli {
namespace {

using nlohmann::json;

struct PipelineInput {
  json inputs;
  json kwargs;  // per-input keyword arguments (a zero-shot line's own labels)
};

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

// The call's keyword arguments from the options, with Python's names.
json kwargs_from(const CommandLine& args) {
  json kwargs = json::object();
  auto integer = [&](const char* option, const char* name) {
    if (auto value = args.integer(option)) {
      if (*value < 0) throw UsageError(std::string("--") + option + " must not be negative");
      kwargs[name] = *value;
    }
  };
  integer("top-k", "top_k");
  integer("batch-size", "batch_size");
  integer("doc-stride", "doc_stride");
  integer("max-answer-len", "max_answer_len");
  integer("max-seq-len", "max_seq_len");
  integer("max-length", "max_length");
  integer("max-new-tokens", "max_new_tokens");
  integer("num-beams", "num_beams");
  integer("seed", "seed");
  auto text = [&](const char* option, const char* name) {
    if (auto value = args.value(option)) kwargs[name] = *value;
  };
  text("aggregation-strategy", "aggregation_strategy");
  text("function-to-apply", "function_to_apply");
  text("candidate-labels", "candidate_labels");  // the pipeline splits it on commas, as Python's does
  text("hypothesis-template", "hypothesis_template");
  text("delimiter", "delimiter");
  if (auto labels = args.value("ignore-labels")) kwargs["ignore_labels"] = split_commas(*labels);
  if (auto targets = args.value("targets")) kwargs["targets"] = split_commas(*targets);
  if (args.has("multi-label")) kwargs["multi_label"] = true;
  if (args.has("handle-impossible-answer")) kwargs["handle_impossible_answer"] = true;
  if (args.has("no-align-to-words")) kwargs["align_to_words"] = false;
  if (args.has("truncation")) kwargs["truncation"] = true;
  if (args.has("is-split-into-words")) kwargs["is_split_into_words"] = true;
  if (auto extra = args.value("kwargs")) {
    json parsed = json::parse(*extra, nullptr, false);
    if (!parsed.is_object()) throw UsageError("--kwargs must be a JSON object");
    kwargs.update(parsed);
  }
  return kwargs;
}

PipelineInput parse_input(const std::string& text, const std::string& task, const std::optional<std::string>& question,
                          const std::string& where) {
  // '{' must start JSON; '[' or '"' start JSON when the line parses ("[MASK] was great" is text)
  json value = text;
  if (!text.empty() && (text[0] == '{' || text[0] == '[' || text[0] == '"')) {
    check_json_nesting(text, where);
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_discarded() && text[0] == '{') throw UsageError(where + ": not valid JSON");
    if (!parsed.is_discarded()) value = std::move(parsed);
  }
  if (task == "question-answering" && value.is_string()) {
    if (!question) throw UsageError(where + ": question-answering needs {\"question\", \"context\"} or --question");
    return {json{{"question", *question}, {"context", value}}, json::object()};
  }
  if (task == "zero-shot-classification" && value.is_object() && value.contains("sequences")) {
    json kwargs = value;
    kwargs.erase("sequences");
    return {value["sequences"], kwargs};
  }
  return {value, json::object()};
}

// The pipelines' keys in the order Python's dicts have them (one order suits every task), so that a
// line reads as Python prints it; nlohmann::json itself sorts keys.
nlohmann::ordered_json in_python_order(const json& value) {
  static const std::vector<std::string> kOrder = {"entity",    "entity_group", "label",  "score",  "index",
                                                  "word",      "start",        "end",    "answer", "token",
                                                  "token_str", "sequence",     "labels", "scores"};
  if (value.is_array()) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const json& item : value) out.push_back(in_python_order(item));
    return out;
  }
  if (!value.is_object()) return nlohmann::ordered_json::parse(value.dump());
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  for (const std::string& key : kOrder)
    if (value.contains(key)) out[key] = in_python_order(value[key]);
  for (const auto& [key, item] : value.items())
    if (!out.contains(key)) out[key] = in_python_order(item);
  return out;
}

void print(const json& result) { std::cout << in_python_order(result).dump() << "\n"; }

// Runs the inputs batch_size at a time, each as its own call (so that its result is what the
// pipeline returns for that input alone) while the items of those calls share forward passes;
// prints one line per input.
void run_all(const Pipeline& pipe, const std::vector<PipelineInput>& items, const json& kwargs, size_t batch_size) {
  if (batch_size == 0) throw UsageError("--batch-size must be at least 1");
  for (size_t start = 0; start < items.size(); start += batch_size) {
    std::vector<PipelineCall> calls;
    for (size_t i = start; i < std::min(items.size(), start + batch_size); ++i) {
      json call_kwargs = kwargs;
      call_kwargs.update(items[i].kwargs);
      calls.push_back({items[i].inputs, std::move(call_kwargs)});
    }
    for (const json& result : pipe(calls, batch_size)) print(result);
    std::cout.flush();
  }
}

int run_pipeline(const CommandLine& command_line) {
  if (command_line.positionals().empty()) throw UsageError("the task is required (e.g. ner, fill-mask)");
  const std::string task_name = command_line.positionals()[0];
  const std::string task = find_task(task_name).task;
  const json kwargs = kwargs_from(command_line);
  PipelineOptions options;
  options.revision = command_line.value_or("revision", "");
  options.gguf_file = command_line.value_or("gguf-file", "");
  options.device = Device(command_line.value_or("device", "cpu"));
  options.dtype = parse_model_dtype(command_line.value_or("dtype", "auto"));
  options.adapters = adapters_of(command_line);
  auto pipe = pipeline(task_name, command_line.value_or("model", ""), options);  // translation_xx_to_yy kept

  const auto question = command_line.value("question");
  std::vector<PipelineInput> items;
  const std::vector<std::string>& positionals = command_line.positionals();
  for (size_t i = 1; i < positionals.size(); ++i)
    items.push_back(parse_input(positionals[i], task, question, "argument " + std::to_string(i)));
  if (positionals.size() == 1) {
    std::string line;
    for (size_t number = 1; std::getline(std::cin, line); ++number)
      items.push_back(parse_input(line, task, question, "stdin line " + std::to_string(number)));
  }
  run_all(*pipe, items, kwargs, kwargs.value("batch_size", size_t{1}));
  return 0;
}

}  // namespace

Command pipeline_command() {
  return {"pipeline",
          "TASK [INPUT...]",
          "run pipeline(TASK) on the arguments or on stdin lines (text or JSON) and print one JSON result per input",
          {{"model", "PATH_OR_ID", "model folder, Hub id or .gguf file", "the task's default model"},
           {"gguf-file", "NAME", "load the model and tokenizer from this GGUF file of the folder or repo"},
           {"revision", "R", "branch, tag or commit of a Hub model", "main"},
           {"device", "DEVICE", "cpu, cuda or cuda:N", "cpu"},
           {"dtype", "DTYPE", "the model's dtype: auto (the checkpoint's), float32, bfloat16 or float16", "auto"},
           adapter_option(),
           {"batch-size", "N", "inputs per forward pass (results are the same as unbatched)", "1"},
           {"top-k", "N", "text-classification, fill-mask, question-answering: how many answers"},
           {"function-to-apply", "F", "text-classification: softmax, sigmoid or none", "from the model's config"},
           {"truncation", "", "truncate inputs longer than the model's maximum length"},
           {"max-length", "N",
            "with --truncation: the length to truncate to; text-generation, summarization, translation, "
            "text2text-generation: the total length"},
           {"aggregation-strategy", "S", "token-classification: none, simple, first, average or max", "none"},
           {"ignore-labels", "A,B", "token-classification: labels left out of the results", "O"},
           {"is-split-into-words", "", "token-classification: each input is a JSON list of words"},
           {"delimiter", "TEXT", "with --is-split-into-words: what joins the words", "\" \""},
           {"candidate-labels", "A,B", "zero-shot-classification: the labels to choose from"},
           {"hypothesis-template", "T", "zero-shot-classification: the template of each hypothesis",
            "\"This example is {}.\""},
           {"multi-label", "", "zero-shot-classification: score each label on its own"},
           {"targets", "A,B", "fill-mask: score only these words"},
           {"question", "Q", "question-answering: ask Q of every input (each input is a context)"},
           {"doc-stride", "N", "question-answering: overlap of context windows", "128"},
           {"max-seq-len", "N", "question-answering: length of question + context windows", "384"},
           {"max-answer-len", "N", "question-answering: longest answer in tokens", "15"},
           {"handle-impossible-answer", "", "question-answering: allow the empty answer"},
           {"no-align-to-words", "", "question-answering: answers may start or end inside a word"},
           {"max-new-tokens", "N", "generating tasks: most tokens to generate", "256"},
           {"num-beams", "N", "generating tasks: beams of beam search", "1; summarization, translation: 4"},
           {"seed", "N", "text-generation: seed for sampling (the same seed gives the same text)", "random"},
           {"kwargs", "JSON", "any other keyword arguments of the Python pipeline call, as a JSON object"}},
          run_pipeline};
}

}  // namespace transformers::cli
