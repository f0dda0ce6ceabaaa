#pragma once
// GenerationConfig: the settings of generate(), read from generation_config.json (or, when a model
// folder has none, from the generation fields of its config.json) and updated by a call's keyword
// arguments, with transformers 5's precedence: global defaults < the model's generation config <
// the call's arguments. As in transformers 5 every field starts unset; prepared_for() fills the
// unset ones with transformers' global defaults when a call starts.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "transformers/config/pretrained_config.hpp"

namespace transformers {

// Beam search's stopping rule, transformers' early_stopping: False (stop when the best running beam
// cannot beat the worst finished one at the current length), True (stop when num_beams hypotheses
// are finished), "never" (the canonical bound).
enum class EarlyStopping { False, True, Never };

// One entry of sequence_bias: the bias added to the last token of `tokens` when the others precede it.
struct SequenceBias {
  std::vector<int64_t> tokens;
  double bias = 0.0;
};

struct GenerationConfig {
  // Length of the output.
  std::optional<int64_t> max_length;  // prompt included
  std::optional<int64_t> max_new_tokens;
  std::optional<int64_t> min_length;  // prompt included
  std::optional<int64_t> min_new_tokens;
  std::optional<EarlyStopping> early_stopping;
  std::optional<double> max_time;                        // seconds; the step under way finishes
  std::optional<std::vector<std::string>> stop_strings;  // needs a tokenizer
  // Strategy.
  std::optional<bool> do_sample;
  std::optional<int64_t> num_beams;
  std::optional<bool> use_cache;
  // Logits processors and warpers.
  std::optional<double> temperature;
  std::optional<int64_t> top_k;
  std::optional<double> top_p;
  std::optional<double> min_p;
  std::optional<double> typical_p;
  std::optional<double> epsilon_cutoff;
  std::optional<double> eta_cutoff;
  std::optional<double> repetition_penalty;
  std::optional<double> length_penalty;
  std::optional<int64_t> no_repeat_ngram_size;
  std::optional<std::vector<std::vector<int64_t>>> bad_words_ids;
  std::optional<std::vector<SequenceBias>> sequence_bias;
  std::optional<bool> renormalize_logits;
  std::optional<int64_t> forced_bos_token_id;
  std::optional<std::vector<int64_t>> forced_eos_token_id;  // an int or a list in JSON
  std::optional<bool> remove_invalid_values;
  std::optional<std::pair<int64_t, double>> exponential_decay_length_penalty;  // (start_index, decay_factor)
  std::optional<std::vector<int64_t>> suppress_tokens;
  std::optional<std::vector<int64_t>> begin_suppress_tokens;
  // What generate returns.
  std::optional<int64_t> num_return_sequences;
  std::optional<bool> output_scores;
  std::optional<bool> output_logits;
  std::optional<bool> return_dict_in_generate;
  // Special tokens.
  std::optional<int64_t> pad_token_id;
  std::optional<int64_t> bos_token_id;
  std::optional<std::vector<int64_t>> eos_token_id;  // an int or a list in JSON
  std::optional<int64_t> decoder_start_token_id;     // encoder-decoders: the decoder's first token
  // Every other field, as read (transformers keeps unknown fields as attributes too). generate()
  // refuses the known ones that would change its result but are not implemented here
  // (guidance_scale, watermarking_config, constraints, top_h, ...).
  nlohmann::json other = nlohmann::json::object();

  // A model folder's generation_config.json (a .gguf file: from_model_config of its metadata);
  // without one, from_model_config(config.json) as
  // transformers does; without either, an empty config (the global defaults). A field of the wrong
  // type throws FileError naming the file and the field.
  static GenerationConfig from_pretrained(const std::string& folder);
  // The generation fields of a model's config.json (bos/eos/pad token ids, and legacy ones such as
  // max_length or num_beams), then those of its text_config / decoder / generator section.
  static GenerationConfig from_model_config(const PretrainedConfig& config);
  // From JSON as generation_config.json holds it; `source` names it in errors (FileError).
  static GenerationConfig from_json(const nlohmann::json& json, const std::string& source = "generation config");

  // generate()'s keyword arguments, e.g. {"max_new_tokens": 32, "do_sample": false}: each replaces
  // the field it names (null unsets it). A key that is no generation field throws InvalidArgument
  // as transformers' generate does ("The following `model_kwargs` are not used by the model").
  void update(const nlohmann::json& kwargs);
  GenerationConfig updated(const nlohmann::json& kwargs) const;

  nlohmann::json to_json() const;  // the fields that are set, as generation_config.json writes them

  // transformers' GenerationConfig.validate: the errors it raises (InvalidArgument, same text).
  void validate() const;

  // What generate() runs with for a prompt of `input_length` tokens (transformers' generate steps
  // _prepare_generation_config, _prepare_special_tokens, _prepare_generated_length and
  // _validate_generated_length): unset fields take the global defaults; pad_token_id defaults to
  // the first eos token; max_length becomes max_new_tokens + input_length (or, when neither is set,
  // 20 + input_length, at most `max_position_embeddings` when that is positive); min_length becomes
  // min_new_tokens + input_length when min_new_tokens is set. Throws InvalidArgument when the
  // prompt is not shorter than max_length.
  GenerationConfig prepared_for(int64_t input_length, int64_t max_position_embeddings = 0) const;

  // Convenience for prepared configs (which have these set).
  bool sampling() const { return do_sample.value_or(false); }
  int64_t beams() const { return num_beams.value_or(1); }
};

}  // namespace transformers
