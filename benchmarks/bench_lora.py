#!/usr/bin/env python3
"""What a LoRA adapter costs at decode: SmolLM2-135M (its Q4_1 GGUF dequantized to bf16, or --dtype) through
bench_generate without an adapter, with PEFT adapters unmerged (r=16 on q_proj and v_proj, PEFT's default for
llama; r=16 on every linear layer), and with the q/v adapter merged.

Developers only (CI never runs it). Needs a build with bench_generate and the fixtures venv (torch,
transformers, peft), which makes the adapters: random A and B (init_lora_weights=False) for SmolLM2's
shapes, saved by PEFT as adapter_model.safetensors.

    python benchmarks/bench_lora.py [--build build/release] [--gguf FILE] [--dtype bfloat16]
                                    [--new-tokens 64] [--prompt 16] [--runs 5] [--rounds 3] [--threads 2]

The configurations run in turn, --rounds times (so that the shared machine's drift hits all alike); each
bench_generate call reports the median decode tokens/s of its --runs. Printed: per configuration the median
over rounds and its ratio to the base (target: q/v unmerged >= 0.90, merged ~1.00).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_decode import default_gguf  # noqa: E402  (SmolLM2's GGUF in the Hugging Face cache)
# SmolLM2-135M's shapes (the GGUF's llama.* metadata).
SMOLLM2 = dict(vocab_size=49152, hidden_size=576, intermediate_size=1536, num_hidden_layers=30,
               num_attention_heads=9, num_key_value_heads=3, max_position_embeddings=8192, tie_word_embeddings=True)


def make_adapter(folder: Path, targets) -> None:
    import peft
    import torch
    import transformers

    torch.manual_seed(0)
    config = transformers.LlamaConfig(**SMOLLM2)
    with torch.device("meta"):
        model = transformers.LlamaForCausalLM(config)
    model = model.to_empty(device="cpu")
    peft_model = peft.get_peft_model(model, peft.LoraConfig(r=16, lora_alpha=32, target_modules=targets,
                                                            init_lora_weights=False, task_type="CAUSAL_LM"))
    peft_model.save_pretrained(str(folder))


def decode_rate(binary: Path, gguf: str, args, extra: list[str]) -> float:
    command = [str(binary), "--model", gguf, "--dtype", args.dtype, "--cases", "decode", "--prompt", str(args.prompt),
               "--new-tokens", str(args.new_tokens), "--runs", str(args.runs), "--threads", str(args.threads)] + extra
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        record = json.loads(line)
        if record.get("case") == "decode":
            return record["tokens_per_s"]
    raise SystemExit(f"no decode line from {' '.join(command)}:\n{out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(REPO / "build" / "release"))
    parser.add_argument("--gguf", default=None)
    parser.add_argument("--dtype", default="bfloat16")
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--prompt", type=int, default=16)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    gguf = args.gguf or default_gguf()
    binary = Path(args.build) / "benchmarks" / "bench_generate"
    with tempfile.TemporaryDirectory() as scratch:
        qv, every = Path(scratch) / "qv-r16", Path(scratch) / "all-linear-r16"
        make_adapter(qv, ["q_proj", "v_proj"])
        make_adapter(every, "all-linear")
        configurations = {
            "base": [],
            "lora q,v r16 unmerged": ["--adapter", f"qv={qv}"],
            "lora all-linear r16 unmerged": ["--adapter", f"all={every}"],
            "lora q,v r16 merged": ["--adapter", f"qv={qv}", "--merge"],
        }
        rates: dict[str, list[float]] = {name: [] for name in configurations}
        for _ in range(args.rounds):
            for name, extra in configurations.items():
                rates[name].append(decode_rate(binary, gguf, args, extra))
    base = statistics.median(rates["base"])
    result = {"model": gguf, "dtype": args.dtype, "threads": args.threads, "new_tokens": args.new_tokens,
              "configurations": {name: {"decode_tokens_per_s": statistics.median(r), "samples": r,
                                        "vs_base": statistics.median(r) / base} for name, r in rates.items()}}
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
