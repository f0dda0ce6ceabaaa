#!/usr/bin/env python3
"""Golden test fixtures for transformers.cpp, computed with the Python reference stack.

Developers run this by hand, on purpose, when fixtures must change. CI and the tests never run it;
the committed files under tests/fixtures/ are the reference.

    pip install -r scripts/fixtures-requirements.txt      # ideally inside a fresh virtualenv
    python scripts/make_fixtures.py

The script refuses to run when the installed versions differ from the pins in
scripts/fixtures-requirements.txt (override with --allow-version-mismatch for experiments only).
It works from any current directory and in any virtualenv: paths are taken relative to this file.

What it writes (everything else under tests/fixtures/ is left alone):
  tests/fixtures/VERSIONS.json          exact versions used (python, torch, transformers, ...)
  tests/fixtures/README.md              overview of the directories below
  tests/fixtures/ops/*.safetensors      op-level inputs and expected outputs computed by torch
  tests/fixtures/ops/README.md          generated index: every file, tensor, dtype, shape, metadata
  tests/fixtures/config/*.json          config.json files of transformers' default configs
  tests/fixtures/models/tiny-bert/      tiny random BertForSequenceClassification (+ f16, bf16,
                                        sharded variants), inputs.safetensors, expected.safetensors
  tests/fixtures/models/tiny-distilbert/  tiny random DistilBertForSequenceClassification
  tests/fixtures/models/encoders/       tiny random encoders, <model_type>/<head>/ for bert, distilbert,
                                        roberta, xlm-roberta, camembert, electra, albert, mpnet,
                                        deberta-v2 x base, sequence classification (single-label,
                                        multi-label, regression), token classification, question
                                        answering, masked LM; index in models/encoders/README.md

Determinism: CPU only, float32, one thread, deterministic algorithms, every case seeded from its own
name. safetensors' writer emits the __metadata__ map in hash order, so every written .safetensors
header is rewritten with sorted metadata keys (see canonicalize_safetensors); running the script
twice on one machine gives identical bytes. Float results may differ in the last bits on another
CPU (VERSIONS.json records torch's CPU capability).
"""

from __future__ import annotations

import argparse
import copy
import importlib.metadata
import json
import math
import platform
import re
import shutil
import struct
import sys
import zlib
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors import safe_open
from safetensors.torch import save_file

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
REQUIREMENTS = REPO / "scripts" / "fixtures-requirements.txt"
PINNED = ["torch", "transformers", "tokenizers", "safetensors", "sentencepiece", "numpy"]

F32_MIN = torch.finfo(torch.float32).min


# ----------------------------------------------------------------------------------------------
# environment
# ----------------------------------------------------------------------------------------------

def read_pins() -> dict[str, str]:
    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if not m:
            raise SystemExit(f"{REQUIREMENTS}: cannot parse pin {line!r}")
        pins[m.group(1).lower()] = m.group(2)
    return pins


def installed_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in PINNED:
        versions[name] = importlib.metadata.version(name)
    versions["torch"] = torch.__version__  # keeps the build tag (+cu132, +cpu)
    return versions


def check_versions(allow_mismatch: bool) -> dict[str, str]:
    pins = read_pins()
    versions = installed_versions()
    problems = []
    for name in PINNED:
        want = pins.get(name)
        have = versions[name].split("+", 1)[0]  # torch carries a local tag such as +cu132 / +cpu
        if want is None:
            problems.append(f"{name}: not pinned in {REQUIREMENTS.name}")
        elif have != want:
            problems.append(f"{name}: installed {versions[name]}, pinned {want}")
    if problems:
        msg = "version mismatch:\n  " + "\n  ".join(problems)
        if not allow_mismatch:
            raise SystemExit(msg + f"\nrun: pip install -r {REQUIREMENTS}")
        print("WARNING: " + msg, file=sys.stderr)
    return versions


def setup_torch() -> None:
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.set_default_dtype(torch.float32)
    torch.set_grad_enabled(False)


def seed_for(name: str) -> int:
    """Each case gets its own seed, so adding or removing a case never changes the others."""
    seed = zlib.crc32(name.encode("utf-8"))
    torch.manual_seed(seed)
    return seed


# ----------------------------------------------------------------------------------------------
# safetensors helpers
# ----------------------------------------------------------------------------------------------

def canonicalize_safetensors(path: Path) -> None:
    """Rewrite the header with __metadata__ first and its keys sorted; tensor entries, offsets and
    data stay untouched. The Rust writer serializes the metadata HashMap in random order."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    out = {}
    if "__metadata__" in header:
        out["__metadata__"] = dict(sorted(header.pop("__metadata__").items()))
    out.update(header)  # tensor entries in the writer's (deterministic) order
    text = json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + data)


def save_safetensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str] | None = None):
    tensors = {k: v.detach().cpu().clone().contiguous() for k, v in tensors.items()}  # no shared storage
    if metadata is not None:
        metadata = {str(k): str(v) for k, v in metadata.items()}
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(path), metadata=metadata)
    canonicalize_safetensors(path)
    # read back: the rewrite must not change what a reader sees
    with safe_open(str(path), framework="pt") as f:
        assert set(f.keys()) == set(tensors), path
        assert (f.metadata() or {}) == (metadata or {}), path
        for k in f.keys():
            back = f.get_tensor(k)
            assert back.dtype == tensors[k].dtype and back.shape == tensors[k].shape, (path, k)
            assert torch.equal(back.view(torch.uint8) if back.numel() else back,
                               tensors[k].view(torch.uint8) if back.numel() else tensors[k]), (path, k)


def canonicalize_folder(folder: Path) -> None:
    for p in sorted(folder.rglob("*.safetensors")):
        canonicalize_safetensors(p)


def fmt_float(x: float) -> str:
    return repr(float(x))


def shape_str(t: torch.Tensor) -> str:
    return "[" + ",".join(str(d) for d in t.shape) + "]"


DTYPE_NAMES = {
    torch.float32: "F32", torch.float64: "F64", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
    torch.bool: "BOOL",
}


# ----------------------------------------------------------------------------------------------
# op fixtures
# ----------------------------------------------------------------------------------------------

class OpsWriter:
    def __init__(self, outdir: Path):
        self.outdir = outdir
        self.index: list[tuple[str, str, dict[str, torch.Tensor], dict[str, str]]] = []

    def write(self, name: str, description: str, inputs: dict[str, torch.Tensor], compute,
              meta: dict[str, object], f64_check: bool = True, extra: dict[str, torch.Tensor] | None = None):
        """compute(inputs) -> dict of expected tensors (names start with 'expected').
        With f64_check the same compute runs on float64 copies of the float inputs and the largest
        finite |f32 - f64| per expected tensor goes into the metadata (a hint for tolerances)."""
        expected = compute(inputs)
        assert all(k.startswith("expected") for k in expected), name
        tensors = dict(inputs)
        tensors.update(expected)
        if extra:
            tensors.update(extra)
        metadata = {k: str(v) for k, v in meta.items()}
        metadata["name"] = name
        metadata["description"] = description
        if f64_check:
            inputs64 = {k: (v.double() if v.is_floating_point() else v) for k, v in inputs.items()}
            ref = compute(inputs64)
            diffs = []
            for k in sorted(expected):
                if not expected[k].is_floating_point():
                    continue
                a, b = expected[k].double(), ref[k].double()
                ok = torch.isfinite(a) & torch.isfinite(b)
                d = (a[ok] - b[ok]).abs().max().item() if ok.any() else 0.0
                diffs.append(f"{k}={d:.3e}")
            metadata["max_abs_diff_vs_f64"] = ",".join(diffs)
        save_safetensors(self.outdir / f"{name}.safetensors", tensors, metadata)
        self.index.append((name, description, tensors, metadata))

    def write_readme(self) -> None:
        lines = [
            "# Op-level golden fixtures",
            "",
            "Generated by `scripts/make_fixtures.py` with the versions in `../VERSIONS.json`; do not edit.",
            "Every file is a safetensors file computed by torch on CPU in float32 (one thread).",
            "",
            "Conventions:",
            "- Inputs have the names of the torch call's arguments (`input`, `weight`, `bias`, `other`,",
            "  `mask`, `query`, ...); expected outputs start with `expected`.",
            "- `__metadata__` (string map, keys sorted) always has `op`, `name`, `description` and `expr`",
            "  (the Python expression that produced `expected`), plus the op's parameters",
            "  (`axis`, `eps`, `is_causal`, `scale`, ...). Numbers are Python `repr` of the value.",
            "- `max_abs_diff_vs_f64`: `tensor=value` pairs, the largest |torch f32 result - same expression",
            "  evaluated in float64| over finite entries. It tells how much of a difference is rounding",
            "  noise; the project tolerance is fp32 max abs diff <= 1e-4 unless a test states otherwise.",
            "- Masks are additive float32 masks as transformers builds them: 0 where attended,",
            "  `torch.finfo(torch.float32).min` (-3.4028234663852886e+38) where masked. A fully masked",
            "  row therefore gives a *uniform* softmax (not NaN), which is what transformers produces.",
            "- Attention tensors use torch's layout [batch, heads, seq, head_dim].",
            "- Reductions use keepdim=False. Indices are int64.",
            "- Casts: 16-bit floats are stored as their raw bit patterns in I16 tensors (`*_bits`,",
            "  `tensor.view(torch.int16)`) and, for convenience, also as F16/BF16 tensors; float32 bit",
            "  patterns as I32 (`view(torch.int32)`). NaN payload/sign/quiet bits are implementation",
            "  details: the NaN cases are kept in separate tensors (`input_nan`, ...) so a test can compare",
            "  them by class only. With this torch on an AVX2/AVX-512 CPU every NaN becomes 0xFFFF in",
            "  bfloat16 (ATen's vectorized path; the scalar c10 path gives 0x7FC0), f32->f16 gives the",
            "  quiet NaN 0x7E00 (payload top bits kept), and f16->f32 quiets signalling NaNs.",
            "",
            "## Files",
            "",
        ]
        for name, description, tensors, metadata in self.index:
            lines.append(f"### `{name}.safetensors`")
            lines.append("")
            lines.append(description)
            lines.append("")
            lines.append("| tensor | dtype | shape |")
            lines.append("|---|---|---|")
            for k in sorted(tensors):
                t = tensors[k]
                lines.append(f"| `{k}` | {DTYPE_NAMES[t.dtype]} | {shape_str(t)} |")
            lines.append("")
            lines.append("Metadata:")
            lines.append("")
            for k in sorted(metadata):
                if k in ("description", "name"):
                    continue
                v = metadata[k].replace("|", "\\|")
                lines.append(f"- `{k}`: `{v}`")
            lines.append("")
        (self.outdir / "README.md").write_text("\n".join(lines))


def f32_from_bits(bits: list[int]) -> torch.Tensor:
    ints = [b - (1 << 32) if b >= (1 << 31) else b for b in bits]
    return torch.tensor(ints, dtype=torch.int32).view(torch.float32)


def make_activation_fixtures(w: OpsWriter) -> None:
    from transformers.activations import ACT2FN

    fmax = torch.finfo(torch.float32).max
    tiny = torch.finfo(torch.float32).tiny
    edges = [0.0, -0.0, 1e-7, -1e-7, 1e-30, -1e-30, tiny, -tiny, 1e-45, -1e-45, 0.5, -0.5, 1.0, -1.0,
             3.0, -3.0, 5.5, -5.5, 15.0, -15.0, 20.0, -20.0, 30.0, -30.0, 50.0, -50.0, 88.0, -88.0,
             89.0, -89.0, 100.0, -100.0, 1e4, -1e4, 1e30, -1e30, fmax, -fmax]
    nonfinite = torch.tensor([math.inf, -math.inf, math.nan], dtype=torch.float32)

    cases = [
        # name, hf ACT2FN key, torch expression, function
        ("gelu", "gelu", "torch.nn.functional.gelu(input)  # exact erf form", lambda x: F.gelu(x)),
        ("gelu_tanh", "gelu_pytorch_tanh", "torch.nn.functional.gelu(input, approximate='tanh')",
         lambda x: F.gelu(x, approximate="tanh")),
        ("gelu_new", "gelu_new",
         "0.5*input*(1+torch.tanh(math.sqrt(2/math.pi)*(input+0.044715*torch.pow(input,3))))  # transformers NewGELUActivation (GPT-2)",
         lambda x: 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))),
        ("quick_gelu", "quick_gelu", "input*torch.sigmoid(1.702*input)", lambda x: x * torch.sigmoid(1.702 * x)),
        ("silu", "silu", "torch.nn.functional.silu(input)", lambda x: F.silu(x)),
        ("relu", "relu", "torch.relu(input)", lambda x: torch.relu(x)),
        ("tanh", "tanh", "torch.tanh(input)", lambda x: torch.tanh(x)),
        ("sigmoid", "sigmoid", "torch.sigmoid(input)", lambda x: torch.sigmoid(x)),
    ]
    for op, hf_name, expr, fn in cases:
        name = f"act_{op}"
        seed_for(name)
        grid = torch.linspace(-10.0, 10.0, 2001, dtype=torch.float32)
        rnd = torch.randn(256) * 4.0
        x = torch.cat([grid, torch.tensor(edges, dtype=torch.float32), rnd])

        # transformers' own activation must agree bit for bit with the expression we record
        hf = ACT2FN[hf_name]
        assert torch.equal(hf(x), fn(x)), f"ACT2FN[{hf_name!r}] differs from {expr}"

        w.write(
            name,
            f"Activation `{op}` (transformers ACT2FN['{hf_name}']) on a 2001-point grid over [-10, 10], "
            f"edge values (+-0, subnormals, +-1e30, +-finfo.max, ...) and 256 N(0, 16) samples. "
            f"`input_nonfinite` = [inf, -inf, nan] with its result in `expected_nonfinite`.",
            {"input": x, "input_nonfinite": nonfinite},
            lambda t, fn=fn: {"expected": fn(t["input"]), "expected_nonfinite": fn(t["input_nonfinite"])},
            {"op": op, "hf_act": hf_name, "expr": expr},
        )


def masked_rows_mask(lengths: list[int], L: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded 0/1 attention mask [B, L] (int64) and the additive mask [B, 1, 1, L]."""
    am = torch.zeros(len(lengths), L, dtype=torch.int64)
    for b, n in enumerate(lengths):
        am[b, :n] = 1
    additive = torch.where(am.bool(), 0.0, F32_MIN).to(torch.float32)[:, None, None, :]
    return am, additive


def make_softmax_fixtures(w: OpsWriter) -> None:
    for op, fn, expr in [("softmax", torch.softmax, "torch.softmax"), ("log_softmax", torch.log_softmax, "torch.log_softmax")]:
        name = f"{op}_axis-1"
        seed_for(name)
        x = torch.randn(2, 3, 4, 7) * 3.0
        w.write(name, f"{op} over the last axis of a [2,3,4,7] tensor.", {"input": x},
                lambda t, fn=fn: {"expected": fn(t["input"], dim=-1)},
                {"op": op, "axis": -1, "masked": "false", "expr": f"{expr}(input, dim=-1)"})

        name = f"{op}_axis-1_masked"
        seed_for(name)
        x = torch.randn(3, 2, 4, 7) * 3.0
        _, mask = masked_rows_mask([7, 4, 0], 7)  # batch 2 is fully masked
        w.write(name,
                f"{op} over the last axis of input + mask, mask [3,1,1,7] broadcast over heads and "
                f"queries: batch 0 unmasked, batch 1 keys 4..6 masked, batch 2 fully masked "
                f"(uniform result). Mask entries are 0 or finfo(float32).min.",
                {"input": x, "mask": mask},
                lambda t, fn=fn: {"expected": fn(t["input"] + t["mask"], dim=-1)},
                {"op": op, "axis": -1, "masked": "true", "expr": f"{expr}(input + mask, dim=-1)"})

        name = f"{op}_axis1"
        seed_for(name)
        x = torch.randn(2, 5, 3, 4) * 3.0
        w.write(name, f"{op} over axis 1 (a middle axis) of a [2,5,3,4] tensor.", {"input": x},
                lambda t, fn=fn: {"expected": fn(t["input"], dim=1)},
                {"op": op, "axis": 1, "masked": "false", "expr": f"{expr}(input, dim=1)"})

        name = f"{op}_axis-1_long"
        seed_for(name)
        x = torch.randn(3, 1037) * 5.0
        x[2, 100] = 80.0  # one dominant logit
        w.write(name, f"{op} over a long last axis (1037, not a multiple of any SIMD width).", {"input": x},
                lambda t, fn=fn: {"expected": fn(t["input"], dim=-1)},
                {"op": op, "axis": -1, "masked": "false", "expr": f"{expr}(input, dim=-1)"})


def make_norm_fixtures(w: OpsWriter) -> None:
    for eps in (1e-12, 1e-5):
        name = f"layer_norm_eps{eps:g}"
        seed_for(name)
        x = torch.randn(2, 7, 32) * 2.0 + 0.5
        x[0, 0] = 3.0                                  # constant row: variance 0, output = bias
        x[1, 6] = 100.0 + torch.randn(32)              # large mean: needs a stable variance
        weight = 1.0 + 0.1 * torch.randn(32)
        bias = 0.1 * torch.randn(32)
        w.write(name,
                f"layer_norm over the last axis (32) with weight and bias, eps={eps!r}. Row [0,0] is "
                f"constant (variance 0), row [1,6] has mean ~100.",
                {"input": x, "weight": weight, "bias": bias},
                lambda t, eps=eps: {"expected": F.layer_norm(t["input"], (t["input"].shape[-1],), t["weight"], t["bias"], eps)},
                {"op": "layer_norm", "eps": fmt_float(eps), "axis": -1, "normalized_shape": "[32]",
                 "expr": f"torch.nn.functional.layer_norm(input, (32,), weight, bias, eps={eps!r})"})

    name = "layer_norm_eps1e-12_h384"
    seed_for(name)
    x = torch.randn(3, 384) * 1.5 - 0.25
    weight = 1.0 + 0.1 * torch.randn(384)
    bias = 0.1 * torch.randn(384)
    w.write(name, "layer_norm over a 384-wide last axis (MiniLM hidden size), eps=1e-12.",
            {"input": x, "weight": weight, "bias": bias},
            lambda t: {"expected": F.layer_norm(t["input"], (384,), t["weight"], t["bias"], 1e-12)},
            {"op": "layer_norm", "eps": fmt_float(1e-12), "axis": -1, "normalized_shape": "[384]",
             "expr": "torch.nn.functional.layer_norm(input, (384,), weight, bias, eps=1e-12)"})

    from transformers.models.llama.modeling_llama import LlamaRMSNorm

    def rms(t, eps):
        x = t["input"]
        return {"expected": (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)) * t["weight"]}

    for eps, shape in ((1e-6, (2, 7, 64)), (1e-5, (2, 7, 64)), (1e-6, (3, 384))):
        hidden = shape[-1]
        name = f"rms_norm_eps{eps:g}" + ("" if hidden == 64 else f"_h{hidden}")
        seed_for(name)
        x = torch.randn(*shape) * 1.5
        x.view(-1, hidden)[0] = 0.0                    # zero row: output 0
        weight = 1.0 + 0.1 * torch.randn(hidden)
        mod = LlamaRMSNorm(hidden, eps=eps)
        mod.weight.copy_(weight)
        assert torch.equal(mod(x), rms({"input": x, "weight": weight}, eps)["expected"])
        w.write(name,
                f"LLaMA-style rms_norm over the last axis ({hidden}), eps={eps!r}; identical to "
                f"transformers' LlamaRMSNorm in float32. The first row is all zeros.",
                {"input": x, "weight": weight},
                lambda t, eps=eps: rms(t, eps),
                {"op": "rms_norm", "eps": fmt_float(eps), "axis": -1,
                 "expr": f"(input * torch.rsqrt(input.pow(2).mean(-1, keepdim=True) + {eps!r})) * weight"})


def make_linear_fixtures(w: OpsWriter) -> None:
    for in_shape, out_features, wscale in (((2, 7, 32), 48, 0.2), ((1, 1, 384), 1536, 0.05)):
        in_features = in_shape[-1]
        name = "linear_" + "x".join(map(str, in_shape)) + f"_{out_features}"
        seed_for(name)
        x = torch.randn(*in_shape)
        weight = torch.randn(out_features, in_features) * wscale
        bias = torch.randn(out_features) * 0.1
        w.write(name,
                f"linear: input {list(in_shape)} x weight [{out_features},{in_features}] (out, in), "
                f"`expected` with bias, `expected_nobias` without.",
                {"input": x, "weight": weight, "bias": bias},
                lambda t: {"expected": F.linear(t["input"], t["weight"], t["bias"]),
                           "expected_nobias": F.linear(t["input"], t["weight"])},
                {"op": "linear", "in_features": in_features, "out_features": out_features,
                 "expr": "torch.nn.functional.linear(input, weight, bias); expected_nobias: torch.nn.functional.linear(input, weight)"})


def make_matmul_fixtures(w: OpsWriter) -> None:
    cases = [
        ("matmul_bcast_rhs2d", (2, 3, 5, 8), (8, 6), False, False,
         "batched [2,3,5,8] @ 2-D [8,6]: the right operand broadcasts over both batch axes"),
        ("matmul_bcast_batch", (2, 1, 5, 8), (1, 3, 8, 6), False, False,
         "[2,1,5,8] @ [1,3,8,6] -> [2,3,5,6]: batch axes broadcast from both sides"),
        ("matmul_transpose_b", (2, 4, 5, 8), (2, 4, 7, 8), False, True,
         "input @ other^T (the Q.K^T pattern): [2,4,5,8] @ [2,4,7,8]^T -> [2,4,5,7]"),
        ("matmul_transpose_a", (2, 8, 5), (2, 8, 6), True, False,
         "input^T @ other: [2,8,5]^T @ [2,8,6] -> [2,5,6]"),
    ]
    for name, a_shape, b_shape, ta, tb, desc in cases:
        seed_for(name)
        a = torch.randn(*a_shape)
        b = torch.randn(*b_shape)

        def compute(t, ta=ta, tb=tb):
            x = t["input"].transpose(-1, -2) if ta else t["input"]
            y = t["other"].transpose(-1, -2) if tb else t["other"]
            return {"expected": torch.matmul(x, y)}

        expr = "torch.matmul(" + ("input.transpose(-1, -2)" if ta else "input") + ", " + \
               ("other.transpose(-1, -2)" if tb else "other") + ")"
        w.write(name, f"matmul: {desc}. The stored operands are not transposed; "
                      f"`transpose_a`/`transpose_b` say what the op must do.",
                {"input": a, "other": b}, compute,
                {"op": "matmul", "transpose_a": str(ta).lower(), "transpose_b": str(tb).lower(), "expr": expr})


def make_embedding_fixture(w: OpsWriter) -> None:
    name = "embedding"
    seed_for(name)
    weight = torch.randn(99, 32)
    ids = torch.randint(0, 99, (2, 7), dtype=torch.int64)
    ids[0, 0] = 0
    ids[1, 6] = 98
    ids[1, 0] = ids[0, 3]  # a repeated id
    w.write(name, "embedding lookup: ids [2,7] (int64, includes 0 and 98) into a [99,32] table.",
            {"input": ids, "weight": weight},
            lambda t: {"expected": F.embedding(t["input"], t["weight"])},
            {"op": "embedding", "expr": "torch.nn.functional.embedding(input, weight)"})


def eager_attention(q, k, v, mask=None, scale=None):
    """transformers' eager_attention_forward: softmax(q k^T * scale + mask) v (softmax in float32)."""
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = torch.matmul(q, k.transpose(2, 3)) * scale
    if mask is not None:
        scores = scores + mask
    probs = torch.softmax(scores, dim=-1, dtype=scores.dtype)
    return torch.matmul(probs, v)


def causal_additive(lq: int, lk: int) -> torch.Tensor:
    """Bottom-right aligned causal mask [lq, lk] (query i sits at position lk - lq + i), as
    transformers builds it when a KV cache holds lk - lq earlier tokens."""
    qpos = torch.arange(lk - lq, lk)[:, None]
    kpos = torch.arange(lk)[None, :]
    return torch.where(kpos <= qpos, 0.0, F32_MIN).to(torch.float32)


def make_attention_fixtures(w: OpsWriter) -> None:
    from transformers.models.llama.modeling_llama import repeat_kv

    sdpa = F.scaled_dot_product_attention
    common = {"layout": "[batch,heads,seq,head_dim]", "scale": "1/sqrt(head_dim)", "dropout_p": 0.0}

    # padding mask
    name = "attention_padding"
    seed_for(name)
    q, k, v = torch.randn(2, 4, 6, 8), torch.randn(2, 4, 6, 8), torch.randn(2, 4, 6, 8)
    am, mask = masked_rows_mask([6, 4], 6)
    w.write(name,
            "scaled_dot_product_attention with a right-padding mask: attention_mask [2,6] (batch 1 has "
            "4 real tokens) turned into the additive mask [2,1,1,6] = (1 - attention_mask) * finfo.min. "
            "`expected_eager` is transformers' eager path (matmul, +mask, softmax, matmul).",
            {"query": q, "key": k, "value": v, "mask": mask},
            lambda t: {"expected": sdpa(t["query"], t["key"], t["value"], attn_mask=t["mask"]),
                       "expected_eager": eager_attention(t["query"], t["key"], t["value"], t["mask"])},
            {**common, "op": "attention", "is_causal": "false", "num_heads": 4, "num_kv_heads": 4,
             "expr": "torch.nn.functional.scaled_dot_product_attention(query, key, value, attn_mask=mask)"},
            extra={"attention_mask": am})

    # causal, square
    name = "attention_causal"
    seed_for(name)
    q, k, v = torch.randn(2, 4, 6, 8), torch.randn(2, 4, 6, 8), torch.randn(2, 4, 6, 8)
    w.write(name,
            "scaled_dot_product_attention with is_causal=True, Lq = Lk = 6 (no mask tensor).",
            {"query": q, "key": k, "value": v},
            lambda t: {"expected": sdpa(t["query"], t["key"], t["value"], is_causal=True),
                       "expected_eager": eager_attention(t["query"], t["key"], t["value"], causal_additive(6, 6))},
            {**common, "op": "attention", "is_causal": "true", "num_heads": 4, "num_kv_heads": 4,
             "expr": "torch.nn.functional.scaled_dot_product_attention(query, key, value, is_causal=True)"})

    # causal with a KV cache (Lq < Lk) and left padding, mask given explicitly
    name = "attention_causal_kv_cache"
    seed_for(name)
    q, k, v = torch.randn(2, 4, 3, 8), torch.randn(2, 4, 7, 8), torch.randn(2, 4, 7, 8)
    am = torch.tensor([[1] * 7, [0, 0, 1, 1, 1, 1, 1]], dtype=torch.int64)  # batch 1 left-padded
    pad = torch.where(am.bool(), 0.0, F32_MIN).to(torch.float32)[:, None, None, :]
    mask = torch.minimum(causal_additive(3, 7)[None, None], pad)  # [2,1,3,7]
    w.write(name,
            "decoding step with a KV cache: 3 new queries against 7 keys. Explicit additive mask "
            "[2,1,3,7] = bottom-right causal (query i sees keys 0..4+i) combined with left padding "
            "(batch 1: keys 0,1 are padding), entries 0 or finfo.min.",
            {"query": q, "key": k, "value": v, "mask": mask},
            lambda t: {"expected": sdpa(t["query"], t["key"], t["value"], attn_mask=t["mask"]),
                       "expected_eager": eager_attention(t["query"], t["key"], t["value"], t["mask"])},
            {**common, "op": "attention", "is_causal": "false (causality is in mask)", "num_heads": 4,
             "num_kv_heads": 4,
             "expr": "torch.nn.functional.scaled_dot_product_attention(query, key, value, attn_mask=mask)"},
            extra={"attention_mask": am})

    # grouped-query attention
    name = "attention_gqa_causal"
    seed_for(name)
    q, k, v = torch.randn(2, 8, 5, 16), torch.randn(2, 2, 5, 16), torch.randn(2, 2, 5, 16)
    assert torch.equal(repeat_kv(k, 4), k.repeat_interleave(4, dim=1))

    def gqa(t):
        kk, vv = repeat_kv(t["key"], 4), repeat_kv(t["value"], 4)
        return {"expected": sdpa(t["query"], kk, vv, is_causal=True),
                "expected_eager": eager_attention(t["query"], kk, vv, causal_additive(5, 5))}

    w.write(name,
            "grouped-query attention, causal: query has 8 heads, key/value 2 heads; query head h uses "
            "kv head h // 4 (transformers' repeat_kv == repeat_interleave(4, dim=1)).",
            {"query": q, "key": k, "value": v}, gqa,
            {**common, "op": "attention", "is_causal": "true", "num_heads": 8, "num_kv_heads": 2,
             "expr": "torch.nn.functional.scaled_dot_product_attention(query, repeat_kv(key, 4), repeat_kv(value, 4), is_causal=True)"})

    # fully masked batch row
    name = "attention_fully_masked"
    seed_for(name)
    q, k, v = torch.randn(2, 4, 5, 8), torch.randn(2, 4, 5, 8), torch.randn(2, 4, 5, 8)
    am, mask = masked_rows_mask([3, 0], 5)
    w.write(name,
            "padding mask where batch 1 is fully masked (attention_mask all 0): with finite finfo.min "
            "masking every key gets the same score, so the softmax is uniform and the output is the mean "
            "of value over all keys (no NaN). Batch 0 has 3 real tokens.",
            {"query": q, "key": k, "value": v, "mask": mask},
            lambda t: {"expected": sdpa(t["query"], t["key"], t["value"], attn_mask=t["mask"]),
                       "expected_eager": eager_attention(t["query"], t["key"], t["value"], t["mask"])},
            {**common, "op": "attention", "is_causal": "false", "num_heads": 4, "num_kv_heads": 4,
             "expr": "torch.nn.functional.scaled_dot_product_attention(query, key, value, attn_mask=mask)"},
            extra={"attention_mask": am})


def make_rope_fixture(w: OpsWriter) -> None:
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding, apply_rotary_pos_emb

    name = "rope_llama"
    seed_for(name)
    cfg = LlamaConfig(hidden_size=64, num_attention_heads=4, num_key_value_heads=2, head_dim=16,
                      max_position_embeddings=64)
    rotary = LlamaRotaryEmbedding(config=cfg)
    q, k = torch.randn(2, 4, 6, 16), torch.randn(2, 2, 6, 16)
    pos = torch.stack([torch.arange(6), torch.arange(3, 9)]).to(torch.int64)

    def compute(t):
        cos, sin = rotary(t["query"], t["position_ids"])
        if t["query"].dtype != cos.dtype:  # f64 check: keep the f32 tables, compute in f64
            cos, sin = cos.to(t["query"].dtype), sin.to(t["query"].dtype)
        qe, ke = apply_rotary_pos_emb(t["query"], t["key"], cos, sin)
        return {"expected_query": qe, "expected_key": ke, "expected_cos": cos, "expected_sin": sin}

    theta = cfg.rope_parameters["rope_theta"] if hasattr(cfg, "rope_parameters") else cfg.rope_theta
    w.write(name,
            "LLaMA rotary position embedding (rotate_half convention, default rope type) from "
            "transformers' LlamaRotaryEmbedding + apply_rotary_pos_emb. head_dim 16, position_ids "
            "[2,6] (batch 1 starts at 3). cos/sin are [2,6,16] = cat(freqs, freqs).",
            {"query": q, "key": k, "position_ids": pos}, compute,
            {"op": "rope", "rope_theta": fmt_float(theta), "head_dim": 16, "rope_type": "default",
             "expr": "inv_freq = 1/theta**(arange(0,16,2)/16); freqs = pos*inv_freq; emb = cat(freqs,freqs); "
                     "x*cos(emb) + rotate_half(x)*sin(emb), rotate_half(x) = cat(-x[..., 8:], x[..., :8])"})


def make_reduction_fixtures(w: OpsWriter) -> None:
    seed_for("reduce_input")
    # multiples of 0.25 in [-2, 2]: plenty of ties for max/argmax, and sums are exact in f32
    x = torch.randint(-8, 9, (3, 5, 7)).to(torch.float32) * 0.25
    for axis in (0, 1, 2):
        w.write(f"reduce_sum_axis{axis}", f"sum over axis {axis} of [3,5,7] (multiples of 0.25: exact).",
                {"input": x}, lambda t, a=axis: {"expected": torch.sum(t["input"], dim=a)},
                {"op": "sum", "axis": axis, "keepdim": "false", "expr": f"torch.sum(input, dim={axis})"})
        w.write(f"reduce_mean_axis{axis}", f"mean over axis {axis} of [3,5,7].",
                {"input": x}, lambda t, a=axis: {"expected": torch.mean(t["input"], dim=a)},
                {"op": "mean", "axis": axis, "keepdim": "false", "expr": f"torch.mean(input, dim={axis})"})
        w.write(f"reduce_max_axis{axis}",
                f"max over axis {axis} of [3,5,7] with ties; `expected_indices` is the index of the "
                f"first maximal value (torch's documented tie rule).",
                {"input": x},
                lambda t, a=axis: dict(zip(("expected", "expected_indices"), torch.max(t["input"], dim=a))),
                {"op": "max", "axis": axis, "keepdim": "false", "expr": f"torch.max(input, dim={axis})"})
        w.write(f"argmax_axis{axis}", f"argmax over axis {axis} of [3,5,7] with ties (first maximal index).",
                {"input": x}, lambda t, a=axis: {"expected": torch.argmax(t["input"], dim=a)},
                {"op": "argmax", "axis": axis, "keepdim": "false", "expr": f"torch.argmax(input, dim={axis})"},
                f64_check=False)

    seed_for("reduce_long_input")
    xl = 10.0 + torch.randn(4, 4099)
    w.write("reduce_sum_long", "sum over a long last axis: [4,4099] values ~ 10 + N(0,1) (accumulation order matters).",
            {"input": xl}, lambda t: {"expected": torch.sum(t["input"], dim=-1)},
            {"op": "sum", "axis": -1, "keepdim": "false", "expr": "torch.sum(input, dim=-1)"})
    w.write("reduce_mean_long", "mean over a long last axis: [4,4099] values ~ 10 + N(0,1).",
            {"input": xl}, lambda t: {"expected": torch.mean(t["input"], dim=-1)},
            {"op": "mean", "axis": -1, "keepdim": "false", "expr": "torch.mean(input, dim=-1)"})

    seed_for("topk_input")
    # distinct values, so the order of the top-k is unambiguous
    xt = (torch.randperm(3 * 5 * 37).to(torch.float32) / 100.0 - 2.5).reshape(3, 5, 37)
    for axis, kk in ((-1, 5), (1, 3)):
        w.write(f"topk_k{kk}_axis{axis}",
                f"topk k={kk} along axis {axis} of [3,5,37] (distinct values), largest=True, sorted=True: "
                f"`expected` values, `expected_indices` int64.",
                {"input": xt},
                lambda t, a=axis, kk=kk: dict(zip(("expected", "expected_indices"),
                                                   torch.topk(t["input"], kk, dim=a, largest=True, sorted=True))),
                {"op": "topk", "k": kk, "axis": axis, "largest": "true", "sorted": "true",
                 "expr": f"torch.topk(input, {kk}, dim={axis}, largest=True, sorted=True)"})


def make_cast_fixtures(w: OpsWriter) -> None:
    # ---- f32 -> f16
    name = "cast_f32_to_f16"
    seed_for(name)
    specials_bits = [
        0x00000000, 0x80000000,              # +0, -0
        0x3F800000, 0xBF800000,              # +-1
        0x477FE000,                          # 65504 (f16 max)
        0x477FE001, 0x477FEFFF,              # just above 65504: round down to 65504
        0x477FF000,                          # 65520: tie between 65504 and 65536 -> even -> inf
        0x477FF001, 0x47800000,              # > 65520 -> inf; 65536 -> inf
        0x47C35000,                          # 1e5 -> inf
        0x7F7FFFFF, 0xFF7FFFFF,              # +-finfo(f32).max -> +-inf
        0x7F800000, 0xFF800000,              # +-inf
        0x33800000, 0xB3800000,              # +-2^-24 (smallest f16 subnormal)
        0x33000000, 0xB3000000,              # +-2^-25: tie between 0 and 2^-24 -> even -> +-0
        0x33000001,                          # just above 2^-25 -> 2^-24
        0x33400000,                          # 1.5 * 2^-25 -> 2^-24
        0x33C00000,                          # 3 * 2^-25: tie between 2^-24 and 2^-23 -> 2^-23 (even)
        0x32800000,                          # 2^-26 -> 0
        0x38800000,                          # 2^-14 (smallest f16 normal)
        0x387FC000,                          # 2^-14 - 2^-24 (largest f16 subnormal)
        0x387FE000,                          # tie between largest subnormal and 2^-14 -> 2^-14 (even)
        0x3F801000,                          # 1 + 2^-11: tie -> 1 (even)
        0x3F803000,                          # 1 + 3*2^-11: tie -> 1 + 2^-9 (even)
        0x3F801001,                          # 1 + 2^-11 + ulp -> 1 + 2^-10
        0x45001000, 0x45003000,              # 2049 -> 2048, 2051 -> 2052 (integer ties)
        0x3DCCCCCD, 0x3EAAAAAB, 0x40490FDB,  # 0.1, 1/3, pi
        0x00000001, 0x807FFFFF, 0x00800000,  # f32 subnormals / smallest normal -> +-0
    ]
    x_special = f32_from_bits(specials_bits)
    # random values covering every f16 exponent and beyond (2^-27 .. 2^17), random mantissas, both signs
    n = 1024
    exps = torch.randint(-27, 18, (n,))
    mant = torch.rand(n) + 1.0
    sign = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    x_rand = (sign * mant * torch.pow(2.0, exps.to(torch.float32))).to(torch.float32)
    x = torch.cat([x_special, x_rand])
    x_nan = f32_from_bits([0x7FC00000, 0xFFC00000, 0x7FC12345, 0x7F800001])

    def to16(t, dt):
        y = t["input"].to(dt)
        yn = t["input_nan"].to(dt)
        return {"expected": y, "expected_bits": y.view(torch.int16), "expected_nan_bits": yn.view(torch.int16)}

    w.write(name,
            f"float32 -> float16 (round to nearest even, overflow to inf, subnormals kept). The first "
            f"{len(specials_bits)} inputs are special values (ties, subnormals, 65504/65520, 2^-24, 2^-25, "
            f"inf, -0, ...), then {n} random values whose exponents cover 2^-27..2^17. `input_bits` "
            f"holds the float32 bit patterns. `input_nan` = [qNaN, -qNaN, qNaN with payload, sNaN].",
            {"input": x, "input_nan": x_nan}, lambda t: to16(t, torch.float16),
            {"op": "cast", "from": "F32", "to": "F16", "rounding": "nearest-even",
             "num_special": len(specials_bits), "expr": "input.to(torch.float16).view(torch.int16)"},
            f64_check=False,
            extra={"input_bits": x.view(torch.int32)})

    # ---- f32 -> bf16
    name = "cast_f32_to_bf16"
    seed_for(name)
    specials_bits = [
        0x00000000, 0x80000000, 0x3F800000, 0xBF800000,
        0x7F800000, 0xFF800000,              # +-inf
        0x7F7F0000,                          # bf16 max (3.3895e38)
        0x7F7F7FFF,                          # below the tie -> bf16 max
        0x7F7F8000,                          # tie between bf16 max (odd) and inf -> inf
        0x7F7FFFFF, 0xFF7FFFFF,              # finfo(f32).max -> inf
        0x3F808000,                          # 1 + 2^-8: tie -> 1 (even)
        0x3F818000,                          # 1 + 3*2^-8: tie -> 1 + 2^-6 (even)
        0x3F808001,                          # 1 + 2^-8 + ulp -> 1 + 2^-7
        0x3F80FFFF,                          # rounds up into the next bf16
        0x3FFFFFFF,                          # rounds up into the next binade (2.0)
        0x00000001, 0x80000001,              # smallest f32 subnormal -> +-0
        0x00008000,                          # subnormal tie -> 0 (even)
        0x00018000,                          # subnormal tie -> 0x0002 (even)
        0x00010000, 0x007F0000, 0x007FFFFF,  # bf16 subnormals are kept (no flush to zero)
        0x00800000,                          # smallest f32 normal (exact in bf16)
        0x47800000, 0x477FF000, 0x477FE000,  # 65536, 65520, 65504
        0x33800000, 0x33000000,              # 2^-24, 2^-25 (exact in bf16)
        0x3DCCCCCD, 0x3EAAAAAB, 0x40490FDB,  # 0.1, 1/3, pi
    ]
    x_special = f32_from_bits(specials_bits)
    n = 1024
    rbits = torch.randint(0, 1 << 31, (n,), dtype=torch.int64)
    rbits = rbits[((rbits >> 23) & 0xFF) != 0xFF]          # drop inf/NaN patterns
    sign = torch.randint(0, 2, rbits.shape, dtype=torch.int64) << 31
    rbits = rbits | sign
    rbits = torch.where(rbits >= (1 << 31), rbits - (1 << 32), rbits).to(torch.int32)
    x_rand = rbits.view(torch.float32)
    x = torch.cat([x_special, x_rand])
    x_nan = f32_from_bits([0x7FC00000, 0xFFC00000, 0x7FC12345, 0x7F800001])
    w.write(name,
            f"float32 -> bfloat16 (round to nearest even, overflow to inf, subnormals kept). The first "
            f"{len(specials_bits)} inputs are special values, then {x_rand.numel()} random float32 bit "
            f"patterns (all exponents, no inf/NaN). `input_nan` = [qNaN, -qNaN, qNaN with payload, sNaN].",
            {"input": x, "input_nan": x_nan}, lambda t: to16(t, torch.bfloat16),
            {"op": "cast", "from": "F32", "to": "BF16", "rounding": "nearest-even",
             "num_special": len(specials_bits), "expr": "input.to(torch.bfloat16).view(torch.int16)"},
            f64_check=False,
            extra={"input_bits": x.view(torch.int32)})

    # ---- f16 -> f32 and bf16 -> f32: ~2000 bit patterns covering every exponent, both signs
    def patterns(exp_bits: int, mant_bits: int, fixed: list[int], per: int) -> torch.Tensor:
        out = []
        mmask = (1 << mant_bits) - 1
        for s in (0, 1):
            for e in range(1 << exp_bits):
                ms = [m & mmask for m in fixed]
                extra_m = torch.randint(0, 1 << mant_bits, (per * 2,)).tolist()
                for m in extra_m:
                    if len(ms) >= per:
                        break
                    if m not in ms:
                        ms.append(m)
                for m in sorted(set(ms)):
                    out.append((s << (exp_bits + mant_bits)) | (e << mant_bits) | m)
        v = torch.tensor(out, dtype=torch.int64)
        v = torch.where(v >= 1 << 15, v - (1 << 16), v).to(torch.int16)
        return v

    for src, dt, exp_bits, mant_bits, fixed, per in (
        ("F16", torch.float16, 5, 10, [0, 1, 2, 3, 0x155, 0x200, 0x2AA, 0x3FE, 0x3FF], 32),
        ("BF16", torch.bfloat16, 8, 7, [0, 1, 0x40, 0x7F], 4),
    ):
        name = f"cast_{src.lower()}_to_f32"
        seed_for(name)
        bits = patterns(exp_bits, mant_bits, fixed, per)
        nan_exp = (1 << exp_bits) - 1
        is_nan = (((bits.to(torch.int64) & 0xFFFF) >> mant_bits) & nan_exp == nan_exp) & \
                 ((bits.to(torch.int64) & ((1 << mant_bits) - 1)) != 0)
        bits_num, bits_nan = bits[~is_nan], bits[is_nan]

        def up(t, dt=dt):
            y = t["input_bits"].view(dt).to(torch.float32)
            yn = t["input_nan_bits"].view(dt).to(torch.float32)
            return {"expected": y, "expected_bits": y.view(torch.int32), "expected_nan_bits": yn.view(torch.int32)}

        w.write(name,
                f"{src} -> float32 (exact). `input_bits` holds {bits_num.numel()} {src} bit patterns "
                f"(I16): both signs x all {1 << exp_bits} exponent values x several mantissas (0, 1, max, "
                f"random), incl. zeros, subnormals and inf; `input_nan_bits` the {bits_nan.numel()} NaN "
                f"patterns. `input` is the same data as an {src} tensor.",
                {"input_bits": bits_num, "input_nan_bits": bits_nan}, up,
                {"op": "cast", "from": src, "to": "F32", "expr": f"input_bits.view(torch.{str(dt).split('.')[-1]}).to(torch.float32)"},
                f64_check=False,
                extra={"input": bits_num.view(dt)})


def make_ops(outdir: Path) -> None:
    w = OpsWriter(outdir)
    make_activation_fixtures(w)
    make_softmax_fixtures(w)
    make_norm_fixtures(w)
    make_linear_fixtures(w)
    make_matmul_fixtures(w)
    make_embedding_fixture(w)
    make_attention_fixtures(w)
    make_rope_fixture(w)
    make_reduction_fixtures(w)
    make_cast_fixtures(w)
    w.write_readme()


# ----------------------------------------------------------------------------------------------
# config fixtures
# ----------------------------------------------------------------------------------------------

def make_configs(outdir: Path) -> None:
    from transformers import (AlbertConfig, BertConfig, DebertaV2Config, DistilBertConfig, ElectraConfig,
                              GPT2Config, LlamaConfig, MPNetConfig, RobertaConfig, T5Config, XLMRobertaConfig)

    outdir.mkdir(parents=True, exist_ok=True)
    for cls in (BertConfig, DistilBertConfig, RobertaConfig, XLMRobertaConfig, ElectraConfig, AlbertConfig,
                MPNetConfig, DebertaV2Config, GPT2Config, LlamaConfig, T5Config):
        cfg = cls()
        cfg.to_json_file(str(outdir / f"{cfg.model_type}.json"))  # as save_pretrained writes it

    # a fine-tuned classifier: architectures + a tiny id2label
    cfg = BertConfig(architectures=["BertForSequenceClassification"],
                     id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1})
    cfg.to_json_file(str(outdir / "bert-sequence-classification.json"))

    # multi-label classifier: problem_type set (sigmoid instead of softmax in the pipeline)
    labels = ["toxic", "insult", "threat", "obscene"]
    cfg = DistilBertConfig(architectures=["DistilBertForSequenceClassification"],
                           problem_type="multi_label_classification",
                           id2label=dict(enumerate(labels)), label2id={l: i for i, l in enumerate(labels)})
    cfg.to_json_file(str(outdir / "distilbert-multi-label.json"))

    # every attribute, not only the non-default ones (older Hub files look like this)
    BertConfig().to_json_file(str(outdir / "bert-full.json"), use_diff=False)


# ----------------------------------------------------------------------------------------------
# tiny model fixtures
# ----------------------------------------------------------------------------------------------

ID2LABEL = {0: "NEG", 1: "NEU", 2: "POS"}
LABEL2ID = {v: k for k, v in ID2LABEL.items()}
PERTURB_STD = 0.1


def perturb(model: torch.nn.Module, seed: int) -> None:
    """Add N(0, PERTURB_STD^2) to every parameter. The default init leaves biases at 0 and LayerNorm
    at (1, 0) and keeps attention almost uniform, which would hide bugs in those paths."""
    g = torch.Generator().manual_seed(seed)
    for _, p in sorted(model.named_parameters()):
        p.add_(torch.randn(p.shape, generator=g) * PERTURB_STD)


def tiny_inputs(seed_name: str, with_token_types: bool) -> dict[str, torch.Tensor]:
    seed_for(seed_name)
    lengths, L = [8, 6, 3], 8
    ids = torch.randint(5, 99, (3, L), dtype=torch.int64)
    ids[:, 0] = 2                                   # a "[CLS]"-like first token
    am = torch.zeros(3, L, dtype=torch.int64)
    tt = torch.zeros(3, L, dtype=torch.int64)
    for b, n in enumerate(lengths):
        am[b, :n] = 1
        ids[b, n:] = 0                              # pad_token_id
        tt[b, n // 2:n] = 1                         # second segment; padding keeps type 0
    out = {"input_ids": ids, "attention_mask": am}
    if with_token_types:
        out["token_type_ids"] = tt
    return out


def run_model(model, inputs) -> dict[str, torch.Tensor]:
    out = model(**inputs, output_hidden_states=True)
    res = {"logits": out.logits}
    for i, h in enumerate(out.hidden_states):
        res[f"hidden_states_{i}"] = h
    res["last_hidden_state"] = out.hidden_states[-1]
    return res


def save_model_folder(model, folder: Path, **kwargs) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(folder), **kwargs)  # transformers 5 always writes safetensors
    canonicalize_folder(folder)
    for p in folder.glob("*.json"):
        json.loads(p.read_text())  # sanity


def make_tiny_bert(folder: Path) -> None:
    from transformers import BertConfig, BertForSequenceClassification

    cfg = BertConfig(vocab_size=99, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=37, hidden_act="gelu", hidden_dropout_prob=0.1,
                     attention_probs_dropout_prob=0.1, max_position_embeddings=512, type_vocab_size=16,
                     initializer_range=0.02, num_labels=3, id2label=ID2LABEL, label2id=LABEL2ID,
                     attn_implementation="eager")
    seed = seed_for("tiny-bert")
    model = BertForSequenceClassification(cfg).eval()
    perturb(model, seed)
    assert model.config._attn_implementation == "eager"

    inputs = tiny_inputs("tiny-bert-inputs", with_token_types=True)
    expected = run_model(model, inputs)
    expected["pooler_output"] = model.bert(**inputs).pooler_output

    save_model_folder(model, folder)
    save_safetensors(folder / "inputs.safetensors", inputs)
    save_safetensors(folder / "expected.safetensors", expected)

    # half-precision checkpoints: weights rounded to f16/bf16 (config.json says dtype).
    # expected: forward in f32 on the upcast weights (what a C++ implementation that upcasts should
    # match to 1e-4); *_native: torch's own forward in the half dtype on CPU (looser).
    for sub, dt in (("f16", torch.float16), ("bf16", torch.bfloat16)):
        half = copy.deepcopy(model).to(dt).eval()
        save_model_folder(half, folder / sub)
        up = copy.deepcopy(half).to(torch.float32).eval()
        exp = {k: v for k, v in run_model(up, inputs).items() if k in ("logits", "last_hidden_state")}
        nat = run_model(half, inputs)
        exp["logits_native"] = nat["logits"]
        exp["last_hidden_state_native"] = nat["last_hidden_state"]
        save_safetensors(folder / sub / "expected.safetensors", exp)

    # sharded checkpoint (same weights as the f32 model: use ../expected.safetensors)
    save_model_folder(model, folder / "sharded", max_shard_size="20KB")
    assert (folder / "sharded" / "model.safetensors.index.json").exists()


def make_tiny_distilbert(folder: Path) -> None:
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    cfg = DistilBertConfig(vocab_size=99, dim=32, n_layers=2, n_heads=4, hidden_dim=37, activation="gelu",
                           dropout=0.1, attention_dropout=0.1, max_position_embeddings=512,
                           initializer_range=0.02, num_labels=3, id2label=ID2LABEL, label2id=LABEL2ID,
                           attn_implementation="eager")
    seed = seed_for("tiny-distilbert")
    model = DistilBertForSequenceClassification(cfg).eval()
    perturb(model, seed)
    assert model.config._attn_implementation == "eager"

    inputs = tiny_inputs("tiny-distilbert-inputs", with_token_types=False)
    expected = run_model(model, inputs)
    save_model_folder(model, folder)
    save_safetensors(folder / "inputs.safetensors", inputs)
    save_safetensors(folder / "expected.safetensors", expected)


# ----------------------------------------------------------------------------------------------
# tiny encoder zoo: every architecture x head the C++ side implements
# ----------------------------------------------------------------------------------------------

ENC_SEQ = 9                  # padded length of inputs.safetensors
ENC_LENGTHS = [9, 6, 3]      # real lengths; row 0 is a sentence pair
ENC_COMMON = dict(vocab_size=99, hidden_size=16, num_hidden_layers=2, num_attention_heads=4,
                  intermediate_size=37, hidden_act="gelu", hidden_dropout_prob=0.1,
                  attention_probs_dropout_prob=0.1, initializer_range=0.02)

# model_type -> (class prefix, config kwargs mirroring the real checkpoint's config.json in tiny,
#                special ids {pad, cls, sep} used to build the inputs, pair template, token types,
#                notes for the README).
# "bert" pair template: [CLS] a a a [SEP] b b b [SEP]; "roberta": <s> a a </s> </s> b b b </s>.
ENCODER_ARCHS: dict[str, dict] = {
    "bert": dict(
        prefix="Bert",
        config=dict(ENC_COMMON, max_position_embeddings=64, type_vocab_size=2, layer_norm_eps=1e-12,
                    pad_token_id=0),
        ids=dict(pad=0, cls=2, sep=3), template="bert", token_types=True,
        notes="bert-base-uncased: type_vocab_size 2, pad 0, LayerNorm eps 1e-12, absolute positions. "
              "CLS/SEP are the stand-ins 2/3 (the real 101/102 exceed the tiny vocab)."),
    "distilbert": dict(
        prefix="DistilBert",
        config=dict(vocab_size=99, dim=16, n_layers=2, n_heads=4, hidden_dim=37, activation="gelu",
                    dropout=0.1, attention_dropout=0.1, max_position_embeddings=64,
                    sinusoidal_pos_embds=False, initializer_range=0.02, pad_token_id=0),
        ids=dict(pad=0, cls=2, sep=3), template="bert", token_types=False,
        notes="distilbert-base-uncased: no token types (no token_type_ids input), no pooler, "
              "LayerNorm eps 1e-12 (hard-coded), pad 0. CLS/SEP stand-ins 2/3."),
    "roberta": dict(
        prefix="Roberta",
        config=dict(ENC_COMMON, max_position_embeddings=66, type_vocab_size=1, layer_norm_eps=1e-5,
                    pad_token_id=1, bos_token_id=0, eos_token_id=2),
        ids=dict(pad=1, cls=0, sep=2), template="roberta", token_types=False,
        notes="roberta-base: positions offset by padding_idx 1 (max_position_embeddings = 64 + 2), "
              "type_vocab_size 1 (token_type_ids not passed: the tokenizer does not return them), "
              "eps 1e-5, pad 1, <s> 0, </s> 2."),
    "xlm-roberta": dict(
        prefix="XLMRoberta",
        config=dict(ENC_COMMON, max_position_embeddings=66, type_vocab_size=1, layer_norm_eps=1e-5,
                    pad_token_id=1, bos_token_id=0, eos_token_id=2),
        ids=dict(pad=1, cls=0, sep=2), template="roberta", token_types=False,
        notes="xlm-roberta-base: same layout as RoBERTa (padding_idx 1 position offset, "
              "max_position_embeddings 64 + 2, type_vocab_size 1, eps 1e-5), <s> 0, </s> 2."),
    "camembert": dict(
        prefix="Camembert",
        config=dict(ENC_COMMON, max_position_embeddings=66, type_vocab_size=1, layer_norm_eps=1e-5,
                    pad_token_id=1, bos_token_id=5, eos_token_id=6),
        ids=dict(pad=1, cls=5, sep=6), template="roberta", token_types=False,
        notes="camembert-base: RoBERTa layout (padding_idx 1 position offset, max_position_embeddings "
              "64 + 2, type_vocab_size 1, eps 1e-5) with <s> 5, </s> 6 as in its config/tokenizer."),
    "electra": dict(
        prefix="Electra",
        config=dict(ENC_COMMON, embedding_size=8, max_position_embeddings=64, type_vocab_size=2,
                    layer_norm_eps=1e-12, pad_token_id=0),
        ids=dict(pad=0, cls=2, sep=3), template="bert", token_types=True,
        notes="electra-small-discriminator layout: embedding_size 8 < hidden 16, so "
              "`embeddings_project` (Linear 8->16) runs after the embedding LayerNorm (hidden_states_0 "
              "is the projected output); no pooler; type_vocab_size 2, eps 1e-12, pad 0. "
              "Masked LM = generator head (dense 16->8, gelu, LayerNorm(8), generator_lm_head tied "
              "to the word embeddings). CLS/SEP stand-ins 2/3."),
    "albert": dict(
        prefix="Albert",
        config=dict(ENC_COMMON, hidden_act="gelu_new", embedding_size=8, num_hidden_groups=1,
                    inner_group_num=1, max_position_embeddings=64, type_vocab_size=2, layer_norm_eps=1e-12,
                    classifier_dropout_prob=0.1, pad_token_id=0, bos_token_id=2, eos_token_id=3),
        ids=dict(pad=0, cls=2, sep=3), template="bert", token_types=True,
        notes="albert-base-v2: embedding_size 8 (factorized embeddings, "
              "`encoder.embedding_hidden_mapping_in` 8->16 gives hidden_states_0), one shared layer "
              "group (num_hidden_groups 1, inner_group_num 1: both layers use the same weights), "
              "hidden_act gelu_new, pooler (tanh), masked LM head dense 16->8 + gelu_new + LayerNorm(8) + "
              "decoder tied to the word embeddings [99, 8], type_vocab_size 2, eps 1e-12, pad 0, [CLS] 2, [SEP] 3."),
    "mpnet": dict(
        prefix="MPNet",
        config=dict(ENC_COMMON, max_position_embeddings=66, layer_norm_eps=1e-5,
                    relative_attention_num_buckets=32, pad_token_id=1, bos_token_id=0, eos_token_id=2),
        ids=dict(pad=1, cls=0, sep=2), template="roberta", token_types=False,
        notes="microsoft/mpnet-base: RoBERTa-style positions (padding_idx 1 offset, so "
              "max_position_embeddings 64 + 2 like the real 514), no token types, eps 1e-5, T5-style "
              "bidirectional relative attention bias (relative_attention_num_buckets 32, max_distance "
              "128, owned by encoder.relative_attention_bias, added in every layer), pooler (tanh)."),
    "deberta-v2": dict(
        prefix="DebertaV2",
        config=dict(ENC_COMMON, max_position_embeddings=64, type_vocab_size=0, layer_norm_eps=1e-7,
                    relative_attention=True, position_buckets=8, max_relative_positions=-1,
                    pos_att_type="p2c|c2p", norm_rel_ebd="layer_norm", share_att_key=True,
                    position_biased_input=False, pad_token_id=0),
        ids=dict(pad=0, cls=1, sep=2), template="bert", token_types=True,
        notes="microsoft/deberta-v3-small made tiny: relative_attention true, position_buckets 8 "
              "(real 256), max_relative_positions -1 (-> max_position_embeddings), pos_att_type "
              "[p2c, c2p], norm_rel_ebd layer_norm, share_att_key true, position_biased_input false "
              "(no absolute position embeddings), type_vocab_size 0 (no token type embeddings: "
              "token_type_ids are passed as the tokenizer returns them but ignored), eps 1e-7, pad 0, "
              "[CLS] 1, [SEP] 2. No pooler in the base model; sequence classification uses its own "
              "ContextPooler (dense + gelu on h[:,0]). Masked LM uses the legacy head "
              "(config.legacy default true: cls.predictions.*, BERT-like)."),
}

ENC_LABELS_SINGLE = ["NEG", "NEU", "POS"]
ENC_LABELS_MULTI = ["toxic", "insult", "threat", "obscene"]
ENC_LABELS_TOKEN = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]

# head folder -> (class suffix, Auto class, config kwargs, output names)
ENCODER_HEADS: dict[str, tuple[str, str, dict, list[str]]] = {
    "base": ("Model", "AutoModel", {}, ["last_hidden_state", "pooler_output"]),
    "sequence-classification-single-label": (
        "ForSequenceClassification", "AutoModelForSequenceClassification",
        dict(problem_type="single_label_classification", id2label=dict(enumerate(ENC_LABELS_SINGLE)),
             label2id={l: i for i, l in enumerate(ENC_LABELS_SINGLE)}), ["logits"]),
    "sequence-classification-multi-label": (
        "ForSequenceClassification", "AutoModelForSequenceClassification",
        dict(problem_type="multi_label_classification", id2label=dict(enumerate(ENC_LABELS_MULTI)),
             label2id={l: i for i, l in enumerate(ENC_LABELS_MULTI)}), ["logits"]),
    "sequence-classification-regression": (
        "ForSequenceClassification", "AutoModelForSequenceClassification",
        dict(problem_type="regression", num_labels=1), ["logits"]),
    "token-classification": (
        "ForTokenClassification", "AutoModelForTokenClassification",
        dict(id2label=dict(enumerate(ENC_LABELS_TOKEN)), label2id={l: i for i, l in enumerate(ENC_LABELS_TOKEN)}),
        ["logits"]),
    "question-answering": ("ForQuestionAnswering", "AutoModelForQuestionAnswering", {},
                           ["start_logits", "end_logits"]),
    "masked-lm": ("ForMaskedLM", "AutoModelForMaskedLM", {}, ["logits"]),
}


def encoder_inputs(arch: str) -> dict[str, torch.Tensor]:
    """Right-padded batch [3, 9]: row 0 a sentence pair, rows 1-2 single sentences (lengths 6, 3).
    Word ids in [3, 98] (never the pad id); first token cls/bos, segments closed by sep/eos."""
    spec = ENCODER_ARCHS[arch]
    ids_spec = spec["ids"]
    seed_for(f"encoders/{arch}/inputs")
    ids = torch.full((3, ENC_SEQ), ids_spec["pad"], dtype=torch.int64)
    am = torch.zeros(3, ENC_SEQ, dtype=torch.int64)
    tt = torch.zeros(3, ENC_SEQ, dtype=torch.int64)
    cls, sep = ids_spec["cls"], ids_spec["sep"]
    for b, n in enumerate(ENC_LENGTHS):
        words = torch.randint(3, 99, (n,), dtype=torch.int64)
        row = words.clone()
        row[0] = cls
        row[n - 1] = sep
        if b == 0:  # pair
            if spec["template"] == "bert":      # [CLS] a a a [SEP] | b b b [SEP]
                row[4] = sep
                tt[b, 5:n] = 1
            else:                                # <s> a a </s> </s> b b b </s>
                row[3] = sep
                row[4] = sep
        ids[b, :n] = row
        am[b, :n] = 1
    assert ((ids >= 3) & (ids <= 98) | (am == 0) | (ids == cls) | (ids == sep)).all()
    out = {"input_ids": ids, "attention_mask": am}
    if spec["token_types"]:
        out["token_type_ids"] = tt
    return out


def encoder_model(arch: str, head: str, seed: int):
    import transformers

    spec = ENCODER_ARCHS[arch]
    suffix, _, head_kwargs, _ = ENCODER_HEADS[head]
    cfg_cls = transformers.AutoConfig.for_model(arch).__class__
    kwargs = dict(spec["config"])
    kwargs.update(head_kwargs)
    cfg = cfg_cls(**kwargs, attn_implementation="eager")
    model = getattr(transformers, spec["prefix"] + suffix)(cfg).eval()
    perturb(model, seed)
    assert model.config._attn_implementation == "eager"
    return model


def encoder_outputs(model, head: str, inputs) -> dict[str, torch.Tensor]:
    out = model(**inputs, output_hidden_states=True)
    res = {}
    for name in ENCODER_HEADS[head][3]:
        v = getattr(out, name, None)
        if v is not None:
            res[name] = v
    for i, h in enumerate(out.hidden_states):
        res[f"hidden_states_{i}"] = h
    if "last_hidden_state" in res:
        assert torch.equal(res["last_hidden_state"], out.hidden_states[-1])
    res["last_hidden_state"] = out.hidden_states[-1]
    return res


def tied_keys_dropped(model, folder: Path) -> list[str]:
    """Parameters of the module tree (tied duplicates included) that save_pretrained left out."""
    with safe_open(str(folder / "model.safetensors"), framework="pt") as f:
        in_file = set(f.keys())
    all_params = {n for n, _ in model.named_parameters(remove_duplicate=False)}
    return sorted(all_params - in_file)


def make_encoders(root: Path) -> list[dict]:
    import transformers

    records = []
    for arch in ENCODER_ARCHS:
        inputs = encoder_inputs(arch)
        for head, (suffix, auto_name, _, _) in ENCODER_HEADS.items():
            folder = root / arch / head
            seed = seed_for(f"encoders/{arch}/{head}")
            model = encoder_model(arch, head, seed)
            expected = encoder_outputs(model, head, inputs)
            save_model_folder(model, folder)
            save_safetensors(folder / "inputs.safetensors", inputs)
            save_safetensors(folder / "expected.safetensors", expected)
            dropped = tied_keys_dropped(model, folder)
            with safe_open(str(folder / "model.safetensors"), framework="pt") as f:
                prefix = model.base_model_prefix + "."
                head_keys = sorted(k for k in f.keys() if head != "base" and not k.startswith(prefix))

            # the folder must load with the Auto class and give the same numbers bit for bit
            auto = getattr(transformers, auto_name)
            back, info = auto.from_pretrained(str(folder), attn_implementation="eager", output_loading_info=True)
            back.eval()
            assert type(back) is type(model), (arch, head, type(back))
            assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"], \
                (arch, head, info)
            # Weights loaded from the file may sit at addresses that are not 64-byte aligned, and torch's
            # CPU kernels (e.g. the out_features=1 GEMV) then take another SIMD path that differs in the
            # last bit. Copy them to fresh (aligned) memory: this checks the file contents exactly.
            for _, t in list(back.named_parameters()) + list(back.named_buffers()):
                t.data = t.data.clone()
            again = encoder_outputs(back, head, inputs)
            assert again.keys() == expected.keys(), (arch, head)
            for k in expected:
                assert torch.equal(again[k], expected[k]), (arch, head, k)

            records.append(dict(arch=arch, head=head, cls=type(model).__name__, auto=auto_name,
                                problem_type=model.config.problem_type, num_labels=model.config.num_labels,
                                dropped=dropped, head_keys=head_keys, seed=seed))
    return records


def write_encoders_readme(root: Path, records: list[dict]) -> None:
    lines = [
        "# Tiny random encoders: every architecture x head",
        "",
        "Generated by `scripts/make_fixtures.py` (`make_encoders`); do not edit.",
        "",
        "Folder `<model_type>/<head>/` = a Hugging Face model folder written by `save_pretrained`",
        "(`config.json`, `model.safetensors`, float32, eval mode, eager attention) plus",
        "`inputs.safetensors` and `expected.safetensors`. Sizes: hidden 16, 2 layers, 4 heads (head_dim 4),",
        "intermediate 37, vocab 99, 64 positions (+2 for the padding_idx-offset models); hidden is 16,",
        "not the testers' 32, to keep this directory under ~4 MB. Other settings mirror each",
        "architecture's real base checkpoint (notes below).",
        f"Every parameter is transformers' init + N(0, {PERTURB_STD}^2); the weights are seeded",
        "from `encoders/<model_type>/<head>` (crc32), the inputs from `encoders/<model_type>/inputs`",
        "(same inputs for every head of one architecture).",
        "",
        f"Inputs (int64, [3, {ENC_SEQ}]): right padding with the model's pad id, real lengths "
        f"{', '.join(map(str, ENC_LENGTHS))}; word ids in [3, 98].",
        "Row 0 is a sentence pair, rows 1-2 single sentences:",
        "- BERT-style (bert, distilbert, electra, albert, deberta-v2): `[CLS] a a a [SEP] b b b [SEP]`,",
        "  `token_type_ids` 0 0 0 0 0 1 1 1 1 in row 0 (0 elsewhere, padding 0); rows 1-2 `[CLS] ... [SEP]`.",
        "- RoBERTa-style (roberta, xlm-roberta, camembert, mpnet): `<s> a a </s> </s> b b b </s>`.",
        "- `token_type_ids` is present for bert, electra, albert, deberta-v2 (what their tokenizers",
        "  return) and absent for distilbert, roberta, xlm-roberta, camembert, mpnet.",
        "",
        "`expected.safetensors` (float32): the head's outputs, `hidden_states_0` (embedding output as",
        "the encoder sees it) .. `hidden_states_2`, and `last_hidden_state` (= `hidden_states_2`).",
        "Padded positions are included. `pooler_output` only in `base/` of models with a pooler",
        "(bert, roberta, xlm-roberta, camembert, albert, mpnet).",
        "",
        "Heads (folder -> class, outputs):",
        "- `base`: `<Arch>Model` (AutoModel): `last_hidden_state` [3,9,16], `pooler_output` [3,16] if any.",
        "- `sequence-classification-single-label`: problem_type single_label_classification, 3 labels",
        f"  {ENC_LABELS_SINGLE}: `logits` [3,3].",
        "- `sequence-classification-multi-label`: problem_type multi_label_classification, 4 labels",
        f"  {ENC_LABELS_MULTI}: `logits` [3,4].",
        "- `sequence-classification-regression`: problem_type regression, 1 label: `logits` [3,1].",
        f"- `token-classification`: 5 labels {ENC_LABELS_TOKEN}: `logits` [3,9,5].",
        "- `question-answering`: `start_logits`, `end_logits` [3,9].",
        "- `masked-lm`: `logits` [3,9,99]. The decoder weight is tied to the word embeddings and",
        "  `save_pretrained` leaves the tied copies out of `model.safetensors` (listed per folder",
        "  below); a loader must re-tie them.",
        "",
        "Every folder was reloaded with its Auto class (`attn_implementation=\"eager\"`) without missing",
        "or unexpected keys and reproduced `expected.safetensors` bit for bit (after copying the loaded",
        "weights to fresh memory: torch's CPU kernels pick their SIMD path by pointer alignment, so a",
        "forward on the unaligned loaded tensors can differ by ~1 ulp, e.g. 3e-8 in a 1-label logit).",
        "",
        "## Architecture notes",
        "",
    ]
    for arch, spec in ENCODER_ARCHS.items():
        lines.append(f"- `{arch}`: {spec['notes']}")
    lines += ["", "## Folders", ""]
    for r in records:
        folder = root / r["arch"] / r["head"]
        lines.append(f"### `{r['arch']}/{r['head']}`")
        lines.append("")
        lines.append(f"- class `{r['cls']}` ({r['auto']}), problem_type `{r['problem_type']}`, "
                     f"num_labels {r['num_labels']}")
        if r["head_keys"]:
            lines.append("- head tensors in `model.safetensors` (outside the base model): " +
                         ", ".join(f"`{k}`" for k in r["head_keys"]))
        lines.append("- not in `model.safetensors` (tied): " +
                     (", ".join(f"`{k}`" for k in r["dropped"]) if r["dropped"] else "none"))
        for fname in ("inputs.safetensors", "expected.safetensors"):
            lines.append(f"- `{fname}`")
            lines.extend(describe_st(folder / fname))
        lines.append("")
    (root / "README.md").write_text("\n".join(lines))


# ----------------------------------------------------------------------------------------------
# READMEs and main
# ----------------------------------------------------------------------------------------------

def describe_st(path: Path) -> list[str]:
    lines = []
    with safe_open(str(path), framework="pt") as f:
        for k in sorted(f.keys()):
            t = f.get_slice(k)
            lines.append(f"  - `{k}`: {t.get_dtype()} {list(t.get_shape())}")
    return lines


def write_top_readme(root: Path) -> None:
    lines = [
        "# Test fixtures",
        "",
        "The parts listed here are generated by `scripts/make_fixtures.py` (developers only; see its",
        "header) with the versions recorded in `VERSIONS.json`. Regenerate only on purpose and commit",
        "the result; the build and the tests never run Python.",
        "",
        "- `ops/`: op-level inputs/expected outputs computed by torch; index in `ops/README.md`.",
        "- `config/`: `config.json` files written by transformers' config classes",
        "  (`<model_type>.json` = `Config().to_json_file()`, i.e. exactly what `save_pretrained` writes",
        "  for a default config). Extra files: `bert-sequence-classification.json` (architectures +",
        "  id2label NEGATIVE/POSITIVE), `distilbert-multi-label.json` (problem_type",
        "  multi_label_classification, 4 labels), `bert-full.json` (`use_diff=False`: every attribute).",
        "- `models/tiny-bert/`, `models/tiny-distilbert/`: tiny random sequence classifiers with the",
        "  sizes of transformers' model testers (hidden 32, 2 layers, 4 heads, intermediate 37, vocab 99,",
        "  max_position 512, num_labels 3 with id2label NEG/NEU/POS; BERT type_vocab_size 16),",
        f"  eager attention, eval mode. Every parameter is transformers' init + N(0, {PERTURB_STD}^2) so",
        "  biases and LayerNorm parameters are not trivial. Each folder is a normal Hugging Face model",
        "  folder (`config.json`, `model.safetensors`) plus:",
        "  - `inputs.safetensors`: batch of 3, length 8, right padding (real lengths 8, 6, 3), pad id 0,",
        "    int64. DistilBERT has no `token_type_ids`.",
        "  - `expected.safetensors` (f32): `logits` [3,3], `hidden_states_0` (embeddings output) ..",
        "    `hidden_states_2`, `last_hidden_state` (= `hidden_states_2`) [3,8,32], and for BERT",
        "    `pooler_output` [3,32]. Padded positions are included (they attend to the real tokens).",
        "  - `tiny-bert/f16/`, `tiny-bert/bf16/`: the same model saved in float16 / bfloat16",
        "    (`config.json` has `dtype`). Their `expected.safetensors`: `logits`, `last_hidden_state`",
        "    from a float32 forward on the upcast half weights; `*_native` from torch's CPU forward in",
        "    the half dtype (stored in that dtype; looser tolerance).",
        "  - `tiny-bert/sharded/`: the f32 model saved with `max_shard_size=\"20KB\"`",
        "    (`model.safetensors.index.json` + `model-0000i-of-0000N.safetensors`); compare with",
        "    `tiny-bert/expected.safetensors` and `tiny-bert/inputs.safetensors`.",
        "- `models/encoders/<model_type>/<head>/`: tiny random encoders for every architecture x head",
        "  (bert, distilbert, roberta, xlm-roberta, camembert, electra, albert, mpnet, deberta-v2 x base,",
        "  sequence classification single-label / multi-label / regression, token classification,",
        "  question answering, masked LM); conventions and the tensor list in `models/encoders/README.md`.",
        "",
        "## Model fixture tensors",
        "",
    ]
    models = root / "models"
    for p in sorted(models.rglob("*.safetensors")):
        if p.name.startswith("model") or p.relative_to(models).parts[0] == "encoders":
            continue  # encoders/ has its own README
        lines.append(f"- `{p.relative_to(root)}`")
        lines.extend(describe_st(p))
    lines.append("")
    (root / "README.md").write_text("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--allow-version-mismatch", action="store_true",
                    help="run even if installed versions differ from scripts/fixtures-requirements.txt")
    ap.add_argument("--out", type=Path, default=FIXTURES, help="fixtures root (default: tests/fixtures)")
    args = ap.parse_args()

    versions = check_versions(args.allow_version_mismatch)
    setup_torch()
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()

    root: Path = args.out
    root.mkdir(parents=True, exist_ok=True)
    owned = [root / "ops", root / "config", root / "models" / "tiny-bert", root / "models" / "tiny-distilbert",
             root / "models" / "encoders"]
    for d in owned:
        if d.exists():
            shutil.rmtree(d)

    make_ops(root / "ops")
    make_configs(root / "config")
    make_tiny_bert(root / "models" / "tiny-bert")
    make_tiny_distilbert(root / "models" / "tiny-distilbert")
    records = make_encoders(root / "models" / "encoders")
    write_encoders_readme(root / "models" / "encoders", records)

    versions["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    (root / "VERSIONS.json").write_text(json.dumps(versions, indent=2, sort_keys=True) + "\n")
    write_top_readme(root)

    total = sum(p.stat().st_size for d in owned for p in d.rglob("*") if p.is_file())
    print(f"wrote fixtures under {root} ({total / 1024:.0f} KiB in generated folders)")


if __name__ == "__main__":
    main()
