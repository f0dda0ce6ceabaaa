#!/usr/bin/env python3
"""Golden fixtures for pipeline("text-generation"), recorded from transformers' own pipeline.

Developers only (never run in CI; the C++ build and the tests never need Python):

    . .venv-fixtures/bin/activate          # pins in scripts/fixtures-requirements.txt
    python scripts/make_text_generation_fixtures.py

What it writes (the folder is rebuilt from scratch every run):

  tests/fixtures/pipelines/tiny-llama-gen/
    config.json, generation_config.json, model.safetensors   a 2-layer LlamaForCausalLM, weights
                         spread (+N(0, 0.3)); the first seed whose greedy calls all have top-2 logit
                         margins of at least 1e-3 at every step, so that replays can demand the same tokens
    tokenizer.json, tokenizer_config.json   the byte-level BPE fixture tokenizer with "<s> $A" as its
                         template, pad/bos/eos tokens, model_max_length 24 (for handle_long_generation)
                         and a small chat template (CHAT_TEMPLATE) for the chat calls
    text_generation.jsonl   one pipeline call per line: inputs, kwargs, then output or error
                         ("Class: message"), and min_margin: the smallest top-1 minus top-2 logit gap
                         over every greedy step of the call (null for beam search), so a replay can
                         tell a real difference from a float-rounding tie
    generate_kwargs.jsonl   kwargs -> the generation settings the pipeline hands to generate()
                         (_prepare_generate_kwargs on top of the model's generation config)

Sampled calls are not recorded: Python's torch RNG is not ours.
"""

from __future__ import annotations

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
OUT = REPO / "tests" / "fixtures" / "pipelines" / "tiny-llama-gen"
TOKENIZER = REPO / "tests" / "fixtures" / "tokenizers" / "bpe-bytelevel" / "tokenizer.json"

sys.path.insert(0, str(REPO / "scripts"))
from make_fixtures import canonicalize_folder, check_versions, seed_for, setup_torch  # noqa: E402

from tokenizers import Tokenizer, processors  # noqa: E402
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast, pipeline  # noqa: E402


# A small chat template for the chat calls: role-prefixed lines, and an open "assistant:" line.
CHAT_TEMPLATE = ("{% for m in messages %}<s>{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
                 "{% if add_generation_prompt %}<s>assistant:{% endif %}")


def make_model(folder: Path, attempt: int) -> None:
    tok = Tokenizer.from_file(str(TOKENIZER))
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", pair="<s> $A <s> $B",
                                                       special_tokens=[("<s>", 0)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>",
                                   unk_token="<unk>", model_max_length=24)
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(folder)
    torch.manual_seed(seed_for(f"tiny-llama-gen-{attempt}"))
    config = LlamaConfig(vocab_size=len(fast), hidden_size=32, intermediate_size=48, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                         bos_token_id=0, eos_token_id=2, pad_token_id=1, tie_word_embeddings=False)
    model = LlamaForCausalLM(config).eval()
    for p in model.parameters():
        p.add_(torch.randn(p.shape) * 0.3)
    model.save_pretrained(folder)
    canonicalize_folder(folder)


class MarginProbe:
    """Wraps model.generate to also read the logits of each step: the smallest top-2 gap."""

    def __init__(self, model):
        self.model, self.generate, self.margins = model, model.generate, []

    def __call__(self, *args, **kwargs):
        out = self.generate(*args, **kwargs, output_logits=True, return_dict_in_generate=True)
        if kwargs.get("num_beams", self.model.generation_config.num_beams or 1) == 1:
            for step in out.logits:
                top = step.float().topk(2, dim=-1).values
                self.margins.append(float((top[:, 0] - top[:, 1]).min()))
        else:
            self.margins.append(None)
        return out.sequences


def calls(first_new_text: str | None) -> list[tuple[object, dict]]:
    greedy = {"do_sample": False}
    out = [
        ("Hello world", {**greedy, "max_new_tokens": 8}),
        ("Hello world", {**greedy, "max_new_tokens": 8, "return_full_text": False}),
        (["a", "the quick brown fox"], {**greedy, "max_new_tokens": 6, "batch_size": 2}),
        (["a", "the quick brown fox", "Hello"], {**greedy, "max_new_tokens": 5, "batch_size": 2}),
        (["a", "the quick brown fox"], {**greedy, "max_new_tokens": 5}),
        ("Hello", {**greedy, "max_new_tokens": 6, "num_beams": 3, "num_return_sequences": 2}),
        ("", {**greedy, "max_new_tokens": 4}),
        ("", {**greedy, "max_new_tokens": 4, "add_special_tokens": False}),
        ("Hello", {**greedy, "max_new_tokens": 4, "return_tensors": True}),
        ("Hello", {**greedy, "max_new_tokens": 4, "prefix": "Once "}),
        ("Hello", {**greedy, "max_length": 12, "prefix": "Once upon"}),
        ("Hello", {**greedy, "max_length": 10}),
        ("Hello", {**greedy, "max_new_tokens": 10, "repetition_penalty": 1.3, "no_repeat_ngram_size": 2}),
        ("Hello", {**greedy, "max_new_tokens": 6, "min_new_tokens": 6, "skip_special_tokens": False,
                   "return_full_text": False}),
        ("Hello world", {**greedy, "max_new_tokens": 8, "add_special_tokens": False}),
        ("the quick brown fox jumps over the lazy dog and the cat sat on the mat while it rained",
         {**greedy, "max_new_tokens": 6, "handle_long_generation": "hole"}),
        ("Hello", {**greedy, "max_new_tokens": 0}),
        ("Hello", {**greedy, "max_new_tokens": 4, "return_full_text": True, "return_tensors": True}),
        ("Hello", {**greedy, "max_new_tokens": 4, "handle_long_generation": "bogus"}),
        ("Hello", {**greedy, "max_new_tokens": 4, "not_a_generation_flag": 1}),
    ]
    user = {"role": "user", "content": "Hello world"}
    out += [  # chats: rendered with the tokenizer's chat template, returned as the chat plus the reply
        ([user], {**greedy, "max_new_tokens": 6}),
        ([{"role": "system", "content": "the quick brown fox"}, user], {**greedy, "max_new_tokens": 5,
                                                                          "return_full_text": False}),
        ([user, {"role": "assistant", "content": "Hello"}], {**greedy, "max_new_tokens": 5}),
        ([user, {"role": "assistant", "content": "Hello"}], {**greedy, "max_new_tokens": 5,
                                                             "continue_final_message": False}),
        ([[user], [{"role": "user", "content": "a"}]], {**greedy, "max_new_tokens": 4, "batch_size": 2}),
        ([user], {**greedy, "max_new_tokens": 4, "prefix": "Once ", "add_special_tokens": True}),
    ]
    if first_new_text:  # a stop string taken from the middle of the first call's continuation
        middle = len(first_new_text) // 2
        out.append(("Hello world", {**greedy, "max_new_tokens": 8, "stop_sequence": first_new_text[middle:middle + 2]}))
    return out


def record(pipe, probe, inputs, kwargs) -> dict:
    probe.margins = []
    line = {"inputs": inputs, "kwargs": kwargs}
    try:
        line["output"] = pipe(inputs, **kwargs)
    except Exception as e:  # noqa: BLE001 - ValueError, TypeError
        line["error"] = f"{type(e).__name__}: {e}"
    margins = [m for m in probe.margins if m is not None]
    line["min_margin"] = None if None in probe.margins or not margins else min(margins)
    return line


def main() -> None:
    check_versions("--allow-version-mismatch" in sys.argv)
    setup_torch()
    for attempt in range(20):
        if OUT.exists():
            shutil.rmtree(OUT)
        OUT.mkdir(parents=True)
        make_model(OUT, attempt)
        pipe = pipeline("text-generation", model=str(OUT), device="cpu")
        probe = MarginProbe(pipe.model)
        pipe.model.generate = probe
        first = record(pipe, probe, *calls(None)[1])
        lines = [record(pipe, probe, inputs, kwargs) for inputs, kwargs in calls(first["output"][0]["generated_text"])]
        if all(line["min_margin"] is None or line["min_margin"] >= 1e-3 for line in lines):
            break
    else:
        raise SystemExit("no seed gave greedy margins of at least 1e-3")
    with open(OUT / "text_generation.jsonl", "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")
    settings = [{}, {"do_sample": False}, {"max_length": 10}, {"temperature": 0.5}, {"do_sample": True, "top_k": 5},
                {"max_new_tokens": 3, "num_beams": 2}]
    with open(OUT / "generate_kwargs.jsonl", "w", encoding="utf-8") as f:
        for kwargs in settings:
            prepared = pipe._prepare_generate_kwargs(dict(kwargs))
            f.write(json.dumps({"kwargs": kwargs, "generate_kwargs": prepared}, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(REPO)}: {len(lines)} calls")


if __name__ == "__main__":
    main()
