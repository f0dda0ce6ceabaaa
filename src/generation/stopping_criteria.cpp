// The stopping criteria other than stop strings, and make_stopping_criteria (transformers'
// _get_stopping_criteria).
#include "transformers/generation/stopping_criteria.hpp"

#include <algorithm>
#include <typeinfo>

#include "score_rows.hpp"
#include "transformers/core/logging.hpp"

namespace transformers {

std::vector<bool> apply_stopping_criteria(const StoppingCriteriaList& criteria, const Tensor& input_ids) {
  std::vector<bool> done(static_cast<size_t>(input_ids.size(0)), false);
  for (const auto& criterion : criteria) {
    const std::vector<bool> flags = (*criterion)(input_ids);
    for (size_t r = 0; r < done.size(); ++r) done[r] = done[r] || flags[r];
  }
  return done;
}

std::vector<bool> MaxLengthCriteria::operator()(const Tensor& input_ids) const {
  const int64_t length = input_ids.size(-1);
  const bool done = length >= max_length_;
  if (max_position_embeddings_ > 0 && !done && length > max_position_embeddings_)
    warn_once(
        "This is a friendly reminder - the current text generation call has exceeded the model's predefined maximum "
        "length (" +
        std::to_string(max_position_embeddings_) +
        "). Depending on the model, you may observe exceptions, performance degradation, or nothing at all.");
  return std::vector<bool>(static_cast<size_t>(input_ids.size(0)), done);
}

std::vector<bool> MaxTimeCriteria::operator()(const Tensor& input_ids) const {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  return std::vector<bool>(static_cast<size_t>(input_ids.size(0)), elapsed.count() > max_time_);
}

std::vector<bool> EosTokenCriteria::operator()(const Tensor& input_ids) const {
  const generation_detail::IdRows ids(input_ids);
  std::vector<bool> done(static_cast<size_t>(ids.rows), false);
  if (ids.length == 0) return done;
  for (int64_t r = 0; r < ids.rows; ++r) {
    const int64_t last = ids.row(r)[ids.length - 1];
    done[static_cast<size_t>(r)] = std::find(eos_token_id_.begin(), eos_token_id_.end(), last) != eos_token_id_.end();
  }
  return done;
}

StoppingCriteriaList make_stopping_criteria(const GenerationConfig& c, const PreTrainedTokenizerFast* tokenizer,
                                            int64_t max_position_embeddings, const StoppingCriteriaList& custom) {
  StoppingCriteriaList built;
  if (c.max_length) built.push_back(std::make_shared<MaxLengthCriteria>(*c.max_length, max_position_embeddings));
  if (c.max_time) built.push_back(std::make_shared<MaxTimeCriteria>(*c.max_time));
  if (c.stop_strings) {
    if (tokenizer == nullptr)
      throw InvalidArgument(
          "There are one or more stop strings, either in the arguments to `generate` or in the model's generation "
          "config, but we could not locate a tokenizer. When generating with stop strings, you must pass the model's "
          "tokenizer to the `tokenizer` argument of `generate`.");
    built.push_back(std::make_shared<StopStringCriteria>(*tokenizer, *c.stop_strings));
  }
  if (c.eos_token_id) built.push_back(std::make_shared<EosTokenCriteria>(*c.eos_token_id));
  // A custom criterion of a built one's class takes its place; the others follow.
  StoppingCriteriaList merged;
  for (const auto& criterion : built) {
    auto same_class = std::find_if(custom.begin(), custom.end(),
                                   [&](const auto& candidate) { return typeid(*candidate) == typeid(*criterion); });
    merged.push_back(same_class != custom.end() ? *same_class : criterion);
  }
  for (const auto& criterion : custom)
    if (std::find(merged.begin(), merged.end(), criterion) == merged.end()) merged.push_back(criterion);
  return merged;
}

}  // namespace transformers
