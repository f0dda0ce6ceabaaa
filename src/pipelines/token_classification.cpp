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
    return {label_name(config_, best), scores[best], std::nullopt, tokenizer_.backend().decode_tokens(pieces),
            tokens.front()->start, tokens.back()->end};
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
    return {dash == std::string::npos ? label : label.substr(dash + 1), total / static_cast<double>(members.size()),
            std::nullopt,
            tokenizer_.backend().decode_tokens(pieces), members.front()->start, members.back()->end};
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

TokenClassificationPipeline::TokenClassificationPipeline(std::unique_ptr<PreTrainedModel> model,
                                                         PreTrainedTokenizerFast tokenizer, PipelineOptions options)
    : Pipeline("token-classification", std::move(options)), model_(std::move(model)), tokenizer_(std::move(tokenizer)) {}

namespace {

using nlohmann::json;
using Windows = std::vector<std::vector<tokenizers::Encoding>>;

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

// As Python: a list whose items are all lists is a batch of word lists, any other list is one word
// list (so a stray string or number among lists is reported as a word that is not a string).
std::vector<Sequence> pre_tokenized(const json& inputs, const json& kwargs) {
  if (!inputs.is_array())
    throw InvalidArgument("token-classification: with is_split_into_words=True the input must be a list of words "
                          "or a list of such lists, not a " + std::string(inputs.type_name()));
  const json delimiter = kwargs.value("delimiter", json());
  if (!delimiter.is_null() && !delimiter.is_string())
    throw InvalidArgument("token-classification: delimiter must be a string, not " + delimiter.dump());
  const std::string joiner = delimiter.is_null() ? " " : delimiter.get<std::string>();
  const bool batch = std::all_of(inputs.begin(), inputs.end(), [](const json& item) { return item.is_array(); });
  std::vector<Sequence> out;
  for (const json& words : batch ? inputs : json::array({inputs})) out.push_back(joined_words(word_list(words), joiner));
  return out;
}

std::vector<Sequence> plain_texts(const json& inputs) {
  if (!inputs.is_string() && !inputs.is_array())
    throw InvalidArgument("token-classification: inputs must be a string or a list of strings");
  std::vector<Sequence> out;
  for (const json& item : inputs.is_string() ? json::array({inputs}) : inputs) {
    if (!item.is_string())
      throw InvalidArgument("token-classification: each input must be a string (lists of words need is_split_into_words=True)");
    out.push_back({item.get<std::string>(), std::nullopt, {}});
  }
  return out;
}

bool split_into_words(const json& kwargs) {
  const json flag = kwargs.value("is_split_into_words", json());
  if (!flag.is_null() && !flag.is_boolean())
    throw InvalidArgument("token-classification: is_split_into_words must be true or false, not " + flag.dump());
  return flag.is_boolean() && flag.get<bool>();
}

std::vector<Sequence> read_sequences(const json& inputs, const json& kwargs) {
  // Python refuses an empty list in both modes ("At least one input is required.")
  if (inputs.is_array() && inputs.empty()) throw InvalidArgument("token-classification: at least one input is required");
  return split_into_words(kwargs) ? pre_tokenized(inputs, kwargs) : plain_texts(inputs);
}

// One truncated window per sequence (to model_max_length when the tokenizer has one, as transformers).
Windows truncated_windows(const PreTrainedTokenizerFast& tokenizer, const std::vector<Sequence>& sequences) {
  TokenizeOptions tokenize;
  tokenize.truncation = tokenizer.model_max_length().has_value();
  std::vector<std::string> texts;
  std::vector<std::vector<std::string>> word_lists;
  for (const Sequence& s : sequences) {
    if (s.words) word_lists.push_back(*s.words);
    else texts.push_back(s.text);
  }
  BatchEncoding batch = word_lists.empty() ? tokenizer(texts, tokenize) : tokenizer.encode_words(word_lists, tokenize);
  Windows out;
  for (tokenizers::Encoding& e : batch.encodings) out.push_back({std::move(e)});
  return out;
}

// Every window of each sequence, overlapping by `stride` tokens.
Windows strided_windows(const PreTrainedTokenizerFast& tokenizer, const std::vector<Sequence>& sequences, size_t stride) {
  const auto limit = tokenizer.model_max_length();
  if (!limit || stride >= *limit)
    throw InvalidArgument("token-classification: `stride` must be less than `tokenizer.model_max_length`");
  tokenizers::Tokenizer backend = tokenizer.backend();
  tokenizers::TruncationParams truncation;
  truncation.max_length = *limit;
  truncation.stride = stride;
  backend.set_truncation(truncation);
  backend.set_padding(std::nullopt);
  Windows out;
  for (const Sequence& sequence : sequences) {
    tokenizers::Encoding first = sequence.words ? backend.encode_words(*sequence.words) : backend.encode(sequence.text);
    std::vector<tokenizers::Encoding> chunks{first};
    chunks.front().overflowing.clear();
    for (tokenizers::Encoding& overflow : first.overflowing) chunks.push_back(std::move(overflow));
    out.push_back(std::move(chunks));
  }
  return out;
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

Windows windows(const PreTrainedTokenizerFast& tokenizer, const std::vector<Sequence>& sequences,
                std::optional<size_t> stride) {
  Windows out = stride ? strided_windows(tokenizer, sequences, *stride) : truncated_windows(tokenizer, sequences);
  for (size_t i = 0; i < sequences.size(); ++i)
    if (sequences[i].words)
      for (tokenizers::Encoding& e : out[i]) offsets_in_text(e, sequences[i]);
  return out;
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

nlohmann::json TokenClassificationPipeline::operator()(const nlohmann::json& inputs, const nlohmann::json& kwargs) const {
  const bool has_strategy = kwargs.contains("aggregation_strategy") && !kwargs["aggregation_strategy"].is_null();
  const AggregationStrategy strategy =
      has_strategy ? parse_aggregation_strategy(kwargs["aggregation_strategy"].get<std::string>()) : AggregationStrategy::None;
  const std::vector<std::string> ignore = kwargs.contains("ignore_labels") && !kwargs["ignore_labels"].is_null()
                                              ? kwargs["ignore_labels"].get<std::vector<std::string>>()
                                              : std::vector<std::string>{"O"};
  std::optional<size_t> stride;
  if (kwargs.contains("stride") && !kwargs["stride"].is_null()) {
    stride = pipelines::size_kwarg(kwargs, "stride", 0);
    if (has_strategy && strategy == AggregationStrategy::None)
      throw InvalidArgument("token-classification: `stride` was provided to process all the text but "
                            "aggregation_strategy is \"none\"; please select another one");
  }
  const std::vector<Sequence> sequences = read_sequences(inputs, kwargs);
  const Windows chunks = windows(tokenizer_, sequences, stride);
  std::vector<const tokenizers::Encoding*> encodings;
  std::vector<size_t> owner;
  for (size_t i = 0; i < chunks.size(); ++i)
    for (const tokenizers::Encoding& e : chunks[i]) {
      encodings.push_back(&e);
      owner.push_back(i);
    }

  const EntityBuilder builder(model_->config(), tokenizer_);
  std::vector<std::vector<json>> entities(sequences.size());
  pipelines::run_in_batches(*model_, tokenizer_, encodings, batch_size(kwargs),
                            [&](size_t w, const ModelOutput& output, int64_t row) {
    const std::vector<float> logits = pipelines::unpadded_row(output.logits, row, encodings[w]->size(), tokenizer_);
    const std::string& sentence = sequences[owner[w]].text;
    for (const Entity& e : builder.aggregate(builder.pre_entities(sentence, *encodings[w], logits), strategy))
      if (std::find(ignore.begin(), ignore.end(), e.label) == ignore.end())
        entities[owner[w]].push_back(entity_json(e, strategy));
  });
  json results = json::array();
  for (size_t i = 0; i < sequences.size(); ++i)
    results.push_back(chunks[i].size() > 1 ? merge_overlapping(std::move(entities[i])) : std::move(entities[i]));
  // a lone text gives its entities; word lists always give one list per word list, as Python's
  // __call__ passes a single word list on as a batch of one
  return inputs.is_string() ? results[0] : results;
}

}  // namespace transformers
