#!/usr/bin/env python3
"""Golden fixtures for PEFT LoRA adapters (developers only; never run in CI).

    . .venv-fixtures/bin/activate          # pins in scripts/fixtures-requirements.txt
    python scripts/make_peft_fixtures.py

Writes tests/fixtures/peft/<case>/ for every case of CASES:
  base/                 a tiny random model saved by save_pretrained (float32, eager attention)
  <adapter>/            adapter_config.json + adapter_model.safetensors as PEFT's save_pretrained writes
                        them, for each adapter of the case; base_model_name_or_path is "../base"
                        (transformers.cpp also looks for a relative base next to the adapter folder)
  inputs.safetensors    input_ids, attention_mask [2, 10] (row 1 padded: on the left for decoders, on
                        the right for encoders); decoders: position_ids (cumsum(mask) - 1, from 0);
                        encoder-decoders: decoder_input_ids [2, 6]
  generate.json         llama only: the prompt GENERATE_PROMPT (tokenized without special tokens by the WordPiece
                        tokenizer base/ carries) and the 8 tokens PEFT's model with adapter "qv" generates
                        greedily (min_new_tokens 8; every step's top-2 margin >= 1e-3)
  pipeline.json         bert only: transformers' pipeline("text-classification", model=<adapter folder>,
                        top_k=None) on TEXTS (base/ carries a WordPiece tokenizer of the model's 96 tokens)
  expected.safetensors  logits_base; logits_<adapter> (the PeftModel with that adapter active);
                        logits_<adapter>_merged (after PEFT's merge_and_unload); for causal LMs
                        greedy_<adapter> [2, 10 + 12] (generate, do_sample=False, 12 new tokens, no EOS)
                        and greedy_<adapter>_margins [2, 12] (top-1 minus top-2 logit per step, >= 1e-3)

tests/fixtures/peft/llama-gguf/: an adapter "qv" (q_proj, v_proj and the Q8_0-stored down_proj) made by PEFT
on the model transformers loads from tests/fixtures/gguf/models/llama/model.gguf (whose base_model_name_or_path
points there, relative to the adapter folder), and expected.safetensors: input_ids [2, 7] (that fixture's),
logits_base and logits_qv of transformers' GGUF model without and with the adapter.

Base parameters are the init plus N(0, 0.25^2); the adapters are made with init_lora_weights=False (A and
B drawn at random, so every adapter changes the logits), a modules_to_save copy is moved by N(0, 0.25^2).
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
from make_fixtures import canonicalize_folder, check_versions, save_safetensors, seed_for, setup_torch  # noqa: E402

SPREAD_STD, VOCAB, SEQ, DECODER_SEQ, NEW_TOKENS, MARGIN = 0.25, 96, 10, 6, 12, 1e-3
LLAMA = dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
             intermediate_size=48, max_position_embeddings=128, pad_token_id=0, bos_token_id=1, eos_token_id=2,
             tie_word_embeddings=False)

# case -> (model_type, auto class, config kwargs, {adapter name: LoraConfig kwargs}, what it exercises)
CASES: dict[str, tuple[str, str, dict, dict[str, dict], str]] = {
    "llama": ("llama", "AutoModelForCausalLM", LLAMA, {
        "qv": dict(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
        "all": dict(r=4, lora_alpha=8, target_modules="all-linear", use_rslora=True, task_type="CAUSAL_LM",
                    rank_pattern={"down_proj": 2}, alpha_pattern={"layers.1.self_attn.o_proj": 5}),
        "regex": dict(r=2, lora_alpha=3, target_modules=r".*layers\.0\.mlp\.(gate|up)_proj", task_type="CAUSAL_LM"),
    }, "PEFT's default q/v targets; all-linear with rsLoRA and rank/alpha patterns; a regex target"),
    "gpt2": ("gpt2", "AutoModelForCausalLM",
             dict(vocab_size=VOCAB, n_embd=32, n_layer=2, n_head=4, n_inner=48, n_positions=128, pad_token_id=0,
                  bos_token_id=1, eos_token_id=2), {
        "attn": dict(r=4, lora_alpha=8, target_modules=["c_attn", "c_proj"], fan_in_fan_out=True,
                     task_type="CAUSAL_LM"),
    }, "Conv1D layers (fan_in_fan_out), the fused c_attn split into q/k/v"),
    "gpt_neox": ("gpt_neox", "AutoModelForCausalLM",
                 dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=48, max_position_embeddings=128, pad_token_id=0, bos_token_id=1,
                      eos_token_id=2), {
        "qkv": dict(r=4, lora_alpha=4, target_modules=["query_key_value", "dense_h_to_4h"], task_type="CAUSAL_LM"),
    }, "the per-head fused query_key_value, whose rows transformers.cpp reorders"),
    "phi3": ("phi3", "AutoModelForCausalLM", dict(LLAMA, num_attention_heads=2, num_key_value_heads=1), {
        "fused": dict(r=4, lora_alpha=8, target_modules=["qkv_proj", "gate_up_proj", "o_proj"],
                      task_type="CAUSAL_LM"),
    }, "fused qkv_proj and gate_up_proj"),
    "bert": ("bert", "AutoModelForSequenceClassification",
             dict(vocab_size=VOCAB, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
                  max_position_embeddings=64, num_labels=3), {
        "cls": dict(r=4, lora_alpha=8, target_modules=["query", "value"], modules_to_save=["classifier"],
                    task_type="SEQ_CLS"),
    }, "an encoder with modules_to_save on the classifier head"),
    "t5": ("t5", "AutoModelForSeq2SeqLM",
           dict(vocab_size=VOCAB, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_heads=4,
                relative_attention_num_buckets=8, pad_token_id=0, eos_token_id=1, decoder_start_token_id=0), {
        "qvo": dict(r=4, lora_alpha=8, target_modules=["q", "v", "wo"], task_type="SEQ_2_SEQ_LM"),
    }, "an encoder-decoder, self- and cross-attention and feed-forward targets"),
}


WORDS = ["the", "a", "movie", "film", "plot", "actor", "story", "is", "was", "not", "very", "good", "bad", "great",
         "terrible", "fun", "boring", "and", "but", "i", "it", "this", "loved", "hated", "liked", "really", "so",
         "too", "long", "short", "ending", "music", "scene", "."]
TEXTS = ["i loved this movie", "the plot was not good but the music was great .", "boring",
         "a really terrible film , so long"]


def save_wordpiece_tokenizer(folder: Path) -> None:
    """A BERT WordPiece tokenizer whose vocabulary is exactly the 96 ids of the tiny model."""
    from transformers import BertTokenizer

    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS + letters + ["##" + c for c in letters]
    vocab += [f"##{w}" for w in ("s", "ed", "ing", "ly", "er", "est")][:VOCAB - len(vocab)]
    assert len(vocab) == VOCAB, len(vocab)
    BertTokenizer(vocab={token: i for i, token in enumerate(vocab)}, do_lower_case=True).save_pretrained(str(folder))


GENERATE_PROMPT = "the movie was not"


def generate_record(model, tokenizer_folder: Path) -> dict:
    from transformers import AutoTokenizer

    ids = AutoTokenizer.from_pretrained(str(tokenizer_folder))(GENERATE_PROMPT, add_special_tokens=False,
                                                               return_tensors="pt").input_ids
    out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=8,
                         min_new_tokens=8, output_scores=True, return_dict_in_generate=True)
    top2 = torch.stack(out.scores, dim=1).float().topk(2, dim=-1).values
    assert (top2[..., 0] - top2[..., 1]).min().item() >= MARGIN
    return {"prompt": GENERATE_PROMPT, "prompt_ids": ids[0].tolist(), "adapter": "qv",
            "generated_token_ids": out.sequences[0, ids.shape[1]:].tolist()}


def pipeline_outputs(adapter_folder: Path) -> list:
    """transformers' pipeline on the adapter folder, run from inside it (base_model_name_or_path "../base" is
    read relative to the working directory)."""
    import transformers

    here = os.getcwd()
    os.chdir(adapter_folder)
    try:
        pipe = transformers.pipeline("text-classification", model=".")
        return [pipe(text, top_k=None) for text in TEXTS]
    finally:
        os.chdir(here)


def spread(module: torch.nn.Module, std: float) -> None:
    for _, p in sorted(module.named_parameters()):
        p.add_(torch.randn(p.shape) * std)


def make_inputs(model_type: str, causal: bool) -> dict[str, torch.Tensor]:
    ids = torch.randint(3, VOCAB - 3, (2, SEQ))
    mask = torch.ones(2, SEQ, dtype=torch.int64)
    if causal:
        ids[1, :3], mask[1, :3] = 0, 0  # left padding, as generation pads
    else:
        ids[1, -3:], mask[1, -3:] = 0, 0
    inputs = {"input_ids": ids, "attention_mask": mask}
    if causal:  # as generate() numbers the tokens of a left-padded row (GPT-2's learned positions see them)
        inputs["position_ids"] = (mask.cumsum(-1) - 1).clamp(min=0)
    if model_type == "t5":
        decoder = torch.randint(3, VOCAB - 3, (2, DECODER_SEQ))
        decoder[:, 0] = 0
        inputs["decoder_input_ids"] = decoder
    return inputs


def greedy(model, inputs) -> tuple[torch.Tensor, torch.Tensor]:
    """generate() numbers a left-padded row's tokens from 0 itself (position_ids not passed)."""
    out = model.generate(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"], do_sample=False,
                         max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, eos_token_id=None, pad_token_id=0,
                         output_scores=True, return_dict_in_generate=True)
    top2 = torch.stack(out.scores, dim=1).float().topk(2, dim=-1).values
    return out.sequences, top2[..., 0] - top2[..., 1]


def make_case(root: Path, name: str) -> dict:
    import peft
    import transformers

    model_type, auto_class, kwargs, adapters, _ = CASES[name]
    folder = root / name
    seed_for(f"peft/{name}")
    config = transformers.AutoConfig.for_model(model_type, **kwargs)
    auto = getattr(transformers, auto_class)
    model = auto.from_config(config, attn_implementation="eager").eval()
    spread(model, SPREAD_STD)
    model.save_pretrained(str(folder / "base"))
    canonicalize_folder(folder / "base")
    if name in ("bert", "llama"):
        save_wordpiece_tokenizer(folder / "base")
    causal = auto_class == "AutoModelForCausalLM"
    seed_for(f"peft/{name}/inputs")
    inputs = make_inputs(model_type, causal)
    expected = {"logits_base": model(**inputs).logits}
    record = {"case": name, "adapters": {}}
    for adapter, lora_kwargs in adapters.items():
        base = auto.from_pretrained(str(folder / "base"), attn_implementation="eager").eval()
        seed_for(f"peft/{name}/{adapter}")
        peft_model = peft.get_peft_model(base, peft.LoraConfig(init_lora_weights=False, **lora_kwargs)).eval()
        for module_name, module in peft_model.named_modules():
            if module_name.endswith("modules_to_save.default"):
                spread(module, SPREAD_STD)
        peft_model.save_pretrained(str(folder / adapter))
        config_path = folder / adapter / "adapter_config.json"
        adapter_config = json.loads(config_path.read_text())
        adapter_config["base_model_name_or_path"] = "../base"
        if isinstance(adapter_config.get("target_modules"), list):  # PEFT writes a set, in no fixed order
            adapter_config["target_modules"] = sorted(adapter_config["target_modules"])
        config_path.write_text(json.dumps(adapter_config, indent=2, sort_keys=True) + "\n")
        (folder / adapter / "README.md").unlink(missing_ok=True)
        canonicalize_folder(folder / adapter)
        logits = peft_model(**inputs).logits
        expected[f"logits_{adapter}"] = logits
        if name == "llama" and adapter == "qv":
            (folder / "generate.json").write_text(json.dumps(generate_record(peft_model, folder / "base"), indent=1)
                                                  + "\n", encoding="utf-8")
        if causal:
            sequences, margins = greedy(peft_model, inputs)
            assert margins.min().item() >= MARGIN, f"{name}/{adapter}: a greedy margin is {margins.min().item()}"
            expected[f"greedy_{adapter}"], expected[f"greedy_{adapter}_margins"] = sequences, margins
        merged = peft_model.merge_and_unload()
        expected[f"logits_{adapter}_merged"] = merged(**inputs).logits
        record["adapters"][adapter] = {
            "change": (logits - expected["logits_base"]).abs().max().item(),
            "merged_vs_unmerged": (expected[f"logits_{adapter}_merged"] - logits).abs().max().item()}
    if name == "bert":
        calls = [{"inputs": t, "kwargs": {"top_k": None}, "output": o}
                 for t, o in zip(TEXTS, pipeline_outputs(folder / next(iter(adapters))))]
        (folder / "pipeline.json").write_text(json.dumps(calls, indent=1) + "\n", encoding="utf-8")
    save_safetensors(folder / "inputs.safetensors", inputs)
    save_safetensors(folder / "expected.safetensors", expected)
    return record


def make_gguf_case(root: Path) -> dict:
    import peft
    import transformers
    from safetensors.torch import load_file

    gguf_folder = FIXTURES / "gguf" / "models" / "llama"
    folder = root / "llama-gguf"
    base = transformers.AutoModelForCausalLM.from_pretrained(str(gguf_folder), gguf_file="model.gguf",
                                                              dtype=torch.float32).eval()
    ids = load_file(str(gguf_folder / "expected.safetensors"))["input_ids"]
    expected = {"input_ids": ids, "logits_base": base(input_ids=ids).logits}
    seed_for("peft/llama-gguf/qv")
    peft_model = peft.get_peft_model(base, peft.LoraConfig(r=4, lora_alpha=8, init_lora_weights=False,
                                                           target_modules=["q_proj", "v_proj", "down_proj"],
                                                           task_type="CAUSAL_LM")).eval()
    peft_model.save_pretrained(str(folder / "qv"))
    config_path = folder / "qv" / "adapter_config.json"
    adapter_config = json.loads(config_path.read_text())
    adapter_config["base_model_name_or_path"] = "../../../gguf/models/llama/model.gguf"
    adapter_config["target_modules"] = sorted(adapter_config["target_modules"])
    config_path.write_text(json.dumps(adapter_config, indent=2, sort_keys=True) + "\n")
    (folder / "qv" / "README.md").unlink(missing_ok=True)
    canonicalize_folder(folder / "qv")
    expected["logits_qv"] = peft_model(input_ids=ids).logits
    save_safetensors(folder / "expected.safetensors", expected)
    change = (expected["logits_qv"] - expected["logits_base"]).abs().max().item()
    return {"case": "llama-gguf", "adapters": {"qv": {"change": change, "merged_vs_unmerged": 0.0}}}


def write_readme(root: Path, versions: dict, records: list[dict]) -> None:
    lines = ["# Tiny random models with PEFT LoRA adapters", "",
             "Generated by `scripts/make_peft_fixtures.py`; do not edit. See the script's header for what each",
             "file holds. Versions: " + ", ".join(f"{k} {v}" for k, v in sorted(versions.items())) + ".", "",
             "| case | what it exercises | adapters (largest logit change from the base; merged vs unmerged) |",
             "|---|---|---|"]
    for r in records:
        adapters = "; ".join(f"`{a}` {v['change']:.2f}, {v['merged_vs_unmerged']:.1e}" for a, v in r["adapters"].items())
        what = CASES[r["case"]][4] if r["case"] in CASES else "a GGUF base (tests/fixtures/gguf/models/llama)"
        lines.append(f"| `{r['case']}` | {what} | {adapters} |")
    (root / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    versions = check_versions("--allow-version-mismatch" in sys.argv)
    setup_torch()
    import peft
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    versions["peft"] = peft.__version__
    root = FIXTURES / "peft"
    if root.exists():
        shutil.rmtree(root)
    records = [make_case(root, name) for name in CASES] + [make_gguf_case(root)]
    write_readme(root, versions, records)
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    print(json.dumps(records, indent=1))
    print(f"wrote {root} ({total / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
