// generate(): transformers' GenerationMixin.generate up to the decoding loop: the prompt and its
// attention mask, the prepared config, rows expanded for beams or returned sequences, the
// processors and criteria, then greedy/sample or beam search.
#include "transformers/generation/generate.hpp"

#include <algorithm>
#include <random>

#include "decoding.hpp"
#include "transformers/core/logging.hpp"

namespace transformers {
namespace {

using generation_detail::Sequences;

Sequences rows_of(const Tensor& tensor, int64_t batch, int64_t length) {
  const std::vector<int64_t> flat = tensor.to_vector<int64_t>();
  Sequences rows;
  for (int64_t b = 0; b < batch; ++b) rows.emplace_back(flat.begin() + b * length, flat.begin() + (b + 1) * length);
  return rows;
}

bool contains(const std::optional<std::vector<int64_t>>& list, int64_t value) {
  return list && std::find(list->begin(), list->end(), value) != list->end();
}

// transformers' _prepare_attention_mask_for_generation: pad tokens are padding when pad_token_id
// is set, appears in the prompt and is no eos token; otherwise every token counts.
Sequences attention_mask(const Sequences& prompt, const Tensor& given, const GenerationConfig& config) {
  const int64_t batch = static_cast<int64_t>(prompt.size()), length = static_cast<int64_t>(prompt[0].size());
  if (given.defined()) {
    if (given.shape() != Shape{batch, length})
      throw InvalidArgument("generate: attention_mask " + given.describe() + " must have the shape of input_ids [" +
                            std::to_string(batch) + ", " + std::to_string(length) + "]");
    return rows_of(given, batch, length);
  }
  const std::optional<int64_t> pad = config.pad_token_id;
  bool pad_in_prompt = false;
  for (const auto& row : prompt) pad_in_prompt = pad_in_prompt || (pad && contains(row, *pad));
  const bool infer = pad_in_prompt && !contains(config.eos_token_id, *pad);
  Sequences mask;
  for (const auto& row : prompt) {
    mask.emplace_back();
    for (int64_t token : row) mask.back().push_back(infer && token == *pad ? 0 : 1);
  }
  return mask;
}

void warn_if_right_padded(const Sequences& prompt, const Sequences& mask, const Tensor& given,
                          const GenerationConfig& config) {
  if (!config.pad_token_id || prompt.size() < 2 || prompt[0].empty()) return;
  bool right_padded = false;
  for (size_t r = 0; r < prompt.size(); ++r)
    right_padded = right_padded || (given.defined() ? mask[r].back() == 0 : prompt[r].back() == *config.pad_token_id);
  if (right_padded)
    warn_once(
        "A decoder-only architecture is being used, but right-padding was detected! For correct generation results, "
        "please set `padding_side='left'` when initializing the tokenizer.");
}

// Left padding per row, which the repetition penalty skips; empty when no row is padded (transformers
// drops an all-ones mask before it builds the processors).
std::vector<int64_t> padding_lengths(const Sequences& mask) {
  std::vector<int64_t> lengths;
  bool any = false;
  for (const auto& row : mask) {
    const auto first = std::find_if(row.begin(), row.end(), [](int64_t m) { return m != 0; });
    lengths.push_back(first == row.end() ? 0 : first - row.begin());
    any = any || std::find(row.begin(), row.end(), 0) != row.end();
  }
  return any ? lengths : std::vector<int64_t>{};
}

template <typename T>
std::vector<T> repeat_interleave(const std::vector<T>& rows, int64_t times) {
  std::vector<T> out;
  for (const T& row : rows)
    for (int64_t i = 0; i < times; ++i) out.push_back(row);
  return out;
}

// An empty prompt stands for transformers' input_ids=None: one bos token per row.
Sequences prompt_rows(const Tensor& input_ids, const GenerationConfig& config) {
  if (input_ids.dim() != 2 || !(input_ids.dtype() == DType::I64 || input_ids.dtype() == DType::I32))
    throw InvalidArgument("generate: input_ids must be [batch, length] integers, not " + input_ids.describe());
  const int64_t batch = input_ids.size(0), length = input_ids.size(1);
  if (batch == 0) throw InvalidArgument("generate: input_ids has no rows");
  if (length > 0) return rows_of(input_ids, batch, length);
  if (!config.bos_token_id) throw InvalidArgument("`bos_token_id` has to be defined when no `input_ids` are provided.");
  return Sequences(static_cast<size_t>(batch), std::vector<int64_t>{*config.bos_token_id});
}

void check_streamer(const GenerationConfig& prepared, const GenerateOptions& options) {
  if (prepared.beams() > 1 && options.streamer)
    throw InvalidArgument("`streamer` cannot be used with beam search (yet!). Make sure that `num_beams` is set to 1.");
}

// The decoding loop over `stepper` from `prompt` (rows already expanded; `input_length` the columns
// the processors count as prompt, `padding` its left padding per row), with the processors and
// criteria transformers builds.
GenerateOutput run_decoding(generation_detail::ModelStepper& stepper, Sequences prompt, int64_t input_length,
                            const std::vector<int64_t>& padding, const GenerationConfig& prepared,
                            int64_t max_position_embeddings, const GenerateOptions& options) {
  if (options.streamer) options.streamer->put(generation_detail::as_tensor(prompt));
  const LogitsProcessorList processors = make_logits_processors(prepared, input_length, padding, options.logits_processor);
  const StoppingCriteriaList criteria =
      make_stopping_criteria(prepared, options.tokenizer, max_position_embeddings, options.stopping_criteria);
  const uint64_t seed =
      options.seed ? *options.seed : (uint64_t{std::random_device{}()} << 32) ^ std::random_device{}();
  const generation_detail::Decoding decoding{prepared, processors, criteria, options.streamer, seed};
  return prepared.beams() > 1 ? generation_detail::beam_search(stepper, prompt, decoding)
                              : generation_detail::greedy_or_sample(stepper, std::move(prompt), decoding);
}

int64_t expansion(const GenerationConfig& prepared) {
  return std::max(prepared.beams(), prepared.num_return_sequences.value_or(1));
}

// transformers' generate for an encoder-decoder: the encoder over input_ids, then the decoder from
// decoder_start_token_id (bos_token_id when unset), every length counted on the decoder's side.
GenerateOutput generate_encoder_decoder(const EncoderDecoderModel& model, const Tensor& input_ids,
                                        const GenerationConfig& config, const GenerateOptions& options) {
  if (input_ids.dim() != 2 || input_ids.size(1) == 0 || input_ids.size(0) == 0 ||
      !(input_ids.dtype() == DType::I64 || input_ids.dtype() == DType::I32))
    throw InvalidArgument("generate: an encoder-decoder's input_ids must be [batch, length > 0] integers, not " +
                          input_ids.describe());
  const Sequences prompt = rows_of(input_ids, input_ids.size(0), input_ids.size(1));
  const std::optional<int64_t> start = config.decoder_start_token_id ? config.decoder_start_token_id : config.bos_token_id;
  if (!start)
    throw InvalidArgument("`decoder_start_token_id` or `bos_token_id` has to be defined for encoder-decoder generation.");
  const int64_t max_position_embeddings = model.config().max_position_embeddings;
  const GenerationConfig prepared = config.prepared_for(1, max_position_embeddings);
  check_streamer(prepared, options);
  const Sequences mask = attention_mask(prompt, options.attention_mask, prepared);
  const int64_t expand = expansion(prepared);
  generation_detail::EncoderDecoderStepper stepper(model, prompt, mask, expand, prepared.use_cache.value_or(true),
                                                   *prepared.max_length);
  const Sequences decoder_prompt(prompt.size() * static_cast<size_t>(expand), std::vector<int64_t>{*start});
  return run_decoding(stepper, decoder_prompt, 1, {}, prepared, max_position_embeddings, options);
}

}  // namespace

GenerateOutput generate(const PreTrainedModel& model, const Tensor& input_ids, const GenerationConfig& config,
                        const GenerateOptions& options) {
  if (const auto* encoder_decoder = dynamic_cast<const EncoderDecoderModel*>(&model))
    return generate_encoder_decoder(*encoder_decoder, input_ids, config, options);
  return generation_detail::generate_stepped(
      model, input_ids, config, options,
      [&model](const Sequences& mask, bool use_cache, int64_t capacity) -> std::unique_ptr<generation_detail::ModelStepper> {
        return std::make_unique<generation_detail::DecoderOnlyStepper>(model, mask, use_cache, capacity);
      });
}

GenerateOutput generation_detail::generate_stepped(const PreTrainedModel& model, const Tensor& input_ids,
                                                   const GenerationConfig& config, const GenerateOptions& options,
                                                   const StepperFactory& make_stepper) {
  Sequences prompt = prompt_rows(input_ids, config);
  const int64_t length = static_cast<int64_t>(prompt[0].size());
  const int64_t max_position_embeddings = model.config().max_position_embeddings;
  const GenerationConfig prepared = config.prepared_for(length, max_position_embeddings);
  check_streamer(prepared, options);
  Sequences mask = attention_mask(prompt, input_ids.size(1) > 0 ? options.attention_mask : Tensor(), prepared);
  warn_if_right_padded(prompt, mask, options.attention_mask, prepared);
  const int64_t expand = expansion(prepared);
  prompt = repeat_interleave(prompt, expand);
  mask = repeat_interleave(mask, expand);
  const std::unique_ptr<generation_detail::ModelStepper> stepper =
      make_stepper(mask, prepared.use_cache.value_or(true), *prepared.max_length);
  return run_decoding(*stepper, std::move(prompt), length, padding_lengths(mask), prepared, max_position_embeddings,
                      options);
}

}  // namespace transformers
