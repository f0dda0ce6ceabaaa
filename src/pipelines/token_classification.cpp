// The token-classification pipeline: tokens scored, then (pre-entities -> words -> groups) exactly
// as transformers' gather_pre_entities, aggregate_words and group_entities.
#include "transformers/pipelines/token_classification.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "pipeline_support.hpp"

namespace transformers {
namespace {

using pipelines::char_count;
using pipelines::slice_chars;

// One token that is not special, with its probabilities over the labels.
struct PreEntity {
  std::string word;
  std::vector<double> scores;
  size_t start, end;
  int64_t index;
  bool is_subword;
};

struct Entity {
  std::string label;
  double score;
  std::optional<int64_t> index;  // per-token entities only
  std::string word;
  size_t start, end;
};

size_t argmax(const std::vector<double>& values) {
  return static_cast<size_t>(std::max_element(values.begin(), values.end()) - values.begin());
}

std::string label_name(const PretrainedConfig& config, size_t id) {
  auto found = config.id2label.find(static_cast<int64_t>(id));
  return found != config.id2label.end() ? found->second : "LABEL_" + std::to_string(id);
}

// "B-PER" -> (B, PER); a label without a B-/I- prefix counts as I-.
std::pair<char, std::string> bio_tag(const std::string& label) {
  if (label.rfind("B-", 0) == 0) return {'B', label.substr(2)};
  if (label.rfind("I-", 0) == 0) return {'I', label.substr(2)};
  return {'I', label};
}

class EntityBuilder {
 public:
  EntityBuilder(const PretrainedConfig& config, const PreTrainedTokenizerFast& tokenizer)
      : config_(config), tokenizer_(tokenizer) {}

  // Skips special tokens; subwords are told apart as transformers does: with the tokenizer's
  // continuing_subword_prefix, a token whose text differs in length from its span; without one,
  // a span that does not follow a space. [UNK] takes its word from the text and is never a subword.
  std::vector<PreEntity> pre_entities(const std::string& sentence, const tokenizers::Encoding& encoding,
                                      const std::vector<float>& logits) const {
    const size_t labels = logits.size() / std::max<size_t>(encoding.size(), 1);
    const auto prefix = tokenizer_.backend().continuing_subword_prefix();
    const auto unk = tokenizer_.special_token_id("unk_token");
    std::vector<PreEntity> out;
    for (size_t i = 0; i < encoding.size(); ++i) {
      if (encoding.special_tokens_mask[i]) continue;
      std::vector<double> row(logits.begin() + static_cast<int64_t>(i * labels),
                              logits.begin() + static_cast<int64_t>((i + 1) * labels));
      auto [start, end] = encoding.offsets[i];
      std::string word = encoding.tokens[i];
      const std::string reference = slice_chars(sentence, start, end);
      bool is_subword;
      if (prefix) {
        is_subword = char_count(word) != char_count(reference);
      } else {
        is_subword = start > 0 && slice_chars(sentence, start - 1, start + 1).find(' ') == std::string::npos;
      }
      if (unk && encoding.ids[i] == *unk) {
        word = reference;
        is_subword = false;
      }
      out.push_back({std::move(word), pipelines::softmax(row), start, end, static_cast<int64_t>(i), is_subword});
    }
    return out;
  }

  std::vector<Entity> aggregate(const std::vector<PreEntity>& pre, AggregationStrategy strategy) const {
    std::vector<Entity> entities;
    if (strategy == AggregationStrategy::None || strategy == AggregationStrategy::Simple) {
      for (const PreEntity& p : pre) {
        const size_t best = argmax(p.scores);
        entities.push_back({label_name(config_, best), p.scores[best], p.index, p.word, p.start, p.end});
      }
    } else {
      entities = aggregate_words(pre, strategy);
    }
    return strategy == AggregationStrategy::None ? entities : group_entities(entities);
  }

 private:
  // Subwords join the word before them; each word takes one label.
  std::vector<Entity> aggregate_words(const std::vector<PreEntity>& pre, AggregationStrategy strategy) const {
    std::vector<Entity> words;
    std::vector<const PreEntity*> group;
    for (const PreEntity& p : pre) {
      if (!group.empty() && !p.is_subword) {
        words.push_back(aggregate_word(group, strategy));
        group.clear();
      }
      group.push_back(&p);
    }
    if (!group.empty()) words.push_back(aggregate_word(group, strategy));
    return words;
  }

  Entity aggregate_word(const std::vector<const PreEntity*>& tokens, AggregationStrategy strategy) const {
    std::vector<std::string> pieces;
    for (const PreEntity* t : tokens) pieces.push_back(t->word);
    std::vector<double> scores;
    if (strategy == AggregationStrategy::First) {
      scores = tokens.front()->scores;
    } else if (strategy == AggregationStrategy::Max) {
      // the first token with the highest top score, as Python's max()
      const PreEntity* best = tokens.front();
      for (const PreEntity* t : tokens)
        if (*std::max_element(t->scores.begin(), t->scores.end()) >
            *std::max_element(best->scores.begin(), best->scores.end()))
          best = t;
      scores = best->scores;
    } else {
      scores.assign(tokens.front()->scores.size(), 0.0);
      for (const PreEntity* t : tokens)
        for (size_t j = 0; j < scores.size(); ++j) scores[j] += t->scores[j] / static_cast<double>(tokens.size());
    }
    const size_t best = argmax(scores);
    return {label_name(config_, best), scores[best],      std::nullopt, tokenizer_.backend().decode_tokens(pieces),
            tokens.front()->start,     tokens.back()->end};
  }

  // Neighbours with the same tag join unless the newcomer is a B-.
  std::vector<Entity> group_entities(const std::vector<Entity>& entities) const {
    std::vector<Entity> groups;
    std::vector<const Entity*> current;
    for (const Entity& e : entities) {
      if (!current.empty()) {
        auto [bi, tag] = bio_tag(e.label);
        if (tag != bio_tag(current.back()->label).second || bi == 'B') {
          groups.push_back(group(current));
          current.clear();
        }
      }
      current.push_back(&e);
    }
    if (!current.empty()) groups.push_back(group(current));
    return groups;
  }

  Entity group(const std::vector<const Entity*>& members) const {
    double total = 0.0;
    std::vector<std::string> pieces;
    for (const Entity* e : members) {
      total += e->score;
      pieces.push_back(e->word);
    }
    // the group's name is the label after its first '-' (Python's split("-", 1)[-1])
    const std::string& label = members.front()->label;
    const size_t dash = label.find('-');
    return {dash == std::string::npos ? label : label.substr(dash + 1),
            total / static_cast<double>(members.size()),
            std::nullopt,
            tokenizer_.backend().decode_tokens(pieces),
            members.front()->start,
            members.back()->end};
  }

  const PretrainedConfig& config_;
  const PreTrainedTokenizerFast& tokenizer_;
};

nlohmann::json entity_json(const Entity& e, AggregationStrategy strategy) {
  nlohmann::json out = {{"score", e.score}, {"word", e.word}, {"start", e.start}, {"end", e.end}};
  if (strategy == AggregationStrategy::None) {
    out["entity"] = e.label;
    out["index"] = *e.index;
  } else {
    out["entity_group"] = e.label;
  }
  return out;
}

}  // namespace

AggregationStrategy parse_aggregation_strategy(const std::string& name) {
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  if (upper == "NONE") return AggregationStrategy::None;
  if (upper == "SIMPLE") return AggregationStrategy::Simple;
  if (upper == "FIRST") return AggregationStrategy::First;
  if (upper == "AVERAGE") return AggregationStrategy::Average;
  if (upper == "MAX") return AggregationStrategy::Max;
  throw InvalidArgument("aggregation_strategy must be none, simple, first, average or max, not '" + name + "'");
}

namespace {

using nlohmann::json;

struct TokenClassificationOptions {
  AggregationStrategy strategy = AggregationStrategy::None;
  std::vector<std::string> ignore_labels{"O"};
  std::optional<size_t> stride;
};

TokenClassificationOptions parse_options(const json& kwargs) {
  TokenClassificationOptions o;
  const bool has_strategy = kwargs.contains("aggregation_strategy") && !kwargs["aggregation_strategy"].is_null();
  if (has_strategy) o.strategy = parse_aggregation_strategy(kwargs["aggregation_strategy"].get<std::string>());
  if (kwargs.contains("ignore_labels") && !kwargs["ignore_labels"].is_null())
    o.ignore_labels = kwargs["ignore_labels"].get<std::vector<std::string>>();
  if (kwargs.contains("stride") && !kwargs["stride"].is_null()) {
    o.stride = pipelines::size_kwarg(kwargs, "stride", 0);
    if (has_strategy && o.strategy == AggregationStrategy::None)
      throw InvalidArgument(
          "token-classification: `stride` was provided to process all the text but "
          "aggregation_strategy is \"none\"; please select another one");
  }
  return o;
}

// One sequence to label. For pre-tokenized input `text` is its words joined by the delimiter: the
// text Python slices [UNK] words from and counts start/end in.
struct Sequence {
  std::string text;
  std::optional<std::vector<std::string>> words;
  std::vector<size_t> word_starts;  // where each word begins in `text`, in code points (Python's len)
};

Sequence joined_words(std::vector<std::string> words, const std::string& delimiter) {
  Sequence sequence;
  const size_t step = char_count(delimiter);
  size_t start = 0;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) sequence.text += delimiter;
    sequence.word_starts.push_back(start);
    sequence.text += words[i];
    start += char_count(words[i]) + step;
  }
  sequence.words = std::move(words);
  return sequence;
}

std::vector<std::string> word_list(const json& words) {
  std::vector<std::string> out;
  for (const json& word : words) {
    if (!word.is_string())
      throw InvalidArgument("token-classification: with is_split_into_words=True every word must be a string, not " +
                            word.dump());
    out.push_back(word.get<std::string>());
  }
  return out;
}

bool split_into_words(const json& kwargs) {
  const json flag = kwargs.value("is_split_into_words", json());
  if (!flag.is_null() && !flag.is_boolean())
    throw InvalidArgument("token-classification: is_split_into_words must be true or false, not " + flag.dump());
  return flag.is_boolean() && flag.get<bool>();
}

std::string delimiter(const json& kwargs) {
  const json value = kwargs.value("delimiter", json());
  if (!value.is_null() && !value.is_string())
    throw InvalidArgument("token-classification: delimiter must be a string, not " + value.dump());
  return value.is_null() ? " " : value.get<std::string>();
}

// One input: a text, or with is_split_into_words a list of words.
Sequence sequence_of(const json& input, const json& kwargs) {
  if (split_into_words(kwargs)) return joined_words(word_list(input), delimiter(kwargs));
  if (!input.is_string())
    throw InvalidArgument(
        "token-classification: each input must be a string (lists of words need is_split_into_words=True)");
  return {input.get<std::string>(), std::nullopt, {}};
}

// One truncated window (to model_max_length when the tokenizer has one, as transformers).
std::vector<tokenizers::Encoding> truncated_window(const PreTrainedTokenizerFast& tokenizer, const Sequence& sequence) {
  TokenizeOptions tokenize;
  tokenize.truncation = tokenizer.model_max_length().has_value();
  if (sequence.words) return tokenizer.encode_words({*sequence.words}, tokenize).encodings;
  return tokenizer({sequence.text}, tokenize).encodings;
}

// Every window of the sequence, overlapping by `stride` tokens.
std::vector<tokenizers::Encoding> strided_windows(const PreTrainedTokenizerFast& tokenizer, const Sequence& sequence,
                                                  size_t stride) {
  const auto limit = tokenizer.model_max_length();
  if (!limit || stride >= *limit)
    throw InvalidArgument("token-classification: `stride` must be less than `tokenizer.model_max_length`");
  tokenizers::Tokenizer backend = tokenizer.backend();
  tokenizers::TruncationParams truncation;
  truncation.max_length = *limit;
  truncation.stride = stride;
  backend.set_truncation(truncation);
  backend.set_padding(std::nullopt);
  tokenizers::Encoding first = sequence.words ? backend.encode_words(*sequence.words) : backend.encode(sequence.text);
  std::vector<tokenizers::Encoding> chunks{first};
  chunks.front().overflowing.clear();
  for (tokenizers::Encoding& overflow : first.overflowing) chunks.push_back(std::move(overflow));
  return chunks;
}

// Pre-tokenized offsets count from the start of their word; Python shifts them by the word's start
// in the joined text, so start/end, the [UNK] words and the subword test all read that text.
void offsets_in_text(tokenizers::Encoding& encoding, const Sequence& sequence) {
  for (size_t i = 0; i < encoding.size(); ++i)
    if (const std::optional<int64_t> word = encoding.word_ids[i]) {
      const size_t start = sequence.word_starts.at(static_cast<size_t>(*word));
      encoding.offsets[i].first += start;
      encoding.offsets[i].second += start;
    }
}

// Entities of overlapping windows: sorted by start, and of two that overlap the longer (or, at equal
// length, the higher-scored) one stays (transformers' aggregate_overlapping_entities).
std::vector<json> merge_overlapping(std::vector<json> entities) {
  if (entities.empty()) return entities;
  std::stable_sort(entities.begin(), entities.end(),
                   [](const json& a, const json& b) { return a["start"].get<size_t>() < b["start"].get<size_t>(); });
  std::vector<json> merged;
  json previous = entities.front();
  auto length = [](const json& e) { return e["end"].get<int64_t>() - e["start"].get<int64_t>(); };
  for (const json& entity : entities) {
    const size_t start = entity["start"].get<size_t>();
    if (previous["start"].get<size_t>() <= start && start < previous["end"].get<size_t>()) {
      if (length(entity) > length(previous) ||
          (length(entity) == length(previous) && entity["score"].get<double>() > previous["score"].get<double>()))
        previous = entity;
    } else {
      merged.push_back(previous);
      previous = entity;
    }
  }
  merged.push_back(previous);
  return merged;
}

}  // namespace

TokenClassificationPipeline::TokenClassificationPipeline(std::unique_ptr<PreTrainedModel> model,
                                                         PreTrainedTokenizerFast tokenizer, PipelineOptions options)
    : Pipeline("token-classification", std::move(model), std::move(tokenizer), std::move(options),
               {&ModelOutput::logits}) {}

// As Python: with is_split_into_words a list whose items are all lists is a batch of word lists and
// any other list one word list (so a stray string or number among lists is reported as a word that
// is not a string); else a list is a batch of texts.
std::vector<json> TokenClassificationPipeline::split_inputs(const json& inputs, const json& kwargs) const {
  // Python refuses an empty list in both modes ("At least one input is required.")
  if (inputs.is_array() && inputs.empty())
    throw InvalidArgument("token-classification: at least one input is required");
  if (!split_into_words(kwargs)) {
    if (!inputs.is_string() && !inputs.is_array())
      throw InvalidArgument("token-classification: inputs must be a string or a list of strings");
    return Pipeline::split_inputs(inputs, kwargs);
  }
  if (!inputs.is_array())
    throw InvalidArgument(
        "token-classification: with is_split_into_words=True the input must be a list of words "
        "or a list of such lists, not a " +
        std::string(inputs.type_name()));
  const bool batch = std::all_of(inputs.begin(), inputs.end(), [](const json& item) { return item.is_array(); });
  return batch ? Pipeline::split_inputs(inputs, kwargs) : std::vector<json>{inputs};
}

std::vector<tokenizers::Encoding> TokenClassificationPipeline::preprocess(const json& input, const json& kwargs) const {
  const TokenClassificationOptions o = parse_options(kwargs);
  const Sequence sequence = sequence_of(input, kwargs);
  std::vector<tokenizers::Encoding> windows =
      o.stride ? strided_windows(tokenizer(), sequence, *o.stride) : truncated_window(tokenizer(), sequence);
  if (sequence.words)
    for (tokenizers::Encoding& e : windows) offsets_in_text(e, sequence);
  return windows;
}

json TokenClassificationPipeline::postprocess(const json& input, const std::vector<tokenizers::Encoding>& items,
                                              const std::vector<ItemOutput>& outputs, const json& kwargs) const {
  const TokenClassificationOptions o = parse_options(kwargs);
  const std::string sentence = sequence_of(input, kwargs).text;
  const EntityBuilder builder(model().config(), tokenizer());
  std::vector<json> entities;
  for (size_t w = 0; w < items.size(); ++w) {
    const std::vector<PreEntity> tokens =
        builder.pre_entities(sentence, items[w], outputs[w].unpadded(outputs[w].logits));
    for (const Entity& e : builder.aggregate(tokens, o.strategy))
      if (std::find(o.ignore_labels.begin(), o.ignore_labels.end(), e.label) == o.ignore_labels.end())
        entities.push_back(entity_json(e, o.strategy));
  }
  return items.size() > 1 ? merge_overlapping(std::move(entities)) : std::move(entities);
}

}  // namespace transformers
