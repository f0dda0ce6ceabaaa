// GenerationConfig::validate and prepared_for: transformers' checks of a generation config, its
// global defaults, and the lengths and special tokens one generate() call runs with.
#include <algorithm>
#include <set>

#include "python_repr.hpp"
#include "transformers/core/logging.hpp"
#include "transformers/generation/generation_config.hpp"

namespace transformers {
namespace {

using generation_detail::python_list;
using nlohmann::json;

// transformers' _get_default_generation_params, for the fields this library reads.
void fill_global_defaults(GenerationConfig& c) {
  if (!c.max_length) c.max_length = 20;
  if (!c.min_length) c.min_length = 0;
  if (!c.do_sample) c.do_sample = false;
  if (!c.use_cache) c.use_cache = true;
  if (!c.early_stopping) c.early_stopping = EarlyStopping::False;
  if (!c.num_beams) c.num_beams = 1;
  if (!c.temperature) c.temperature = 1.0;
  if (!c.top_k) c.top_k = 50;
  if (!c.top_p) c.top_p = 1.0;
  if (!c.typical_p) c.typical_p = 1.0;
  if (!c.repetition_penalty) c.repetition_penalty = 1.0;
  if (!c.length_penalty) c.length_penalty = 1.0;
  if (!c.no_repeat_ngram_size) c.no_repeat_ngram_size = 0;
  if (!c.num_return_sequences) c.num_return_sequences = 1;
  if (!c.output_scores) c.output_scores = false;
  if (!c.return_dict_in_generate) c.return_dict_in_generate = false;
  if (!c.remove_invalid_values) c.remove_invalid_values = false;
  if (!c.epsilon_cutoff) c.epsilon_cutoff = 0.0;
  if (!c.eta_cutoff) c.eta_cutoff = 0.0;
}

bool is_true(const json& value) { return value.is_boolean() && value.get<bool>(); }
bool is_number_other_than(const json& value, double neutral) {
  return value.is_number() && value.get<double>() != neutral;
}
bool is_number_above(const json& value, double bound) { return value.is_number() && value.get<double>() > bound; }

// Fields transformers acts on that this library does not implement: refused rather than ignored,
// since ignoring them would change the result silently.
void refuse_unimplemented(const json& other) {
  struct Unimplemented {
    const char* field;
    bool (*is_active)(const json&);
    const char* what;
  };
  static const Unimplemented table[] = {
      {"guidance_scale", [](const json& v) { return is_number_other_than(v, 1.0); }, "classifier-free guidance"},
      {"watermarking_config", [](const json& v) { return !v.is_null(); }, "watermarking"},
      {"constraints", [](const json& v) { return !v.is_null(); }, "constrained beam search"},
      {"force_words_ids", [](const json& v) { return !v.is_null(); }, "constrained beam search"},
      {"top_h", [](const json& v) { return !v.is_null(); }, "top-H sampling"},
      {"encoder_repetition_penalty", [](const json& v) { return is_number_other_than(v, 1.0); },
       "the encoder repetition penalty"},
      {"encoder_no_repeat_ngram_size", [](const json& v) { return is_number_above(v, 0.0); },
       "encoder n-gram blocking"},
      {"token_healing", is_true, "token healing"},
      {"penalty_alpha", [](const json& v) { return is_number_above(v, 0.0); }, "contrastive search"},
      {"dola_layers", [](const json& v) { return !v.is_null(); }, "DoLa decoding"},
      {"num_beam_groups", [](const json& v) { return is_number_above(v, 1.0); }, "group beam search"},
      {"output_attentions", is_true, "returning attentions"},
      {"output_hidden_states", is_true, "returning hidden states"},
      {"prompt_lookup_num_tokens", [](const json& v) { return !v.is_null(); }, "prompt lookup decoding"},
      {"assistant_early_exit", [](const json& v) { return !v.is_null(); }, "assisted decoding"},
      {"use_mtp", is_true, "multi-token prediction"},
      {"low_memory", is_true, "sequential beam search"},
      {"cache_implementation", [](const json& v) { return v == "paged"; }, "continuous batching"},
  };
  for (const Unimplemented& entry : table) {
    const auto it = other.find(entry.field);
    if (it != other.end() && entry.is_active(*it))
      throw InvalidArgument(std::string("generate(): `") + entry.field + "` = " + it->dump() + " asks for " +
                            entry.what + ", which transformers.cpp does not implement");
  }
}

std::string python_tuple(const std::vector<std::string>& names) {
  std::string out = "(";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? ", '" : "'") + names[i] + "'";
  return out + ")";
}

void check_cache_implementation(const json& other) {
  const auto it = other.find("cache_implementation");
  if (it == other.end() || it->is_null()) return;
  static const std::vector<std::string> valid = {"static",
                                                 "offloaded_static",
                                                 "sliding_window",
                                                 "hybrid",
                                                 "hybrid_chunked",
                                                 "offloaded_hybrid",
                                                 "offloaded_hybrid_chunked",
                                                 "dynamic",
                                                 "offloaded",
                                                 "quantized",
                                                 "paged"};
  const std::string name = it->is_string() ? it->get<std::string>() : it->dump();
  if (std::find(valid.begin(), valid.end(), name) == valid.end())
    throw InvalidArgument("Invalid `cache_implementation` (" + name + "). Choose one of: " + python_tuple(valid));
}

void check_forced_not_suppressed(const GenerationConfig& c) {
  if (!c.suppress_tokens) return;
  const std::set<int64_t> suppressed(c.suppress_tokens->begin(), c.suppress_tokens->end());
  const auto check = [&](const char* name, std::vector<int64_t> forced) {
    std::sort(forced.begin(), forced.end());
    forced.erase(std::unique(forced.begin(), forced.end()), forced.end());
    if (forced.empty() || !std::includes(suppressed.begin(), suppressed.end(), forced.begin(), forced.end())) return;
    throw InvalidArgument(std::string("Every token in `") + name + "` (" + python_list(forced) +
                          ") is also in `suppress_tokens`. Forcing a token while suppressing it sets all logits to "
                          "`-inf` at the forcing step, which produces `nan` probabilities and crashes generation. "
                          "Remove the overlapping token(s) from either `" +
                          name +
                          "` or `suppress_tokens` (if you meant to prevent an early EOS token, use "
                          "`min_new_tokens` instead).");
  };
  if (c.forced_bos_token_id) check("forced_bos_token_id", {*c.forced_bos_token_id});
  if (c.forced_eos_token_id) check("forced_eos_token_id", *c.forced_eos_token_id);
}

}  // namespace

void GenerationConfig::validate() const {
  if (max_new_tokens && *max_new_tokens <= 0)
    throw InvalidArgument("`max_new_tokens` must be greater than 0, but is " + std::to_string(*max_new_tokens) + ".");
  check_cache_implementation(other);
  if (num_return_sequences && *num_return_sequences > 1) {
    if (!num_beams || *num_beams == 1) {
      if (!do_sample.value_or(false))
        throw InvalidArgument(
            "Greedy methods (do_sample != True) without beam search do not support `num_return_sequences` different "
            "than 1 (got " +
            std::to_string(*num_return_sequences) + ").");
    } else if (*num_return_sequences > *num_beams) {
      throw InvalidArgument("`num_return_sequences` (" + std::to_string(*num_return_sequences) +
                            ") has to be smaller or equal to `num_beams` (" + std::to_string(*num_beams) + ").");
    }
  }
  check_forced_not_suppressed(*this);
  for (const char* argument : {"logits_processor", "stopping_criteria", "prefix_allowed_tokens_fn", "synced_gpus",
                               "assistant_model", "streamer", "negative_prompt_ids", "negative_prompt_attention_mask"})
    if (other.contains(argument))
      throw InvalidArgument(std::string("Argument `") + argument +
                            "` is not a valid argument of `GenerationConfig`. It should be passed to `generate()` (or "
                            "a pipeline) directly.");
}

GenerationConfig GenerationConfig::prepared_for(int64_t input_length, int64_t max_position_embeddings) const {
  GenerationConfig c = *this;
  const bool default_max_length = !c.max_length;
  const bool default_min_length = !c.min_length;
  fill_global_defaults(c);
  c.validate();
  refuse_unimplemented(c.other);
  // transformers fails with a division by zero or a negative size here; a message is kinder.
  if (*c.num_beams < 1)
    throw InvalidArgument("`num_beams` has to be a strictly positive integer, but is " + std::to_string(*c.num_beams));
  if (c.eos_token_id && c.eos_token_id->empty()) c.eos_token_id.reset();
  if (!c.pad_token_id && c.eos_token_id) c.pad_token_id = c.eos_token_id->front();

  if (c.max_new_tokens) {
    if (!default_max_length)
      warn_once("Both `max_new_tokens` (=" + std::to_string(*c.max_new_tokens) + ") and `max_length`(=" +
                std::to_string(*max_length) + ") seem to have been set. `max_new_tokens` will take precedence.");
    c.max_length = *c.max_new_tokens + input_length;
  } else if (default_max_length) {
    c.max_length = *c.max_length + input_length;
    if (max_position_embeddings > 0) c.max_length = std::min(*c.max_length, max_position_embeddings);
  }
  if (c.min_new_tokens) {
    if (!default_min_length)
      warn_once("Both `min_new_tokens` (=" + std::to_string(*c.min_new_tokens) + ") and `min_length`(=" +
                std::to_string(*min_length) + ") seem to have been set. `min_new_tokens` will take precedence.");
    c.min_length = *c.min_new_tokens + input_length;
  }
  if (input_length >= *c.max_length)
    throw InvalidArgument("Input length of input_ids is " + std::to_string(input_length) +
                          ", but `max_length` is set to " + std::to_string(*c.max_length) +
                          ". This can lead to unexpected behavior. You should consider increasing `max_length` or, "
                          "better yet, setting `max_new_tokens`.");
  return c;
}

}  // namespace transformers
