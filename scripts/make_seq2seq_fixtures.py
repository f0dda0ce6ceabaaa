#!/usr/bin/env python3
"""Golden fixtures for the encoder-decoder architectures (developers only; never run in CI).

    . .venv-fixtures/bin/activate          # pins in scripts/fixtures-requirements.txt
    python scripts/make_seq2seq_fixtures.py

Writes tests/fixtures/models/seq2seq/<model_type>/<case>/ for every case of CASES: a tiny random
<Arch>ForConditionalGeneration saved by save_pretrained (config.json, generation_config.json,
model.safetensors in float32; eager attention), inputs.safetensors, expected.safetensors, and an index
in tests/fixtures/models/seq2seq/README.md.

inputs.safetensors:
  input_ids, attention_mask   [3, 12] the encoder's batch, padded on the right as the tokenizers pad
                              (real lengths 12, 9, 5; the case's pad id)
  decoder_input_ids           [3, 8] decoder_start_token_id then random tokens (teacher forcing)
expected.safetensors:
  encoder_last_hidden_state   [3, 12, d_model]
  logits                      [3, 8, vocab] the full forward (decoder mask all ones)
  last_hidden_state           [3, 8, d_model] the base model's decoder output (AutoModel)
  greedy                      [3, 33] generate(do_sample=False, max_new_tokens=32, min_new_tokens=32):
                              decoder_start_token_id and 32 tokens, no EOS
  greedy_margins              [3, 32] top-1 minus top-2 processed score of each greedy token (all must be
                              >= 1e-3; 1e9 where a token is forced)
  beam_<name>                 generate(num_beams=4, ...) with the kwargs of BEAM_CASES[name], EOS
                              enabled: sequences [3, L] (padded with pad_token_id as transformers pads
                              them) and beam_<name>_scores [3] (sequences_scores)
  beam_eos                    [1] the eos_token_id the beam searches use: a token 4-beam search without
                              EOS produces later on (column 5+, not in 1-2; else 3+, not in 1), so
                              hypotheses end at many lengths

Every parameter is the init plus N(0, SPREAD_STD^2), so logits are spread and greedy choices clear-cut.
A checkpoint whose config says tie_word_embeddings=false (T5 v1.1, Flan-T5, mT5) gets its own lm_head
written into model.safetensors, as those Hub checkpoints carry one, and is checked to load untied.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import json
import shutil
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
sys.path.insert(0, str(REPO / "scripts"))
from make_fixtures import (canonicalize_folder, check_versions, describe_st, save_safetensors,  # noqa: E402
                           seed_for, setup_torch)

SPREAD_STD = 0.25
LENGTHS, SEQ, DECODER_SEQ, NEW_TOKENS, MARGIN = [12, 9, 5], 12, 8, 32, 1e-3
VOCAB, PAD, EOS = 96, 0, 1
TOKENS, DECODER_TOKENS = (3, 79), (3, 71)  # what prompts and decoder inputs draw from: no special token of any case

T5 = dict(vocab_size=VOCAB, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_heads=4, relative_attention_num_buckets=8,
          relative_attention_max_distance=20, pad_token_id=PAD, eos_token_id=EOS, decoder_start_token_id=PAD)
BART = dict(vocab_size=VOCAB, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
            decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48, max_position_embeddings=64,
            pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2, forced_eos_token_id=2)
MARIAN = dict(BART, pad_token_id=VOCAB - 1, bos_token_id=None, eos_token_id=0, decoder_start_token_id=VOCAB - 1,
              forced_eos_token_id=0, scale_embedding=True, activation_function="swish")

# folder -> (model_type, config kwargs, what it exercises, whether the checkpoint carries its own lm_head)
CASES: dict[str, tuple[str, dict, str, bool]] = {
    "t5/relu-tied": ("t5", dict(T5),
                     "T5 v1.0: ReLU feed-forward, LM head tied to the shared embeddings with the d_model^-0.5 "
                     "rescaling, 8 relative buckets up to distance 20",
                     False),
    "t5/gated-untied": ("t5", dict(T5, feed_forward_proj="gated-gelu", tie_word_embeddings=False),
                        "T5 v1.1 / Flan-T5: gated-GELU feed-forward, its own lm_head, no rescaling", True),
    "mt5/gated-untied": ("mt5", dict(T5, feed_forward_proj="gated-gelu", tie_word_embeddings=False),
                         "mT5: T5 v1.1's layout under model_type mt5", True),
    "bart/forced-bos": ("bart", dict(BART, generation=dict(forced_bos_token_id=0)),
                        "BART: learned positions (offset 2), layernorm_embedding, post-norm layers with biases, GELU, "
                        "tied head with final_logits_bias; decoder starts at eos, forced BOS first and EOS last",
                        False),
    "bart/scaled": ("bart", dict(BART, scale_embedding=True, activation_function="relu"),
                    "BART with scale_embedding (sqrt(d_model)) and ReLU", False),
    "marian/shared": ("marian", dict(MARIAN),
                      "Marian (opus-mt's layout): sinusoidal positions, scaled embeddings, SiLU, shared encoder and "
                      "decoder embeddings, decoder starts at pad, forced EOS", False),
    "marian/unshared": ("marian", dict(MARIAN, share_encoder_decoder_embeddings=False, decoder_vocab_size=72,
                                       pad_token_id=71, decoder_start_token_id=71),
                        "Marian with separate source (96) and target (72) vocabularies", False),
}

# Beam searches run on every case: name -> generate() kwargs (num_beams 4, EOS enabled).
BEAM_CASES: dict[str, dict] = {
    "default": dict(num_beams=4, max_new_tokens=NEW_TOKENS),
    "length_penalty": dict(num_beams=4, max_new_tokens=NEW_TOKENS, length_penalty=0.6, num_return_sequences=1),
    "no_repeat": dict(num_beams=4, max_new_tokens=NEW_TOKENS, no_repeat_ngram_size=2, early_stopping=True),
    "never_stop": dict(num_beams=4, max_new_tokens=NEW_TOKENS, early_stopping="never", length_penalty=2.0),
}


def spread(model: torch.nn.Module, seed: int, std: float) -> None:
    g = torch.Generator().manual_seed(seed)
    for _, p in sorted(model.named_parameters()):
        p.add_(torch.randn(p.shape, generator=g) * std)


def build(model_type: str, kwargs: dict, seed_name: str):
    import transformers

    seed = seed_for(seed_name)
    config = transformers.AutoConfig.for_model(model_type, **kwargs)
    model = transformers.AutoModelForSeq2SeqLM.from_config(config, attn_implementation="eager").eval()
    spread(model, seed, SPREAD_STD)
    if hasattr(model, "final_logits_bias"):  # a buffer (zeros at init) that checkpoints carry
        model.final_logits_bias.add_(torch.randn(model.final_logits_bias.shape) * SPREAD_STD)
    return model


def add_own_lm_head(folder: Path, seed_name: str) -> None:
    """Hub checkpoints of T5 v1.1 / mT5 store lm_head.weight apart from shared.weight; transformers 5
    always saves them tied, so the fixture writes one as those checkpoints have it."""
    from safetensors.torch import load_file

    path = folder / "model.safetensors"
    tensors = load_file(str(path))
    seed_for(seed_name)
    tensors["lm_head.weight"] = torch.randn(tensors["shared.weight"].shape) * SPREAD_STD
    save_safetensors(path, tensors, metadata={"format": "pt"})
    config_path = folder / "config.json"
    config = json.loads(config_path.read_text())
    config["tie_word_embeddings"] = False
    config.pop("scale_decoder_outputs", None)  # as configs written before transformers 5 have it
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def reload(folder: Path):
    from transformers import AutoModelForSeq2SeqLM

    model = AutoModelForSeq2SeqLM.from_pretrained(str(folder), attn_implementation="eager").eval()
    for _, t in list(model.named_parameters()) + list(model.named_buffers()):
        t.data = t.data.clone()
    return model


def make_inputs(seed_name: str, pad: int, decoder_start: int) -> dict[str, torch.Tensor]:
    seed_for(seed_name)
    ids = torch.full((len(LENGTHS), SEQ), pad, dtype=torch.int64)
    mask = torch.zeros(len(LENGTHS), SEQ, dtype=torch.int64)
    for b, n in enumerate(LENGTHS):
        ids[b, :n] = torch.randint(*TOKENS, (n,))
        mask[b, :n] = 1
    decoder = torch.randint(*DECODER_TOKENS, (len(LENGTHS), DECODER_SEQ))
    decoder[:, 0] = decoder_start
    return {"input_ids": ids, "attention_mask": mask, "decoder_input_ids": decoder}


def greedy(model, inputs):
    out = model.generate(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"], do_sample=False,
                         max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, eos_token_id=None,
                         output_scores=True, return_dict_in_generate=True)
    step_logits = torch.stack(out.scores, dim=1).float()  # processed: forced BOS / EOS included
    top2 = step_logits.topk(2, dim=-1).values
    margins = top2[..., 0] - top2[..., 1]
    assert torch.equal(step_logits.argmax(-1), out.sequences[:, 1:]), "greedy tokens are the argmax"
    margins = margins.nan_to_num(posinf=1e9)  # a forced token (forced BOS / EOS) has one finite logit
    return out.sequences, margins


def ending_token(model, inputs) -> int:
    """A token that 4-beam search, run without EOS, produces from column 5 on but never in columns 1-2
    (failing that: from column 3 on, not in column 1; or any from column 2 on):
    as the beams' EOS it ends hypotheses at several lengths (the config's EOS id 1 is never likely
    under random weights)."""
    sequences = model.generate(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"],
                               do_sample=False, num_beams=4, max_new_tokens=NEW_TOKENS, eos_token_id=None)
    for early_columns, first in ((2, 5), (1, 3), (0, 2)):  # the stricter choice first
        early = set(sequences[:, 1:1 + early_columns].flatten().tolist())
        for column in range(first, sequences.shape[1]):
            for row in range(sequences.shape[0]):
                if int(sequences[row, column]) not in early:
                    return int(sequences[row, column])
    raise AssertionError("no token to end the beams with")


def beams(model, inputs) -> dict[str, torch.Tensor]:
    eos = ending_token(model, inputs)
    expected = {"beam_eos": torch.tensor([eos])}
    for name, kwargs in BEAM_CASES.items():
        out = model.generate(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"], do_sample=False,
                             eos_token_id=eos, output_scores=True, return_dict_in_generate=True, **kwargs)
        expected[f"beam_{name}"] = out.sequences
        expected[f"beam_{name}_scores"] = out.sequences_scores
    return expected


def make_case(root: Path, name: str, model_type: str, kwargs: dict, own_head: bool) -> dict:
    from transformers import AutoModel

    folder = root / name
    kwargs = dict(kwargs)
    generation = kwargs.pop("generation", {})  # generation_config.json fields (transformers 5 keeps them there)
    model = build(model_type, kwargs, f"seq2seq/{name}")
    for key, value in generation.items():
        setattr(model.generation_config, key, value)
    model.save_pretrained(str(folder))
    canonicalize_folder(folder)
    if own_head:
        add_own_lm_head(folder, f"seq2seq/{name}/lm_head")
    model = reload(folder)
    tied = model.get_output_embeddings().weight.data_ptr() == model.get_decoder().embed_tokens.weight.data_ptr()
    assert tied != own_head, f"{name}: lm_head tied={tied}"
    inputs = make_inputs(f"seq2seq/{name}/inputs", kwargs["pad_token_id"], kwargs["decoder_start_token_id"])
    out = model(**inputs, output_hidden_states=True)
    base = AutoModel.from_pretrained(str(folder), attn_implementation="eager").eval()
    base_out = base(**inputs)
    assert torch.allclose(base_out.last_hidden_state, out.decoder_hidden_states[-1], atol=1e-5)
    expected = {"encoder_last_hidden_state": out.encoder_last_hidden_state, "logits": out.logits,
                "last_hidden_state": base_out.last_hidden_state}
    sequences, margins = greedy(model, inputs)
    assert margins.min().item() >= MARGIN, f"{name}: a greedy step's margin is {margins.min().item()}"
    expected.update(greedy=sequences, greedy_margins=margins)
    expected.update(beams(model, inputs))
    save_safetensors(folder / "inputs.safetensors", inputs)
    save_safetensors(folder / "expected.safetensors", expected)
    return {"case": name, "min_margin": margins.min().item(), "max_abs_logit": out.logits.abs().max().item(),
            "beam_eos": int(expected["beam_eos"]), "beam_lengths": {k: v.shape[1] for k, v in expected.items() if k.startswith("beam_")
                             and not k.endswith("_scores") and k != "beam_eos"}}


def write_readme(root: Path, versions: dict, records: list[dict]) -> None:
    lines = [
        "# Tiny random encoder-decoders: every architecture of AutoModelForSeq2SeqLM",
        "",
        "Generated by `scripts/make_seq2seq_fixtures.py`; do not edit. See the script's header for what",
        "each file holds. Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + ".",
        "",
        f"Weights: init + N(0, {SPREAD_STD}^2), seeded from `seq2seq/<case>` (crc32); inputs from",
        f"`seq2seq/<case>/inputs`. Encoder batch of {len(LENGTHS)}, length {SEQ}, right padding (real lengths",
        f"{', '.join(map(str, LENGTHS))}), pad id {PAD}, eos id {EOS}, vocab {VOCAB}; decoder inputs of {DECODER_SEQ}",
        f"tokens; greedy generation of {NEW_TOKENS} tokens without EOS; beam searches (4 beams) with EOS:",
        "",
    ]
    lines += [f"- `beam_{k}`: {v}" for k, v in BEAM_CASES.items()]
    lines += ["", "| case | what it exercises | max abs logit | min greedy margin | beam lengths |", "|---|---|---|---|---|"]
    for r in records:
        lines.append(f"| `{r['case']}` | {CASES[r['case']][2]} | {r['max_abs_logit']:.2f} | {r['min_margin']:.2e} | "
                     f"{r['beam_lengths']} (eos {r['beam_eos']}) |")
    lines += ["", "## Files", ""]
    for p in sorted(root.rglob("*.safetensors")):
        if p.name.startswith("model"):
            continue
        lines.append(f"- `{p.relative_to(root)}`")
        lines.extend(describe_st(p))
    (root / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    versions = check_versions("--allow-version-mismatch" in sys.argv)
    setup_torch()
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    root = FIXTURES / "models" / "seq2seq"
    if root.exists():
        shutil.rmtree(root)
    records = [make_case(root, name, model_type, kwargs, own_head)
               for name, (model_type, kwargs, _, own_head) in CASES.items()]
    write_readme(root, versions, records)
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    print(json.dumps(records, indent=1))
    print(f"wrote {root} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
