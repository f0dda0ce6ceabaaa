#!/usr/bin/env python3
"""Golden fixtures for the decoder-only architectures (developers only; never run in CI).

    . .venv-fixtures/bin/activate          # pins in scripts/fixtures-requirements.txt
    python scripts/make_decoder_fixtures.py

Writes tests/fixtures/models/decoders/<model_type>/<case>/ for every case of CASES: a tiny random
<Arch>ForCausalLM saved by save_pretrained (config.json, model.safetensors in float32; eager attention),
inputs.safetensors and expected.safetensors, and an index in tests/fixtures/models/decoders/README.md.

inputs.safetensors: a batch of 3 rows of 20 tokens, left-padded (real lengths 20, 13, 7; pad id 0),
  input_ids, attention_mask, and position_ids as generate() makes them (cumsum(mask) - 1, 0 on padding).
expected.safetensors:
  logits             [3, 20, vocab] the full forward (position_ids as above), padded positions included
  last_hidden_state  [3, 20, hidden] the base model's output (AutoModel)
  logits_cached      only where transformers' own cached run differs from its full forward (rope types
                     that depend on the sequence length: dynamic, longrope past its original length):
                     prefill of the first 5 columns, then one column at a time with a DynamicCache
  generated          [3, 64] int64, generate(do_sample=False, max_new_tokens=64) from the batch, no EOS
  margins            [3, 64] the top-1 minus top-2 logit of each generated token
  forced_at, forced_logits  the (row, step) pairs whose margin is < 1e-3 and the logits there: a test
                     feeds transformers' token at those steps (teacher forcing) and compares logits
                     instead of requiring the same argmax
bf16 cases (<model_type>/bf16): the model saved in bfloat16, expected `logits` from transformers running
  it in bfloat16 and `logits_f32` from the same weights run in float32 (no generation).

Every parameter is the init plus N(0, SPREAD_STD^2) (bf16 cases: BF16_STD), so logits are spread and
greedy choices are clear-cut. Each transformers computation runs on a fresh copy of the model: the
dynamic rope type keeps state between calls in transformers (max_seq_len_cached), a fresh model has none.
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import copy
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
BF16_STD = 0.05
LENGTHS, SEQ, PREFILL, NEW_TOKENS, MARGIN = [20, 13, 7], 20, 5, 64, 1e-3
VOCAB, PAD = 96, 0

LLAMA = dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
             intermediate_size=48, max_position_embeddings=128, pad_token_id=PAD, bos_token_id=1, eos_token_id=2,
             tie_word_embeddings=False)


def longrope(half: int, original: int) -> dict:
    return dict(rope_type="longrope", rope_theta=10000.0, short_factor=[1.0 + 0.25 * i for i in range(half)],
                long_factor=[2.0 + 1.5 * i for i in range(half)], original_max_position_embeddings=original)


# folder -> (model_type, config kwargs, what it exercises, whether transformers' cached run may differ)
CASES: dict[str, tuple[str, dict, str, bool]] = {
    "gpt2/tied": ("gpt2", dict(vocab_size=VOCAB, n_embd=32, n_layer=2, n_head=4, n_inner=48, n_positions=128,
                               pad_token_id=PAD, bos_token_id=1, eos_token_id=2),
                  "Conv1D weights, learned positions, LM head tied to wte", False),
    "gpt_neox/parallel": ("gpt_neox", dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2,
                                           num_attention_heads=2, intermediate_size=48, max_position_embeddings=128,
                                           pad_token_id=PAD, bos_token_id=1, eos_token_id=2),
                          "fused per-head query_key_value, rotary on 25% of each head, parallel residual, embed_out",
                          False),
    "gpt_neox/sequential": ("gpt_neox", dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2,
                                             num_attention_heads=2, intermediate_size=48, max_position_embeddings=128,
                                             use_parallel_residual=False, attention_bias=False,
                                             rope_parameters=dict(rope_type="default", rope_theta=1000.0,
                                                                  partial_rotary_factor=0.5),
                                             pad_token_id=PAD, bos_token_id=1, eos_token_id=2),
                            "sequential residual, no attention biases, rotary on half of each head", False),
    "llama/default": ("llama", dict(LLAMA), "grouped-query attention (4 heads, 2 kv heads), untied head", False),
    "llama/linear": ("llama", dict(LLAMA, tie_word_embeddings=True,
                                   rope_parameters=dict(rope_type="linear", factor=2.0, rope_theta=10000.0)),
                     "linear rope scaling, tied head", False),
    "llama/dynamic": ("llama", dict(LLAMA, max_position_embeddings=16,
                                    rope_parameters=dict(rope_type="dynamic", factor=2.0, rope_theta=10000.0)),
                      "dynamic NTK rope past max_position_embeddings 16 (recomputed per call)", True),
    "llama/yarn": ("llama", dict(LLAMA, attention_bias=True, mlp_bias=True,
                                 rope_parameters=dict(rope_type="yarn", factor=4.0, rope_theta=10000.0,
                                                      original_max_position_embeddings=32)),
                   "YaRN rope (attention factor on cos/sin), attention and MLP biases", False),
    "llama/longrope": ("llama", dict(LLAMA, rope_parameters=longrope(4, 16)),
                       "LongRoPE: short factors up to 16 positions, long ones beyond", True),
    "llama/llama3": ("llama", dict(LLAMA, head_dim=16,
                                   rope_parameters=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0,
                                                        high_freq_factor=4.0, original_max_position_embeddings=64,
                                                        rope_theta=500000.0)),
                     "Llama 3.1 rope (low, medium and high frequencies), head_dim 16 != hidden / heads", False),
    "mistral/sliding": ("mistral", dict(LLAMA, sliding_window=6), "sliding window 6 in every layer", False),
    "qwen2/sliding-bias": ("qwen2", dict(LLAMA, tie_word_embeddings=True, use_sliding_window=True, sliding_window=6,
                                         max_window_layers=1),
                           "q/k/v biases, layer 1 sliding (window 6) from max_window_layers, tied head", False),
    "qwen3/qk-norm": ("qwen3", dict(LLAMA, head_dim=16), "RMSNorm on each q and k head, head_dim 16", False),
    "phi3/longrope": ("phi3", dict(LLAMA, num_attention_heads=2, num_key_value_heads=1,
                                   original_max_position_embeddings=48,
                                   rope_parameters=dict(longrope(4, 48), partial_rotary_factor=0.5)),
                      "fused qkv_proj and gate_up_proj, LongRoPE switching to long factors during generation "
                      "(original length 48), rotary on half of each head", True),
    "gemma/tied": ("gemma", dict(LLAMA, num_key_value_heads=1, head_dim=16, tie_word_embeddings=True,
                                 hidden_act="gelu_pytorch_tanh"),
                   "(1 + weight) RMSNorm, sqrt(hidden) embedding scale, multi-query attention, tied head", False),
    "gemma2/softcap": ("gemma2", dict(LLAMA, head_dim=16, tie_word_embeddings=True, sliding_window=6,
                                      query_pre_attn_scalar=12, attn_logit_softcapping=4.0,
                                      final_logit_softcapping=5.0),
                       "attention and final soft-capping, four norms per layer, sliding then global layer, "
                       "query_pre_attn_scalar 12", False),
    "gemma3_text/local-global": ("gemma3_text", dict(LLAMA, num_hidden_layers=3, head_dim=16, tie_word_embeddings=True,
                                                     sliding_window=6, query_pre_attn_scalar=16,
                                                     layer_types=["sliding_attention", "sliding_attention",
                                                                  "full_attention"],
                                                     rope_parameters={
                                                         "sliding_attention": dict(rope_type="default",
                                                                                   rope_theta=10000.0),
                                                         "full_attention": dict(rope_type="linear", factor=8.0,
                                                                                rope_theta=1000000.0)}),
                                 "q/k norms, two local layers (window 6, rope base 1e4) and a global one "
                                 "(rope base 1e6, linear factor 8)", False),
    "mixtral/moe": ("mixtral", dict(LLAMA, intermediate_size=32, num_local_experts=4, num_experts_per_tok=2),
                    "4 experts, top-2, renormalized router weights", False),
    "qwen3_moe/moe": ("qwen3_moe", dict(LLAMA, num_experts=4, num_experts_per_tok=2, moe_intermediate_size=32,
                                        mlp_only_layers=[1], norm_topk_prob=False),
                      "4 experts, top-2 without renormalization, q/k norms, layer 1 dense (mlp_only_layers)", False),
}

# model_type -> the f32 case whose config its bf16 case reuses.
BF16_CASES = {"llama": "llama/default", "gemma2": "gemma2/softcap"}


def spread(model: torch.nn.Module, seed: int, std: float) -> None:
    g = torch.Generator().manual_seed(seed)
    for _, p in sorted(model.named_parameters()):
        p.add_(torch.randn(p.shape, generator=g) * std)


def build(model_type: str, kwargs: dict, seed_name: str, std: float):
    import transformers

    seed = seed_for(seed_name)  # seeds transformers' init too, not only the spread
    config = transformers.AutoConfig.for_model(model_type, **kwargs)
    model = transformers.AutoModelForCausalLM.from_config(config, attn_implementation="eager").eval()
    spread(model, seed, std)
    assert model.config._attn_implementation == "eager"
    return model


def make_inputs(seed_name: str) -> dict[str, torch.Tensor]:
    seed_for(seed_name)
    ids = torch.full((len(LENGTHS), SEQ), PAD, dtype=torch.int64)
    mask = torch.zeros(len(LENGTHS), SEQ, dtype=torch.int64)
    for b, n in enumerate(LENGTHS):
        ids[b, SEQ - n:] = torch.randint(3, VOCAB, (n,))
        mask[b, SEQ - n:] = 1
    positions = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 0)
    return {"input_ids": ids, "attention_mask": mask, "position_ids": positions}


def full_forward(model, inputs):
    out = copy.deepcopy(model)(**inputs, output_hidden_states=True)
    return out.logits, out.hidden_states[-1]


def cached_forward(model, inputs) -> torch.Tensor:
    from transformers import DynamicCache

    fresh = copy.deepcopy(model)
    cache = DynamicCache(config=fresh.config)
    ids, mask, positions = inputs["input_ids"], inputs["attention_mask"], inputs["position_ids"]
    steps = [(0, PREFILL)] + [(t, t + 1) for t in range(PREFILL, SEQ)]
    logits = []
    for start, end in steps:
        out = fresh(input_ids=ids[:, start:end], attention_mask=mask[:, :end], position_ids=positions[:, start:end],
                    past_key_values=cache, use_cache=True)
        logits.append(out.logits)
    return torch.cat(logits, dim=1)


def generate(model, inputs):
    fresh = copy.deepcopy(model)
    fresh.generation_config.eos_token_id = None  # exactly NEW_TOKENS tokens per row
    fresh.generation_config.pad_token_id = PAD
    out = fresh.generate(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"], do_sample=False,
                         max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, output_logits=True,
                         return_dict_in_generate=True)
    generated = out.sequences[:, SEQ:]
    step_logits = torch.stack(out.logits, dim=1).float()  # [batch, steps, vocab]
    top2 = step_logits.topk(2, dim=-1).values
    margins = top2[..., 0] - top2[..., 1]
    assert torch.equal(step_logits.argmax(-1), generated), "greedy tokens are the argmax of the step logits"
    forced_at = (margins < MARGIN).nonzero()
    forced_logits = step_logits[forced_at[:, 0], forced_at[:, 1]] if len(forced_at) else step_logits.new_zeros(0, 0)
    return generated, margins, forced_at, forced_logits


def reload(folder: Path, dtype: torch.dtype | None = None):
    from transformers import AutoModelForCausalLM

    kwargs = {"attn_implementation": "eager"}
    if dtype is not None:
        kwargs["dtype"] = dtype
    model = AutoModelForCausalLM.from_pretrained(str(folder), **kwargs).eval()
    # Fresh (aligned) memory: torch's CPU kernels pick their SIMD path by pointer alignment.
    for _, t in list(model.named_parameters()) + list(model.named_buffers()):
        t.data = t.data.clone()
    return model


def real_positions(mask: torch.Tensor) -> torch.Tensor:
    return mask.bool()[..., None]


def make_case(root: Path, name: str, model_type: str, kwargs: dict, cache_may_differ: bool) -> dict:
    folder = root / name
    model = build(model_type, kwargs, f"decoders/{name}", SPREAD_STD)
    model.save_pretrained(str(folder))
    canonicalize_folder(folder)
    model = reload(folder)
    inputs = make_inputs(f"decoders/{name}/inputs")
    logits, hidden = full_forward(model, inputs)
    cached = cached_forward(model, inputs)
    real = real_positions(inputs["attention_mask"])
    cache_diff = ((cached - logits).abs() * real).max().item()
    expected = {"logits": logits, "last_hidden_state": hidden}
    if cache_diff > 1e-4:
        assert cache_may_differ, f"{name}: transformers' cached logits differ from its full forward by {cache_diff}"
        expected["logits_cached"] = cached
    generated, margins, forced_at, forced_logits = generate(model, inputs)
    expected.update(generated=generated, margins=margins, forced_at=forced_at, forced_logits=forced_logits)
    save_safetensors(folder / "inputs.safetensors", inputs)
    save_safetensors(folder / "expected.safetensors", expected)
    return {"case": name, "cache_diff": cache_diff, "min_margin": margins.min().item(), "forced": len(forced_at),
            "max_abs_logit": logits.abs().max().item()}


def make_bf16_case(root: Path, model_type: str, source: str) -> dict:
    name = f"{model_type}/bf16"
    folder = root / name
    _, kwargs, _, _ = CASES[source]
    model = build(model_type, kwargs, f"decoders/{name}", BF16_STD)
    model.to(torch.bfloat16).save_pretrained(str(folder))
    canonicalize_folder(folder)
    inputs = make_inputs(f"decoders/{name}/inputs")
    in_bf16 = reload(folder)
    assert next(in_bf16.parameters()).dtype == torch.bfloat16, "dtype='auto' should keep bf16"
    logits = in_bf16(**inputs).logits.float()
    logits_f32 = reload(folder, torch.float32)(**inputs).logits
    save_safetensors(folder / "inputs.safetensors", inputs)
    save_safetensors(folder / "expected.safetensors", {"logits": logits, "logits_f32": logits_f32})
    cosine = torch.nn.functional.cosine_similarity(logits.flatten(), logits_f32.flatten(), dim=0).item()
    return {"case": name, "max_abs_bf16_vs_f32": (logits - logits_f32).abs().max().item(), "cosine": cosine}


def write_readme(root: Path, versions: dict, records: list[dict], bf16: list[dict]) -> None:
    lines = [
        "# Tiny random decoders: every architecture of AutoModelForCausalLM",
        "",
        "Generated by `scripts/make_decoder_fixtures.py`; do not edit. See the script's header for what",
        "each file holds. Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + ".",
        "",
        f"Weights: init + N(0, {SPREAD_STD}^2) (bf16 cases: {BF16_STD}), seeded from `decoders/<case>` (crc32);",
        f"inputs from `decoders/<case>/inputs`. Batch of {len(LENGTHS)}, length {SEQ}, left padding (real lengths",
        f"{', '.join(map(str, LENGTHS))}), pad id {PAD}, vocab {VOCAB}; cached runs prefill {PREFILL} columns;",
        f"greedy generation of {NEW_TOKENS} tokens without EOS. Transformers pads position ids with 0.",
        "",
        "| case | what it exercises | max abs logit | transformers cached vs full (real positions) "
        "| min margin | forced steps |",
        "|---|---|---|---|---|---|",
    ]
    for r in records:
        lines.append(f"| `{r['case']}` | {CASES[r['case']][2]} | {r['max_abs_logit']:.2f} | {r['cache_diff']:.2e}"
                     f"{' (kept as logits_cached)' if r['cache_diff'] > 1e-4 else ''} | {r['min_margin']:.2e} | "
                     f"{r['forced']} |")
    lines += ["", "| bf16 case | max abs bf16 vs f32 (transformers) | cosine |", "|---|---|---|"]
    for r in bf16:
        lines.append(f"| `{r['case']}` | {r['max_abs_bf16_vs_f32']:.3e} | {r['cosine']:.6f} |")
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
    root = FIXTURES / "models" / "decoders"
    if root.exists():
        shutil.rmtree(root)
    records = [make_case(root, name, model_type, kwargs, may_differ)
               for name, (model_type, kwargs, _, may_differ) in CASES.items()]
    bf16 = [make_bf16_case(root, model_type, source) for model_type, source in BF16_CASES.items()]
    write_readme(root, versions, records, bf16)
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    print(json.dumps(records + bf16, indent=1))
    print(f"wrote {root} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
