#pragma once
// generate(): transformers' GenerationMixin.generate for decoder-only models and encoder-decoders
// (whose encoder runs once, the decoder starting from decoder_start_token_id): greedy search,
// multinomial sampling (seeded), beam search and beam sampling, with the logits processors,
// stopping criteria and streamers of this folder. One call keeps all its state (cache, random
// generator) to itself, so several threads may generate with one model object at once.
#include <cstdint>
#include <optional>
#include <vector>

#include "transformers/generation/generation_config.hpp"
#include "transformers/generation/logits_process.hpp"
#include "transformers/generation/stopping_criteria.hpp"
#include "transformers/generation/streamers.hpp"
#include "transformers/models/modeling_outputs.hpp"
#include "transformers/tokenizers/auto_tokenizer.hpp"

namespace transformers {

// generate()'s arguments besides the prompt and the config.
struct GenerateOptions {
  // [batch, length], 1 = token, 0 = padding (batches are padded on the left). When undefined it is
  // inferred as transformers does: pad tokens are padding if pad_token_id is no eos token.
  Tensor attention_mask;
  const PreTrainedTokenizerFast* tokenizer = nullptr;  // needed for stop_strings
  BaseStreamer* streamer = nullptr;                    // not with beam search
  // Sampling: the same seed gives the same tokens on every run (not torch's numbers); unset, a seed
  // from std::random_device.
  std::optional<uint64_t> seed;
  LogitsProcessorList logits_processor;  // merged with the config's as transformers does
  StoppingCriteriaList stopping_criteria;
};

struct GenerateOutput {
  Tensor sequences;  // [batch * num_return_sequences, length] int64, prompt included
  // With output_scores: per generated token, the processed scores [rows, vocab] (beam search: the
  // processed log-probabilities of every beam, [batch * num_beams, vocab]). With output_logits: the
  // raw logits in the same layout.
  std::vector<Tensor> scores;
  std::vector<Tensor> logits;
  // Beam search only: each returned sequence's score (sum of log-probabilities / length^length_penalty)
  // [batch * num_return_sequences], and the beam each of its tokens came from
  // [batch * num_return_sequences, generated length] (-1 past its end).
  Tensor sequences_scores;
  Tensor beam_indices;
};

// `input_ids` [batch, length] (int64; an empty prompt [batch, 0] starts from bos_token_id, as
// transformers' input_ids=None). An encoder-decoder's input_ids are the encoder's, and `sequences`
// holds the decoder's tokens from decoder_start_token_id on. `config` holds the model's generation config updated with the
// call's arguments (GenerationConfig::from_pretrained(folder).updated(kwargs)); unset fields take
// transformers' global defaults. Errors are transformers' (InvalidArgument with its messages).
GenerateOutput generate(const PreTrainedModel& model, const Tensor& input_ids, const GenerationConfig& config,
                        const GenerateOptions& options = {});

}  // namespace transformers
