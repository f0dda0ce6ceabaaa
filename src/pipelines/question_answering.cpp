// The question-answering pipeline: windows from the tokenizer's overflow, span scores as
// transformers' select_starts_ends / decode_spans, answers merged as its postprocess.
#include "transformers/pipelines/question_answering.hpp"

#include <algorithm>
#include <numeric>
#include <optional>
#include <vector>

#include "pipeline_support.hpp"

namespace transformers {
namespace {

struct QuestionAnsweringOptions {
  size_t top_k = 1, max_answer_len = 15, max_seq_len = 384, doc_stride = 128;
  bool handle_impossible_answer = false, align_to_words = true;
};

struct Example {
  std::string question, context;
};

struct Answer {
  double score;
  size_t start, end;
  std::string answer;
};

Example parse_example(const nlohmann::json& item) {
  if (!item.is_object()) throw InvalidArgument("question-answering: each input must be {\"question\", \"context\"}");
  Example example;
  for (const char* key : {"question", "context"}) {
    if (!item.contains(key))
      throw InvalidArgument(
          "question-answering: you need to provide a dictionary with keys {question:..., context:...}");
    if (!item[key].is_string())
      throw InvalidArgument(std::string("question-answering: `") + key + "` must be a string");
    if (item[key].get<std::string>().empty())
      throw InvalidArgument(std::string("question-answering: `") + key + "` cannot be empty");
  }
  example.question = item["question"].get<std::string>();
  example.context = item["context"].get<std::string>();
  return example;
}

// The question= / context= keyword form: one pair, one context for many questions, or pairs zipped.
nlohmann::json examples_from_kwargs(const nlohmann::json& question, const nlohmann::json& context) {
  if (question.is_string() && context.is_string()) return {{"question", question}, {"context", context}};
  nlohmann::json examples = nlohmann::json::array();
  if (question.is_array() && context.is_string()) {
    for (const nlohmann::json& q : question) examples.push_back({{"question", q}, {"context", context}});
  } else if (question.is_array() && context.is_array()) {
    if (question.size() != context.size())
      throw InvalidArgument("question-answering: questions and contexts don't have the same lengths");
    for (size_t i = 0; i < question.size(); ++i)
      examples.push_back({{"question", question[i]}, {"context", context[i]}});
  } else {
    throw InvalidArgument("question-answering: arguments can't be understood");
  }
  return examples;
}

QuestionAnsweringOptions parse_options(const nlohmann::json& kwargs, const PreTrainedTokenizerFast& tokenizer) {
  QuestionAnsweringOptions o;
  if (kwargs.contains("top_k") && kwargs["top_k"].get<int64_t>() < 1)
    throw InvalidArgument("question-answering: top_k parameter should be >= 1");
  if (kwargs.contains("max_answer_len") && kwargs["max_answer_len"].get<int64_t>() < 1)
    throw InvalidArgument("question-answering: max_answer_len parameter should be >= 1");
  o.top_k = pipelines::size_kwarg(kwargs, "top_k", 1);
  o.max_answer_len = pipelines::size_kwarg(kwargs, "max_answer_len", 15);
  o.max_seq_len =
      pipelines::size_kwarg(kwargs, "max_seq_len", std::min<size_t>(tokenizer.model_max_length().value_or(384), 384));
  o.doc_stride = pipelines::size_kwarg(kwargs, "doc_stride", std::min<size_t>(o.max_seq_len / 2, 128));
  if (o.doc_stride > o.max_seq_len)
    throw InvalidArgument("question-answering: `doc_stride` (" + std::to_string(o.doc_stride) +
                          ") is larger than `max_seq_len` (" + std::to_string(o.max_seq_len) + ")");
  o.handle_impossible_answer = pipelines::bool_kwarg(kwargs, "handle_impossible_answer", false);
  o.align_to_words = pipelines::bool_kwarg(kwargs, "align_to_words", true);
  return o;
}

// (question, context) truncated only in the context, every overflowing window kept.
std::vector<tokenizers::Encoding> windows_of(const Example& example, const PreTrainedTokenizerFast& tokenizer,
                                             const QuestionAnsweringOptions& o) {
  if (tokenizer.padding_side() != tokenizers::Side::Right)
    throw InvalidArgument("question-answering: tokenizers that pad on the left are not supported");
  tokenizers::Tokenizer backend = tokenizer.backend();
  tokenizers::TruncationParams truncation;
  truncation.max_length = o.max_seq_len;
  truncation.stride = o.doc_stride;
  truncation.strategy = tokenizers::TruncationStrategy::OnlySecond;
  backend.set_truncation(truncation);
  backend.set_padding(std::nullopt);
  tokenizers::Encoding first = backend.encode(example.question, std::string_view(example.context));
  std::vector<tokenizers::Encoding> encodings{first};
  for (tokenizers::Encoding& overflow : first.overflowing) encodings.push_back(std::move(overflow));
  encodings.front().overflowing.clear();
  return encodings;
}

// Where an answer may start or end in a window: its context tokens, and CLS (the empty answer).
std::vector<bool> answer_tokens(const tokenizers::Encoding& e, const PreTrainedTokenizerFast& tokenizer) {
  const auto cls = tokenizer.special_token_id("cls_token");
  std::vector<bool> allowed(e.size());
  for (size_t t = 0; t < e.size(); ++t)
    allowed[t] = (e.sequence_ids[t] && *e.sequence_ids[t] == 1) || (cls && e.ids[t] == *cls);
  return allowed;
}

struct Span {
  size_t start, end;
  double score;
};

// select_starts_ends + decode_spans for one window: probabilities of starts and ends over the
// allowed tokens (CLS included), the null score from CLS, then the best spans by start*end.
// The logits are the window's padded rows, as transformers sees them.
std::vector<Span> best_spans(const tokenizers::Encoding& window, const std::vector<bool>& allowed,
                             const ItemOutput& output, size_t top_k, const QuestionAnsweringOptions& o,
                             double& min_null_score) {
  const std::vector<float>& start_logits = output.start_logits;
  const std::vector<float>& end_logits = output.end_logits;
  const size_t n = start_logits.size();
  std::vector<bool> desired(n, false);  // p_mask == 0 and attention_mask == 1
  for (size_t t = 0; t < allowed.size(); ++t) desired[t] = allowed[t] && window.attention_mask[t];
  std::vector<double> start(n), end(n);
  for (size_t t = 0; t < n; ++t) {
    start[t] = desired[t] ? start_logits[t] : -10000.0;
    end[t] = desired[t] ? end_logits[t] : -10000.0;
  }
  start = pipelines::softmax(start);
  end = pipelines::softmax(end);
  if (o.handle_impossible_answer) min_null_score = std::min(min_null_score, start[0] * end[0]);
  start[0] = end[0] = 0.0;
  // every (s, e) cell of the n x n matrix; 0 outside s <= e < s + max_answer_len, as numpy's triu/tril
  std::vector<Span> cells;
  cells.reserve(n * n);
  for (size_t s = 0; s < n; ++s)
    for (size_t e = 0; e < n; ++e)
      cells.push_back({s, e, (e >= s && e - s < o.max_answer_len) ? start[s] * end[e] : 0.0});
  const size_t keep = std::min(top_k, cells.size());
  std::partial_sort(cells.begin(), cells.begin() + static_cast<int64_t>(keep), cells.end(),
                    [n](const Span& a, const Span& b) {
                      return a.score != b.score ? a.score > b.score : a.start * n + a.end < b.start * n + b.end;
                    });
  cells.resize(keep);
  // numpy's isin against desired.nonzero() of a [1, n] mask also matches the row indices (all 0),
  // so position 0 passes whenever any token is desired.
  const bool any = std::find(desired.begin(), desired.end(), true) != desired.end();
  auto passes = [&](size_t t) { return desired[t] || (t == 0 && any); };
  std::vector<Span> spans;
  for (const Span& c : cells)
    if (passes(c.start) && passes(c.end)) spans.push_back(c);
  return spans;
}

// Character span of tokens s..e: whole words (of the context) when aligning, else token offsets.
std::pair<size_t, size_t> char_span(const tokenizers::Encoding& e, size_t s, size_t t, bool align_to_words) {
  auto word_chars = [&](size_t token) -> std::optional<std::pair<size_t, size_t>> {
    if (!e.word_ids[token]) return std::nullopt;
    std::optional<std::pair<size_t, size_t>> span;
    for (size_t i = 0; i < e.size(); ++i) {
      if (e.word_ids[i] != e.word_ids[token] || !e.sequence_ids[i] || *e.sequence_ids[i] != 1) continue;
      if (!span) span = std::pair<size_t, size_t>{e.offsets[i].first, e.offsets[i].second};
      span->second = e.offsets[i].second;
    }
    return span;
  };
  if (align_to_words) {
    auto first = word_chars(s), last = word_chars(t);
    if (first && last) return {first->first, last->second};
  }
  return {e.offsets[s].first, e.offsets[t].second};
}

// The top_k answers, best first, as Python returns them: one answer alone, several as a list.
nlohmann::json ranked_answers(std::vector<Answer> answers, size_t top_k) {
  std::stable_sort(answers.begin(), answers.end(), [](const Answer& a, const Answer& b) { return a.score > b.score; });
  if (answers.size() > top_k) answers.resize(top_k);
  nlohmann::json list = nlohmann::json::array();
  for (const Answer& a : answers)
    list.push_back({{"score", a.score}, {"start", a.start}, {"end", a.end}, {"answer", a.answer}});
  return list.size() == 1 ? list[0] : list;
}

}  // namespace

QuestionAnsweringPipeline::QuestionAnsweringPipeline(std::unique_ptr<PreTrainedModel> model,
                                                     PreTrainedTokenizerFast tokenizer, PipelineOptions options)
    : Pipeline("question-answering", std::move(model), std::move(tokenizer), std::move(options),
               {&ModelOutput::start_logits, &ModelOutput::end_logits}) {}

std::vector<nlohmann::json> QuestionAnsweringPipeline::split_inputs(const nlohmann::json& inputs,
                                                                    const nlohmann::json& kwargs) const {
  const nlohmann::json given = inputs.is_null() && kwargs.contains("question") && kwargs.contains("context")
                                   ? examples_from_kwargs(kwargs["question"], kwargs["context"])
                                   : inputs;
  return Pipeline::split_inputs(given, kwargs);
}

std::vector<tokenizers::Encoding> QuestionAnsweringPipeline::preprocess(const nlohmann::json& input,
                                                                        const nlohmann::json& kwargs) const {
  return windows_of(parse_example(input), tokenizer(), parse_options(kwargs, tokenizer()));
}

// Spans of every window, answers of the same text merged (their scores added), as Python's postprocess.
nlohmann::json QuestionAnsweringPipeline::postprocess(const nlohmann::json& input,
                                                      const std::vector<tokenizers::Encoding>& items,
                                                      const std::vector<ItemOutput>& outputs,
                                                      const nlohmann::json& kwargs) const {
  const QuestionAnsweringOptions o = parse_options(kwargs, tokenizer());
  const std::string context = parse_example(input).context;
  // More candidates than asked for when aligning: several spans may widen to the same words.
  const size_t candidates = o.align_to_words ? o.top_k * 2 + 10 : o.top_k;
  double min_null_score = 1000000.0;
  std::vector<Answer> answers;
  for (size_t w = 0; w < items.size(); ++w) {
    const std::vector<bool> allowed = answer_tokens(items[w], tokenizer());
    for (const Span& span : best_spans(items[w], allowed, outputs[w], candidates, o, min_null_score)) {
      auto [start, end] = char_span(items[w], span.start, span.end, o.align_to_words);
      std::string text = pipelines::slice_chars(context, start, end);
      auto same = std::find_if(answers.begin(), answers.end(),
                               [&](const Answer& a) { return pipelines::lower(a.answer) == pipelines::lower(text); });
      if (same != answers.end())
        same->score += span.score;
      else
        answers.push_back({span.score, start, end, std::move(text)});
    }
  }
  if (o.handle_impossible_answer) answers.push_back({min_null_score, 0, 0, ""});
  return ranked_answers(std::move(answers), o.top_k);
}

// As Python: a list of one example gives its answer alone.
nlohmann::json QuestionAnsweringPipeline::join_results(const nlohmann::json&, const nlohmann::json&,
                                                       nlohmann::json results) const {
  return results.size() == 1 ? results[0] : results;
}

}  // namespace transformers
