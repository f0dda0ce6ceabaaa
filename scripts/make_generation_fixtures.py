#!/usr/bin/env python3
"""Golden fixtures for transformers.cpp's generate(), computed with transformers' own classes.

Developers only (never run in CI; the C++ build and the tests never need Python):

    . .venv-fixtures/bin/activate          # pins in scripts/fixtures-requirements.txt
    python scripts/make_generation_fixtures.py

What it writes (the folder is rebuilt from scratch every run), all JSON, floats as Python writes
them (float32 values exactly; non-finite ones as the strings "inf", "-inf", "nan"):

  tests/fixtures/generation/
    README.md            formats and versions
    processors.json      each LogitsProcessor / warper class called directly on seeded random scores
                         and input ids, under varied settings; and the errors their constructors raise
    config.json          GenerationConfig resolution: a model's generation config (generation_config.json
                         or, without one, config.json) + generate kwargs + prompt length -> the values
                         generate runs with, the processor and stopping-criteria classes it builds, or the
                         error (class and message) it raises
    streamer.json        TextStreamer chunks (on_finalized_text calls) for tricky texts on fixture tokenizers
    stop_strings.json    StopStringCriteria on every prefix of encoded texts, on fixture tokenizers
    generate.json        model.generate on FakeCausalLM (below): greedy and beam search sequences, scores,
                         sequences_scores, beam_indices

FakeCausalLM is a decoder whose logits are a fixed function of the tokens it has seen, read back
from its KV cache (key = [token id, position id]), and of the attention mask, so that generate's
cache, position ids, masks and beam reordering all show in the tokens. tests/generation/fake_model.hpp
is the same model in C++. Its logits are sums of small dyadic fractions, exact in float32 on both
sides:
    logits[q, v] = (sum over seen tokens s with mask 1 and 0 <= q - s <= 6 of hash(tok_s, pos_s, v) * 2^-(q-s)
                    + v * 2^-14) / 16
where q and s are cache indices and hash is the integer hash token_hash() below (values 0..63).

Determinism: CPU, float32, one thread, deterministic algorithms, seeds derived from names (crc32);
JSON written with sorted keys, so two runs give identical bytes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "generation"
TOKENIZERS = REPO / "tests" / "fixtures" / "tokenizers"

sys.path.insert(0, str(REPO / "scripts"))
from make_fixtures import check_versions, seed_for, setup_torch  # noqa: E402

import transformers  # noqa: E402
from transformers import AutoTokenizer, GenerationConfig, GenerationMixin, PretrainedConfig, PreTrainedModel  # noqa: E402
from transformers.generation import logits_process as lp  # noqa: E402
from transformers.generation.stopping_criteria import StopStringCriteria, StoppingCriteriaList  # noqa: E402
from transformers.generation.streamers import TextStreamer  # noqa: E402
from transformers.modeling_outputs import CausalLMOutputWithPast  # noqa: E402


# ----------------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------------

def floats(t: torch.Tensor):
    """A float tensor as nested lists; non-finite values as strings (JSON has no inf)."""
    def one(x: float):
        if x != x:
            return "nan"
        if x in (float("inf"), float("-inf")):
            return "inf" if x > 0 else "-inf"
        return x
    values = t.detach().to(torch.float32).tolist()
    if t.dim() == 0:
        return one(values)
    def walk(v):
        return [walk(x) for x in v] if isinstance(v, list) else one(v)
    return walk(values)


def ints(t: torch.Tensor):
    return t.detach().to(torch.int64).tolist()


def error_record(e: Exception) -> dict:
    return {"error": {"class": type(e).__name__, "message": str(e)}}


def write_json(path: Path, data) -> None:
    """Sorted keys; a list (or a dict's lists) with one compact item per line."""
    def compact(x) -> str:
        return json.dumps(x, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))

    def block(items: list, indent: str) -> str:
        return "[\n" + ",\n".join(indent + compact(item) for item in items) + "\n" + indent[:-1] + "]"

    if isinstance(data, list):
        text = block(data, " ")
    else:
        parts = [f" {json.dumps(k)}: " + (block(v, "  ") if isinstance(v, list) else compact(v))
                 for k, v in sorted(data.items())]
        text = "{\n" + ",\n".join(parts) + "\n}"
    path.write_text(text + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# the fake decoder
# ----------------------------------------------------------------------------------------------

MASK32 = 0xFFFFFFFF
WINDOW = 6


def token_hash(tok: int, pos: int, v: torch.Tensor) -> torch.Tensor:
    x = (tok * 7919 + pos * 104729 + v * 15485863) & MASK32
    x = ((x ^ (x >> 13)) * 40503) & MASK32
    x = x ^ (x >> 16)
    return x % 64


class FakeConfig(PretrainedConfig):
    model_type = "fake-decoder"

    def __init__(self, vocab_size=32, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = vocab_size
        self.num_hidden_layers = 1
        self.num_attention_heads = 1
        self.num_key_value_heads = 1
        self.hidden_size = 2
        self.head_dim = 2


class FakeCausalLM(PreTrainedModel, GenerationMixin):
    config_class = FakeConfig

    def __init__(self, config):
        super().__init__(config)
        self.dummy = torch.nn.Parameter(torch.zeros(1))
        self.post_init()

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None, use_cache=None,
                logits_to_keep=0, **kwargs):
        batch, n = input_ids.shape
        keys = torch.stack([input_ids, position_ids], dim=-1).to(torch.float32)[:, None]  # [B, 1, n, 2]
        if past_key_values is not None:
            keys, _ = past_key_values.update(keys, keys, 0)
        total = keys.shape[2]
        past = total - n
        mask = attention_mask if attention_mask is not None else torch.ones(batch, total, dtype=torch.long)
        vocab = torch.arange(self.config.vocab_size, dtype=torch.int64)
        tokens = keys[:, 0, :, 0].to(torch.int64)
        positions = keys[:, 0, :, 1].to(torch.int64)
        out = torch.zeros(batch, n, self.config.vocab_size, dtype=torch.float64)
        for b in range(batch):
            for t in range(n):
                q = past + t
                acc = vocab.to(torch.float64) * 2.0 ** -14
                for s in range(max(0, q - WINDOW), q + 1):
                    if mask[b, s] != 0:
                        acc = acc + token_hash(int(tokens[b, s]), int(positions[b, s]), vocab).to(torch.float64) \
                            * 2.0 ** -(q - s)
                out[b, t] = acc / 16
        logits = out.to(torch.float32)
        if logits_to_keep:
            logits = logits[:, -logits_to_keep:]
        return CausalLMOutputWithPast(logits=logits, past_key_values=past_key_values)


def fake_model(vocab_size: int, generation_config: dict, max_position_embeddings: int | None = None):
    config = FakeConfig(vocab_size=vocab_size)
    if max_position_embeddings is not None:
        config.max_position_embeddings = max_position_embeddings
    model = FakeCausalLM(config)
    model.generation_config = GenerationConfig.from_dict(generation_config)
    return model


# ----------------------------------------------------------------------------------------------
# processors.json
# ----------------------------------------------------------------------------------------------

VOCAB = 24


def processor_inputs() -> dict[str, dict]:
    """Named inputs shared by the cases: scores [2, VOCAB] and input ids [2, L]."""
    seed_for("processors/random")
    scores = torch.randn(2, VOCAB) * 3
    ids = torch.randint(0, 8, (2, 12))  # few distinct ids: repeats and n-grams
    ids[0, -2:] = ids[0, 3:5]           # row 0 ends with a bigram seen before
    with_inf = scores.clone()
    with_inf[0, 1], with_inf[0, 2], with_inf[1, 3] = float("inf"), float("-inf"), float("nan")
    seed_for("processors/flat")
    flat = torch.randn(2, VOCAB) * 0.3  # close to uniform: the filters keep many tokens
    masked = scores.clone()
    masked[:, ::3] = float("-inf")      # what an earlier processor removed
    return {
        "random": {"scores": scores, "input_ids": ids},
        "flat": {"scores": flat, "input_ids": ids},
        "with_inf": {"scores": with_inf, "input_ids": ids},
        "masked": {"scores": masked, "input_ids": ids},
        "one_token": {"scores": scores, "input_ids": ids[:, :1]},
        "log_probs": {"scores": torch.log_softmax(scores, dim=-1), "input_ids": ids},
    }


def processor_cases(inputs: dict) -> list[tuple[str, str, dict, str]]:
    """(name, class, constructor arguments, input name)."""
    ids = inputs["random"]["input_ids"]
    tail2 = ints(ids[0, -2:])
    cases = [
        ("repetition 1.3", "RepetitionPenaltyLogitsProcessor", {"penalty": 1.3}, "random"),
        ("repetition 0.7", "RepetitionPenaltyLogitsProcessor", {"penalty": 0.7}, "random"),
        ("repetition ignore prompt", "RepetitionPenaltyLogitsProcessor",
         {"penalty": 1.5, "prompt_ignore_length": [3, 9]}, "random"),
        ("no repeat 2", "NoRepeatNGramLogitsProcessor", {"ngram_size": 2}, "random"),
        ("no repeat 3", "NoRepeatNGramLogitsProcessor", {"ngram_size": 3}, "random"),
        ("no repeat longer than input", "NoRepeatNGramLogitsProcessor", {"ngram_size": 13}, "random"),
        ("bad words", "NoBadWordsLogitsProcessor",
         {"bad_words_ids": [[5], [tail2[1], 7], [tail2[0], tail2[1], 9], [1, 2, 3, 4]], "eos_token_id": [5]},
         "random"),
        ("bad words no eos", "NoBadWordsLogitsProcessor", {"bad_words_ids": [[5], [6]], "eos_token_id": None}, "random"),
        ("sequence bias", "SequenceBiasLogitsProcessor",
         {"sequence_bias": [[[1], 2.5], [[tail2[1], 4], -1.5], [[3, 3, 3], 4.0], [[1], -0.5]]}, "random"),
        ("min length applies", "MinLengthLogitsProcessor", {"min_length": 15, "eos_token_id": [2, 3]}, "random"),
        ("min length done", "MinLengthLogitsProcessor", {"min_length": 5, "eos_token_id": [2]}, "random"),
        ("min new tokens applies", "MinNewTokensLengthLogitsProcessor",
         {"prompt_length_to_skip": 10, "min_new_tokens": 3, "eos_token_id": [2]}, "random"),
        ("min new tokens done", "MinNewTokensLengthLogitsProcessor",
         {"prompt_length_to_skip": 10, "min_new_tokens": 2, "eos_token_id": [2]}, "random"),
        ("forced bos", "ForcedBOSTokenLogitsProcessor", {"bos_token_id": 4}, "one_token"),
        ("forced bos later", "ForcedBOSTokenLogitsProcessor", {"bos_token_id": 4}, "random"),
        ("forced eos", "ForcedEOSTokenLogitsProcessor", {"max_length": 13, "eos_token_id": [2, 5]}, "random"),
        ("forced eos not yet", "ForcedEOSTokenLogitsProcessor", {"max_length": 20, "eos_token_id": [2]}, "random"),
        ("inf nan remove", "InfNanRemoveLogitsProcessor", {}, "with_inf"),
        ("exponential decay", "ExponentialDecayLengthPenalty",
         {"exponential_decay_length_penalty": [5, 1.5], "eos_token_id": [2, 7], "input_ids_seq_length": 4}, "random"),
        ("exponential decay not yet", "ExponentialDecayLengthPenalty",
         {"exponential_decay_length_penalty": [9, 1.5], "eos_token_id": [2], "input_ids_seq_length": 4}, "random"),
        ("suppress", "SuppressTokensLogitsProcessor", {"suppress_tokens": [1, 3, VOCAB - 1, VOCAB + 5]}, "random"),
        ("suppress at begin", "SuppressTokensAtBeginLogitsProcessor",
         {"begin_suppress_tokens": [2, 4], "begin_index": 12}, "random"),
        ("suppress at begin later", "SuppressTokensAtBeginLogitsProcessor",
         {"begin_suppress_tokens": [2, 4], "begin_index": 10}, "random"),
        ("normalization", "LogitNormalization", {}, "random"),
        ("temperature 0.7", "TemperatureLogitsWarper", {"temperature": 0.7}, "random"),
        ("temperature 1.5", "TemperatureLogitsWarper", {"temperature": 1.5}, "masked"),
        ("top k 5", "TopKLogitsWarper", {"top_k": 5}, "random"),
        ("top k 1", "TopKLogitsWarper", {"top_k": 1}, "random"),
        ("top k beyond vocab", "TopKLogitsWarper", {"top_k": 50}, "random"),
        ("top k min keep", "TopKLogitsWarper", {"top_k": 3, "min_tokens_to_keep": 5}, "random"),
        ("top k masked", "TopKLogitsWarper", {"top_k": 12}, "masked"),
        ("top p 0.9", "TopPLogitsWarper", {"top_p": 0.9}, "random"),
        ("top p 0.5 flat", "TopPLogitsWarper", {"top_p": 0.5}, "flat"),
        ("top p 0", "TopPLogitsWarper", {"top_p": 0.0}, "random"),
        ("top p min keep", "TopPLogitsWarper", {"top_p": 0.3, "min_tokens_to_keep": 3}, "random"),
        ("top p masked", "TopPLogitsWarper", {"top_p": 0.8}, "masked"),
        ("min p 0.1", "MinPLogitsWarper", {"min_p": 0.1}, "random"),
        ("min p 0.5 keep 2", "MinPLogitsWarper", {"min_p": 0.5, "min_tokens_to_keep": 2}, "random"),
        ("min p flat", "MinPLogitsWarper", {"min_p": 0.7}, "flat"),
        ("typical 0.9", "TypicalLogitsWarper", {"mass": 0.9}, "random"),
        ("typical 0.5 keep 2", "TypicalLogitsWarper", {"mass": 0.5, "min_tokens_to_keep": 2}, "flat"),
        ("typical masked", "TypicalLogitsWarper", {"mass": 0.7}, "masked"),
        ("epsilon 0.02", "EpsilonLogitsWarper", {"epsilon": 0.02}, "random"),
        ("epsilon 0.1 keep 3", "EpsilonLogitsWarper", {"epsilon": 0.1, "min_tokens_to_keep": 3}, "random"),
        ("eta 0.1", "EtaLogitsWarper", {"epsilon": 0.1}, "random"),
        ("eta 0.5 flat", "EtaLogitsWarper", {"epsilon": 0.5}, "flat"),
        ("eta masked", "EtaLogitsWarper", {"epsilon": 0.2, "min_tokens_to_keep": 2}, "masked"),
        ("repetition on log probs", "RepetitionPenaltyLogitsProcessor", {"penalty": 2.0}, "log_probs"),
    ]
    errors = [
        ("error temperature 0", "TemperatureLogitsWarper", {"temperature": 0.0}),
        ("error temperature negative", "TemperatureLogitsWarper", {"temperature": -0.5}),
        ("error top k 0", "TopKLogitsWarper", {"top_k": 0}),
        ("error top k negative", "TopKLogitsWarper", {"top_k": -3}),
        ("error top p negative", "TopPLogitsWarper", {"top_p": -0.1}),
        ("error top p above 1", "TopPLogitsWarper", {"top_p": 1.5}),
        ("error top p min keep", "TopPLogitsWarper", {"top_p": 0.5, "min_tokens_to_keep": 0}),
        ("error min p", "MinPLogitsWarper", {"min_p": 1.5}),
        ("error typical 0", "TypicalLogitsWarper", {"mass": 0.0}),
        ("error typical 1", "TypicalLogitsWarper", {"mass": 1.0}),
        ("error epsilon", "EpsilonLogitsWarper", {"epsilon": 1.0}),
        ("error epsilon min keep", "EpsilonLogitsWarper", {"epsilon": 0.5, "min_tokens_to_keep": 0}),
        ("error eta", "EtaLogitsWarper", {"epsilon": 0.0}),
        ("error repetition 0", "RepetitionPenaltyLogitsProcessor", {"penalty": 0.0}),
        ("error no repeat 0", "NoRepeatNGramLogitsProcessor", {"ngram_size": 0}),
        ("error bad words empty", "NoBadWordsLogitsProcessor", {"bad_words_ids": [], "eos_token_id": None}),
        ("error bad words negative", "NoBadWordsLogitsProcessor", {"bad_words_ids": [[1], [-2]], "eos_token_id": None}),
        ("error min length", "MinLengthLogitsProcessor", {"min_length": -1, "eos_token_id": [2]}),
        ("error min new tokens", "MinNewTokensLengthLogitsProcessor",
         {"prompt_length_to_skip": 3, "min_new_tokens": -1, "eos_token_id": [2]}),
        ("error forced eos", "ForcedEOSTokenLogitsProcessor", {"max_length": 10, "eos_token_id": [-1]}),
        ("error sequence bias negative", "SequenceBiasLogitsProcessor", {"sequence_bias": [[[1, -2], 1.0]]}),
    ]
    return cases, errors


def construct(cls: str, args: dict):
    args = dict(args)
    if cls == "RepetitionPenaltyLogitsProcessor" and "prompt_ignore_length" in args:
        args["prompt_ignore_length"] = torch.tensor(args["prompt_ignore_length"])
    if cls == "ExponentialDecayLengthPenalty":
        args["exponential_decay_length_penalty"] = tuple(args["exponential_decay_length_penalty"])
    return getattr(lp, cls)(**args)


def make_processors() -> dict:
    inputs = processor_inputs()
    cases, errors = processor_cases(inputs)
    records = []
    for name, cls, args, input_name in cases:
        given = inputs[input_name]
        processor = construct(cls, args)
        out = processor(given["input_ids"].clone(), given["scores"].clone())
        records.append({"name": name, "class": cls, "args": args, "input": input_name, "expected": floats(out)})
    for name, cls, args in errors:
        try:
            construct(cls, args)(inputs["random"]["input_ids"], inputs["random"]["scores"].clone())
            raise SystemExit(f"processors: {name} did not raise")
        except ValueError as e:
            records.append({"name": name, "class": cls, "args": args, **error_record(e)})
    return {
        "inputs": {k: {"scores": floats(v["scores"]), "input_ids": ints(v["input_ids"])} for k, v in inputs.items()},
        "cases": records,
    }


# ----------------------------------------------------------------------------------------------
# config.json: GenerationConfig resolution as generate() does it
# ----------------------------------------------------------------------------------------------

CONFIG_FIELDS = ["max_length", "min_length", "max_new_tokens", "min_new_tokens", "do_sample", "num_beams",
                 "temperature", "top_k", "top_p", "typical_p", "min_p", "repetition_penalty", "length_penalty",
                 "early_stopping", "num_return_sequences", "no_repeat_ngram_size", "use_cache", "output_scores",
                 "epsilon_cutoff", "eta_cutoff", "max_time", "stop_strings", "forced_bos_token_id",
                 "forced_eos_token_id", "suppress_tokens", "bad_words_ids", "renormalize_logits"]

# (name, generation_config.json contents or None, config.json contents or None, kwargs, prompt length,
#  max_position_embeddings)
SPECIALS = {"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0}
CONFIG_CASES = [
    ("global defaults", {}, None, {}, 4, None),
    ("defaults capped by max_position_embeddings", {}, None, {}, 4, 16),
    ("generation_config.json values", {"do_sample": True, "temperature": 0.6, "top_p": 0.9, **SPECIALS}, None, {}, 5,
     None),
    ("kwargs win", {"do_sample": True, "temperature": 0.6, "top_k": 20, **SPECIALS}, None,
     {"temperature": 1.2, "top_k": 0, "max_new_tokens": 7}, 5, None),
    ("kwargs turn sampling off", {"do_sample": True, "temperature": 0.6, **SPECIALS}, None, {"do_sample": False}, 3,
     None),
    ("max_new_tokens over max_length", {"max_length": 50, **SPECIALS}, None, {"max_new_tokens": 4}, 6, None),
    ("max_length from the model", {"max_length": 12, **SPECIALS}, None, {}, 6, None),
    ("max_length kwarg", {**SPECIALS}, None, {"max_length": 9}, 6, 7),
    ("min_new_tokens", {**SPECIALS}, None, {"min_new_tokens": 3, "min_length": 2, "max_new_tokens": 5}, 4, None),
    ("eos list, pad from eos", {"bos_token_id": 1, "eos_token_id": [7, 2, 9]}, None, {"max_new_tokens": 3}, 2, None),
    ("no special tokens", {}, None, {"max_new_tokens": 3}, 2, None),
    ("no generation_config.json: config.json", None,
     {"model_type": "fake-decoder", "bos_token_id": 1, "eos_token_id": [2, 3], "pad_token_id": 0, "max_length": 9,
      "num_beams": 2, "hidden_size": 2}, {}, 4, None),
    ("config.json text_config", None,
     {"model_type": "fake-decoder", "text_config": {"eos_token_id": 5, "bos_token_id": 4, "temperature": 0.5}},
     {"max_new_tokens": 2}, 3, None),
    ("every processor", {**SPECIALS, "do_sample": True}, None,
     {"repetition_penalty": 1.2, "no_repeat_ngram_size": 2, "bad_words_ids": [[4]], "min_length": 8,
      "min_new_tokens": 2, "forced_bos_token_id": 1, "forced_eos_token_id": 2, "remove_invalid_values": True,
      "exponential_decay_length_penalty": [2, 1.1], "suppress_tokens": [5], "begin_suppress_tokens": [6],
      "sequence_bias": [[[7], 1.0]], "temperature": 0.8, "top_k": 10, "top_p": 0.9, "min_p": 0.05,
      "typical_p": 0.95, "epsilon_cutoff": 0.001, "eta_cutoff": 0.001, "renormalize_logits": True,
      "max_new_tokens": 6, "max_time": 30.0}, 4, 64),
    ("greedy ignores warpers", {**SPECIALS, "temperature": 0.5, "top_p": 0.5}, None, {"max_new_tokens": 3}, 4, None),
    ("beam sample keeps eos + 1", {**SPECIALS, "eos_token_id": [2, 3]}, None,
     {"num_beams": 3, "do_sample": True, "top_k": 1, "max_new_tokens": 3}, 4, None),
    ("early stopping never", {**SPECIALS}, None,
     {"num_beams": 2, "early_stopping": "never", "length_penalty": 0.5, "num_return_sequences": 2,
      "max_new_tokens": 3}, 4, None),
    ("error max_new_tokens 0", {**SPECIALS}, None, {"max_new_tokens": 0}, 4, None),
    ("error max_new_tokens negative", {**SPECIALS}, None, {"max_new_tokens": -3}, 4, None),
    ("error top_p negative", {**SPECIALS}, None, {"do_sample": True, "top_p": -0.5}, 4, None),
    ("top_p 0 keeps one token", {**SPECIALS}, None, {"do_sample": True, "top_p": 0.0, "max_new_tokens": 2}, 4, None),
    ("error num_return_sequences over num_beams", {**SPECIALS}, None,
     {"num_beams": 2, "num_return_sequences": 3}, 4, None),
    ("error num_return_sequences greedy", {**SPECIALS}, None, {"num_return_sequences": 2}, 4, None),
    ("error temperature 0", {**SPECIALS}, None, {"do_sample": True, "temperature": 0.0}, 4, None),
    ("error top_k negative", {**SPECIALS}, None, {"do_sample": True, "top_k": -1}, 4, None),
    ("error early_stopping", {**SPECIALS}, None, {"early_stopping": "sometimes"}, 4, None),
    ("error prompt reaches max_length", {**SPECIALS}, None, {"max_length": 4}, 4, None),
    ("error unknown kwarg", {**SPECIALS}, None, {"max_new_token": 4}, 4, None),
    ("error forced eos suppressed", {**SPECIALS}, None, {"suppress_tokens": [2, 3], "forced_eos_token_id": 2}, 4,
     None),
    ("error invalid cache_implementation", {**SPECIALS}, None, {"cache_implementation": "fast"}, 4, None),
    ("error stop strings without tokenizer", {**SPECIALS}, None, {"stop_strings": ["ab"]}, 4, None),
    ("error repetition_penalty 0", {**SPECIALS}, None, {"repetition_penalty": 0.0}, 4, None),
    ("error min_p", {**SPECIALS}, None, {"do_sample": True, "min_p": 2.0}, 4, None),
    ("error bad words not lists", {**SPECIALS}, None, {"bad_words_ids": [3]}, 4, None),
    ("error model config greedy returns", {**SPECIALS, "num_return_sequences": 2}, None, {}, 4, None),
]


def resolve_like_generate(model, kwargs: dict, input_length: int) -> dict:
    """generate()'s steps 1-8 (transformers 5.23 generation/utils.py), stopping before the loop."""
    has_default_max_length = kwargs.get("max_length") is None and model.generation_config.max_length is None
    has_default_min_length = kwargs.get("min_length") is None and model.generation_config.min_length is None
    config, model_kwargs = model._prepare_generation_config(None, **kwargs)
    model._validate_model_kwargs(model_kwargs.copy())
    inputs = torch.full((1, input_length), 5, dtype=torch.long)
    model._prepare_special_tokens(config, False, device="cpu", batch_size=1)
    config = model._prepare_generated_length(config, has_default_max_length, has_default_min_length, "input_ids",
                                             input_length, inputs)
    model._validate_generated_length(config, input_length, has_default_max_length)
    processors = model._get_logits_processor(config, input_length, inputs, device="cpu", model_kwargs={})
    criteria = model._get_stopping_criteria(config, StoppingCriteriaList(), tokenizer=None)
    resolved = {field: getattr(config, field) for field in CONFIG_FIELDS}
    eos = config._eos_token_tensor
    resolved["eos_token_id"] = None if eos is None else ints(eos)
    resolved["pad_token_id"] = None if config._pad_token_tensor is None else int(config._pad_token_tensor)
    resolved["bos_token_id"] = config.bos_token_id
    return {"resolved": resolved, "processors": [type(p).__name__ for p in processors],
            "criteria": [type(c).__name__ for c in criteria]}


def make_config_cases() -> list[dict]:
    records = []
    for name, generation_config, model_config, kwargs, input_length, max_pos in CONFIG_CASES:
        record = {"name": name, "generation_config": generation_config, "model_config": model_config,
                  "kwargs": kwargs, "input_length": input_length, "max_position_embeddings": max_pos}
        try:
            if generation_config is not None:
                model_generation = GenerationConfig.from_dict(generation_config)
            else:
                model_generation = GenerationConfig.from_model_config(model_config)
            model = fake_model(32, {}, max_pos)
            model.generation_config = model_generation
            record.update(resolve_like_generate(model, kwargs, input_length))
        except ValueError as e:
            record.update(error_record(e))
        records.append(record)
    return records


# ----------------------------------------------------------------------------------------------
# streamer.json and stop_strings.json
# ----------------------------------------------------------------------------------------------

STREAM_TOKENIZERS = ["bpe-bytelevel", "unigram-byte-fallback", "minilm"]
STREAM_TEXTS = [
    "Hello world, this is a streaming test.\nA second line follows here.",
    "日本語のテキストと English mixed 中文字符 ok",
    "emoji 😀👍🏽 and accents: café, naïve, Ünïcödé",
    "tabs\tand  double  spaces\n\n\nthree newlines",
    "wordwithoutanyspacesatallforalongtime",
    "한국어 문장 and Ελληνικά λέξεις",
]


class RecordingStreamer(TextStreamer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chunks = []

    def on_finalized_text(self, text, stream_end=False):
        self.chunks.append([text, stream_end])


def make_streamer_cases() -> list[dict]:
    records = []
    for tokenizer_name in STREAM_TOKENIZERS:
        tokenizer = AutoTokenizer.from_pretrained(str(TOKENIZERS / tokenizer_name))
        for text in STREAM_TEXTS:
            ids = tokenizer(text)["input_ids"]  # with the tokenizer's special tokens
            for skip_prompt in (False, True):
                for skip_special_tokens in (False, True):
                    streamer = RecordingStreamer(tokenizer, skip_prompt=skip_prompt,
                                                 skip_special_tokens=skip_special_tokens)
                    streamer.put(torch.tensor([ids[:3]]))
                    for token in ids[3:]:
                        streamer.put(torch.tensor([token]))
                    streamer.end()
                    records.append({"tokenizer": tokenizer_name, "text": text, "ids": ids,
                                    "skip_prompt": skip_prompt, "skip_special_tokens": skip_special_tokens,
                                    "chunks": streamer.chunks})
    return records


STOP_CASES = [
    ("Hello world, this is a test of stop strings.", ["world", "is a", "s."]),
    ("The stopping point: stop here, or stopper there", ["stop", "op", "t: s"]),
    ("日本語のテキスト and café", ["テキ", "é", "本語"]),
    ("  spaces   matter here", ["s   m", " "]),
]


def make_stop_string_cases() -> list[dict]:
    records = []
    for tokenizer_name in STREAM_TOKENIZERS:
        tokenizer = AutoTokenizer.from_pretrained(str(TOKENIZERS / tokenizer_name))
        for text, stop_strings in STOP_CASES:
            ids = tokenizer(text, add_special_tokens=False)["input_ids"]
            record = {"tokenizer": tokenizer_name, "text": text, "ids": ids, "stop_strings": stop_strings}
            try:
                criteria = StopStringCriteria(tokenizer, stop_strings)
                record["stops"] = [bool(criteria(torch.tensor([ids[:k]]), None)[0]) for k in range(1, len(ids) + 1)]
            except ValueError as e:
                record.update(error_record(e))
            records.append(record)
        # a string no token of a text vocabulary can end
        record = {"tokenizer": tokenizer_name, "text": "", "ids": [], "stop_strings": ["\u2603\u2603"]}
        try:
            StopStringCriteria(tokenizer, record["stop_strings"])
            record["stops"] = []
        except ValueError as e:
            record.update(error_record(e))
        records.append(record)
    return records


# ----------------------------------------------------------------------------------------------
# generate.json
# ----------------------------------------------------------------------------------------------

MODEL_SPECIALS = {"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0}
PADDED = {"input_ids": [[0, 0, 5, 6], [7, 8, 9, 10]], "attention_mask": [[0, 0, 1, 1], [1, 1, 1, 1]]}
SINGLE = {"input_ids": [[5, 6, 7, 8]]}
TRIPLE = {"input_ids": [[0, 0, 0, 11, 12], [0, 3, 4, 5, 6], [9, 8, 7, 6, 5]],
          "attention_mask": [[0, 0, 0, 1, 1], [0, 1, 1, 1, 1], [1, 1, 1, 1, 1]]}

# (name, vocab, model generation config, prompt, kwargs)
GENERATE_CASES = [
    ("greedy", 32, MODEL_SPECIALS, SINGLE, {"max_new_tokens": 10}),
    ("greedy padded batch", 32, MODEL_SPECIALS, PADDED, {"max_new_tokens": 10}),
    ("greedy no cache", 32, MODEL_SPECIALS, PADDED, {"max_new_tokens": 10, "use_cache": False}),
    ("greedy eos list", 32, MODEL_SPECIALS, TRIPLE, {"max_new_tokens": 12, "eos_token_id": [2, 15]}),
    ("greedy max_length", 32, MODEL_SPECIALS, SINGLE, {"max_length": 9}),
    ("greedy default length", 32, MODEL_SPECIALS, {"input_ids": [[3, 4]]}, {}),
    ("greedy scores and logits", 32, MODEL_SPECIALS, PADDED,
     {"max_new_tokens": 5, "repetition_penalty": 1.5, "no_repeat_ngram_size": 2, "output_scores": True,
      "output_logits": True, "return_dict_in_generate": True}),
    ("greedy processors", 32, MODEL_SPECIALS, TRIPLE,
     {"max_new_tokens": 8, "bad_words_ids": [[17], [10, 15]], "suppress_tokens": [21], "min_new_tokens": 5,
      "begin_suppress_tokens": [31], "sequence_bias": [[[4], 0.5], [[15, 15], -2.0]],
      "exponential_decay_length_penalty": [2, 1.3], "output_scores": True, "return_dict_in_generate": True}),
    ("greedy forced bos and eos", 32, MODEL_SPECIALS, {"input_ids": [[1]]},
     {"max_new_tokens": 6, "forced_bos_token_id": 9, "forced_eos_token_id": 2}),
    ("greedy renormalized", 32, MODEL_SPECIALS, SINGLE,
     {"max_new_tokens": 4, "renormalize_logits": True, "output_scores": True, "return_dict_in_generate": True}),
    ("greedy no eos", 32, {"bos_token_id": 1}, PADDED, {"max_new_tokens": 6}),
    ("beam", 32, MODEL_SPECIALS, SINGLE, {"num_beams": 3, "max_new_tokens": 6}),
    ("beam padded batch, 2 returned", 32, MODEL_SPECIALS, PADDED,
     {"num_beams": 3, "num_return_sequences": 2, "max_new_tokens": 6, "output_scores": True,
      "return_dict_in_generate": True}),
    ("beam early_stopping true", 32, MODEL_SPECIALS, TRIPLE,
     {"num_beams": 4, "max_new_tokens": 8, "early_stopping": True, "num_return_sequences": 4,
      "output_scores": True, "return_dict_in_generate": True}),
    ("beam early_stopping never", 32, MODEL_SPECIALS, TRIPLE,
     {"num_beams": 4, "max_new_tokens": 8, "early_stopping": "never", "length_penalty": 0.0,
      "num_return_sequences": 2, "output_scores": True, "return_dict_in_generate": True}),
    ("beam early_stopping false", 32, MODEL_SPECIALS, TRIPLE,
     {"num_beams": 4, "max_new_tokens": 8, "early_stopping": False, "num_return_sequences": 3,
      "output_scores": True, "return_dict_in_generate": True}),
    ("beam length_penalty 2", 32, MODEL_SPECIALS, TRIPLE,
     {"num_beams": 3, "max_new_tokens": 7, "length_penalty": 2.0, "num_return_sequences": 3,
      "output_scores": True, "return_dict_in_generate": True}),
    ("beam length_penalty -1, eos list", 32, MODEL_SPECIALS, TRIPLE,
     {"num_beams": 3, "max_new_tokens": 7, "length_penalty": -1.0, "eos_token_id": [2, 15, 20],
      "num_return_sequences": 2, "output_scores": True, "return_dict_in_generate": True}),
    ("beam never, positive length_penalty", 32, MODEL_SPECIALS, PADDED,
     {"num_beams": 2, "max_new_tokens": 9, "early_stopping": "never", "length_penalty": 1.5,
      "output_scores": True, "return_dict_in_generate": True}),
    ("beam no eos", 32, {"bos_token_id": 1}, PADDED,
     {"num_beams": 4, "max_new_tokens": 5, "num_return_sequences": 2, "output_scores": True,
      "output_logits": True, "return_dict_in_generate": True}),
    ("beam no cache", 32, MODEL_SPECIALS, PADDED,
     {"num_beams": 3, "max_new_tokens": 6, "use_cache": False, "output_scores": True,
      "return_dict_in_generate": True}),
    ("beam processors", 32, MODEL_SPECIALS, TRIPLE,
     {"num_beams": 3, "max_new_tokens": 7, "repetition_penalty": 1.3, "no_repeat_ngram_size": 2,
      "min_new_tokens": 3, "num_return_sequences": 2, "output_scores": True, "return_dict_in_generate": True}),
    ("beam pad 0 fills with eos", 32, {"bos_token_id": 1, "eos_token_id": [2, 4], "pad_token_id": 0}, TRIPLE,
     {"num_beams": 2, "max_new_tokens": 10}),
    ("beam pad 3 fills with pad", 32, {"bos_token_id": 1, "eos_token_id": [2, 4], "pad_token_id": 3}, TRIPLE,
     {"num_beams": 2, "max_new_tokens": 10}),
]


def generate_record(name, vocab, generation_config, prompt, kwargs, tokenizer=None) -> dict:
    model = fake_model(vocab, generation_config)
    call = dict(kwargs)
    input_ids = torch.tensor(prompt["input_ids"])
    if "attention_mask" in prompt:
        call["attention_mask"] = torch.tensor(prompt["attention_mask"])
    if tokenizer is not None:
        call["tokenizer"] = tokenizer
    out = model.generate(input_ids, **call)
    record = {"name": name, "vocab_size": vocab, "generation_config": generation_config, "prompt": prompt,
              "kwargs": kwargs}
    if isinstance(out, torch.Tensor):
        record["sequences"] = ints(out)
        return record
    record["sequences"] = ints(out.sequences)
    if out.scores is not None:
        record["scores"] = [floats(s) for s in out.scores]
    if out.logits is not None:
        record["logits"] = [floats(s) for s in out.logits]
    if getattr(out, "sequences_scores", None) is not None:
        record["sequences_scores"] = floats(out.sequences_scores)
    if getattr(out, "beam_indices", None) is not None:
        record["beam_indices"] = ints(out.beam_indices)
    return record


def stop_string_generate_record() -> dict:
    """Greedy on a 256-token fake model with the byte-level fixture tokenizer: a stop string taken from
    what it would generate stops it there."""
    tokenizer = AutoTokenizer.from_pretrained(str(TOKENIZERS / "bpe-bytelevel"))
    prompt = {"input_ids": [[70, 71, 72]]}
    free = generate_record("free", 256, {"bos_token_id": 1}, prompt, {"max_new_tokens": 16})
    # The first run of two printable ASCII tokens it generates (a run of one if there is none).
    texts = [tokenizer.decode([token]) for token in free["sequences"][0][3:]]
    printable = [len(text) == 1 and text.isascii() and text.isprintable() for text in texts]
    runs = [k for k in range(1, len(texts) - 1) if printable[k] and printable[k + 1]]
    stop = texts[runs[0]] + texts[runs[0] + 1] if runs else texts[printable.index(True, 1)]
    return generate_record("greedy stop string", 256, {"bos_token_id": 1}, prompt,
                           {"max_new_tokens": 16, "stop_strings": [stop, "\u2603"]}, tokenizer) | {
                               "tokenizer": "bpe-bytelevel", "unstopped": free["sequences"]}


# The cases whose per-step scores and logits are kept (the others keep sequences and sequences_scores).
KEEP_SCORES = {"greedy scores and logits", "greedy processors", "greedy renormalized", "beam padded batch, 2 returned",
               "beam no eos", "beam length_penalty -1, eos list"}


def make_generate_cases() -> list[dict]:
    records = [generate_record(*case) for case in GENERATE_CASES]
    for record in records:
        if record["name"] not in KEEP_SCORES:
            record.pop("scores", None)
            record.pop("logits", None)
    records.append(stop_string_generate_record())
    return records


# ----------------------------------------------------------------------------------------------

README = """# generate() fixtures

Written by `scripts/make_generation_fixtures.py` (developers only; pins in
`scripts/fixtures-requirements.txt`; versions used: {versions}). The C++ tests in `tests/generation/`
replay them. Floats are float32 values written as Python floats; "inf", "-inf" and "nan" stand for the
non-finite ones.

- `processors.json`: `inputs` (named scores [2, 24] and input_ids) and `cases`: a transformers
  LogitsProcessor class (`class`, constructor `args`) called on an input, with the `expected` scores, or
  the `error` (class, message) its construction or call raises. Equal within 1e-5.
- `config.json`: a model's generation config (`generation_config`: generation_config.json's contents, or
  `model_config`: a config.json without one), generate `kwargs`, a prompt length and the model's
  max_position_embeddings -> the `resolved` values generate runs with (max_length counting the prompt,
  pad_token_id defaulted to the first eos, ...), the `processors` and `criteria` classes it builds in
  order, or the `error` it raises.
- `streamer.json`: TextStreamer on fixture tokenizers (`tests/fixtures/tokenizers/<name>`): the prompt
  (first 3 ids) put at once, then one id per put, then end(); `chunks` are the on_finalized_text calls
  (text, stream_end).
- `stop_strings.json`: StopStringCriteria(tokenizer, stop_strings) on every prefix of `ids`: `stops[k]`
  is its answer for ids[:k+1]; or the `error` its construction raises.
- `generate.json`: FakeCausalLM (see the script; tests/generation/fake_model.hpp) `generate` calls:
  vocab size, the model's generation config, the prompt (input_ids, attention_mask) and kwargs ->
  `sequences` and, when asked, `scores`, `logits`, `sequences_scores`, `beam_indices`.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--allow-version-mismatch", action="store_true")
    args = parser.parse_args()
    versions = check_versions(args.allow_version_mismatch)
    setup_torch()
    transformers.logging.set_verbosity_error()
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    write_json(OUT / "processors.json", make_processors())
    write_json(OUT / "config.json", make_config_cases())
    write_json(OUT / "streamer.json", make_streamer_cases())
    write_json(OUT / "stop_strings.json", make_stop_string_cases())
    write_json(OUT / "generate.json", make_generate_cases())
    shown = ", ".join(f"{k} {versions[k]}" for k in ("transformers", "torch", "tokenizers"))
    (OUT / "README.md").write_text(README.format(versions=shown), encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
