// make_logits_processors: transformers' _get_logits_processor, the processors a generation config
// asks for, in transformers' order, with the caller's merged in.
#include <algorithm>
#include <typeinfo>

#include "transformers/generation/logits_process.hpp"

namespace transformers {
namespace {

// transformers' _merge_criteria_processor_list: a custom processor of a built one's class takes
// its place; the others follow.
LogitsProcessorList merge_custom(const LogitsProcessorList& built, const LogitsProcessorList& custom) {
  LogitsProcessorList merged;
  for (const auto& processor : built) {
    std::shared_ptr<const LogitsProcessor> chosen = processor;
    for (const auto& replacement : custom)
      if (typeid(*replacement) == typeid(*processor)) {
        chosen = replacement;
        break;
      }
    merged.push_back(chosen);
  }
  for (const auto& processor : custom)
    if (std::find(merged.begin(), merged.end(), processor) == merged.end()) merged.push_back(processor);
  return merged;
}

// The warpers, applied only when sampling. Beam sampling keeps one token more than there are eos
// tokens, so that a beam can always continue.
void add_warpers(LogitsProcessorList& list, const GenerationConfig& c) {
  const int64_t min_tokens_to_keep =
      c.beams() > 1 ? static_cast<int64_t>(c.eos_token_id ? c.eos_token_id->size() : 1) + 1 : 1;
  if (c.temperature && *c.temperature != 1.0) list.push_back(std::make_shared<TemperatureLogitsWarper>(*c.temperature));
  if (c.top_k && *c.top_k != 0) list.push_back(std::make_shared<TopKLogitsWarper>(*c.top_k, min_tokens_to_keep));
  if (c.top_p && *c.top_p < 1.0) list.push_back(std::make_shared<TopPLogitsWarper>(*c.top_p, min_tokens_to_keep));
  if (c.min_p) list.push_back(std::make_shared<MinPLogitsWarper>(*c.min_p, min_tokens_to_keep));
  if (c.typical_p && *c.typical_p < 1.0)
    list.push_back(std::make_shared<TypicalLogitsWarper>(*c.typical_p, min_tokens_to_keep));
  if (c.epsilon_cutoff && *c.epsilon_cutoff > 0.0 && *c.epsilon_cutoff < 1.0)
    list.push_back(std::make_shared<EpsilonLogitsWarper>(*c.epsilon_cutoff, min_tokens_to_keep));
  if (c.eta_cutoff && *c.eta_cutoff > 0.0 && *c.eta_cutoff < 1.0)
    list.push_back(std::make_shared<EtaLogitsWarper>(*c.eta_cutoff, min_tokens_to_keep));
}

}  // namespace

Tensor apply_logits_processors(const LogitsProcessorList& processors, const Tensor& input_ids, const Tensor& scores) {
  Tensor out = scores;
  for (const auto& processor : processors) out = (*processor)(input_ids, out);
  return out;
}

LogitsProcessorList make_logits_processors(const GenerationConfig& c, int64_t input_length,
                                           const std::vector<int64_t>& padding_lengths,
                                           const LogitsProcessorList& custom) {
  LogitsProcessorList list;
  const std::vector<int64_t> eos = c.eos_token_id.value_or(std::vector<int64_t>{});
  if (c.sequence_bias) list.push_back(std::make_shared<SequenceBiasLogitsProcessor>(*c.sequence_bias));
  if (c.repetition_penalty && *c.repetition_penalty != 1.0)
    list.push_back(std::make_shared<RepetitionPenaltyLogitsProcessor>(*c.repetition_penalty, padding_lengths));
  if (c.no_repeat_ngram_size && *c.no_repeat_ngram_size > 0)
    list.push_back(std::make_shared<NoRepeatNGramLogitsProcessor>(*c.no_repeat_ngram_size));
  if (c.bad_words_ids) list.push_back(std::make_shared<NoBadWordsLogitsProcessor>(*c.bad_words_ids, eos));
  if (c.min_length && c.eos_token_id && *c.min_length > 0)
    list.push_back(std::make_shared<MinLengthLogitsProcessor>(*c.min_length, eos));
  if (c.min_new_tokens && c.eos_token_id && *c.min_new_tokens > 0)
    list.push_back(std::make_shared<MinNewTokensLengthLogitsProcessor>(input_length, *c.min_new_tokens, eos));
  if (c.forced_bos_token_id) list.push_back(std::make_shared<ForcedBOSTokenLogitsProcessor>(*c.forced_bos_token_id));
  if (c.forced_eos_token_id)
    list.push_back(std::make_shared<ForcedEOSTokenLogitsProcessor>(c.max_length.value_or(20), *c.forced_eos_token_id));
  if (c.remove_invalid_values.value_or(false)) list.push_back(std::make_shared<InfNanRemoveLogitsProcessor>());
  if (c.exponential_decay_length_penalty)
    list.push_back(
        std::make_shared<ExponentialDecayLengthPenalty>(*c.exponential_decay_length_penalty, eos, input_length));
  if (c.suppress_tokens) list.push_back(std::make_shared<SuppressTokensLogitsProcessor>(*c.suppress_tokens));
  if (c.begin_suppress_tokens) {
    // With a one-token prompt and a forced BOS, "the beginning" is after the BOS.
    const int64_t begin_index = input_length > 1 || !c.forced_bos_token_id ? input_length : input_length + 1;
    list.push_back(std::make_shared<SuppressTokensAtBeginLogitsProcessor>(*c.begin_suppress_tokens, begin_index));
  }
  list = merge_custom(list, custom);
  if (c.sampling()) add_warpers(list, c);
  if (c.renormalize_logits.value_or(false)) list.push_back(std::make_shared<LogitNormalization>());
  return list;
}

}  // namespace transformers
