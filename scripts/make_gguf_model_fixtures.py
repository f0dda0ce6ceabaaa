#!/usr/bin/env python3
"""Golden fixtures for GGUF checkpoints: tiny models of every family transformers.cpp reads from GGUF,
written the way llama.cpp's converter writes them, and what transformers computes after loading them
with from_pretrained(folder, gguf_file=...). Developers only (the build and the tests never need
Python; loading GGUF in transformers needs accelerate and gguf, pinned in fixtures-requirements.txt).

    python scripts/make_gguf_model_fixtures.py

For each family a random tiny HF model (weights spread with +N(0, 0.3)) is written as GGUF with
gguf.GGUFWriter under llama.cpp's tensor names and layout: the q/k rows of llama files permuted for
ggml's interleaved rotary, Gemma's norm weights stored as 1 + w, GPT-2's Conv1D weights stored
transposed, and the architecture keys llama.cpp writes. The MLP weights are quantized to Q8_0 (and the
embedding of one family to Q4_K) so the dequantizing path is the one used. transformers then loads the
file itself (its own GGUF key mapping, name mapping, dequantization and un-permutation) and runs a
fixed batch of ids. Writes tests/fixtures/gguf/models/<family>/:
  model.gguf              the tiny GGUF checkpoint
  expected.safetensors    input_ids [2, 7] and transformers' logits [2, 7, vocab] (float32)
  transformers_config.json  the config transformers built from the file (to_diff_dict; for reading)
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import numpy as np
import torch

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "tests" / "fixtures" / "gguf" / "models"
sys.path.insert(0, str(REPO / "scripts"))
from make_fixtures import seed_for, setup_torch  # noqa: E402

import gguf  # noqa: E402
from gguf import GGMLQuantizationType as Q  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
import transformers  # noqa: E402

VOCAB, HIDDEN, FFN, LAYERS, HEADS, KV_HEADS, HEAD_DIM = 128, 64, 96, 2, 4, 2, 16


def hf_model(family: str):
    common = dict(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=FFN, num_hidden_layers=LAYERS,
                  num_attention_heads=HEADS, num_key_value_heads=KV_HEADS, max_position_embeddings=64,
                  rms_norm_eps=1e-5, rope_theta=10000.0, tie_word_embeddings=False)
    if family == "llama":
        config = transformers.LlamaConfig(**common, head_dim=HEAD_DIM)
    elif family == "mistral":
        config = transformers.MistralConfig(**common, head_dim=HEAD_DIM, sliding_window=4096)
    elif family == "qwen2":
        config = transformers.Qwen2Config(**common)
    elif family == "qwen3":  # transformers reads no head size from a qwen3 file: Qwen3Config's 128
        config = transformers.Qwen3Config(**common, head_dim=128)
    elif family == "phi3":
        config = transformers.Phi3Config(**common, pad_token_id=0)
    elif family == "gemma2":
        config = transformers.Gemma2Config(**{**common, "tie_word_embeddings": True}, head_dim=HEAD_DIM,
                                           sliding_window=4096)
    elif family == "gemma3":
        config = transformers.Gemma3TextConfig(**{**common, "tie_word_embeddings": True}, head_dim=HEAD_DIM,
                                               sliding_window=4096)
    elif family == "gpt2":
        # 1024 positions: transformers maps context_length to n_ctx, not n_positions (1024 by default)
        config = transformers.GPT2Config(vocab_size=VOCAB, n_embd=HIDDEN, n_layer=LAYERS, n_head=HEADS, n_positions=1024)
    else:
        raise ValueError(family)
    seed_for(f"gguf-{family}")
    model = transformers.AutoModelForCausalLM.from_config(config).eval()
    for p in model.parameters():
        p.add_(torch.randn(p.shape) * 0.3)
    return model


def permute(weights: np.ndarray, heads: int) -> np.ndarray:
    """llama.cpp's converter: each head's rotary halves interleaved (rows [2, half] -> [half, 2])."""
    rows = weights.shape[0]
    return weights.reshape(heads, 2, rows // heads // 2, *weights.shape[1:]).swapaxes(1, 2).reshape(weights.shape)


def gguf_name(family: str, name: str) -> str | None:
    """llama.cpp's name for a transformers tensor name."""
    gemma = family in ("gemma2", "gemma3")
    if family == "gpt2":
        table = {"transformer.wte.weight": "token_embd.weight", "transformer.wpe.weight": "position_embd.weight",
                 "transformer.ln_f.weight": "output_norm.weight", "transformer.ln_f.bias": "output_norm.bias",
                 "lm_head.weight": None}  # tied to wte
        if name in table:
            return table[name]
        parts = name.split(".")  # transformer.h.N.<part...>
        layer, rest = parts[2], ".".join(parts[3:])
        for hf, gg in [("ln_1", "attn_norm"), ("attn.c_attn", "attn_qkv"), ("attn.c_proj", "attn_output"),
                       ("ln_2", "ffn_norm"), ("mlp.c_fc", "ffn_up"), ("mlp.c_proj", "ffn_down")]:
            if rest.startswith(hf + "."):
                return f"blk.{layer}.{gg}.{rest[len(hf) + 1:]}"
        raise ValueError(name)
    if name == "model.embed_tokens.weight":
        return "token_embd.weight"
    if name == "model.norm.weight":
        return "output_norm.weight"
    if name == "lm_head.weight":
        return "output.weight"
    parts = name.split(".")  # model.layers.N.<part...>.weight|bias
    layer, rest, suffix = parts[2], ".".join(parts[3:-1]), parts[-1]
    table = {"input_layernorm": "attn_norm", "self_attn.q_proj": "attn_q", "self_attn.k_proj": "attn_k",
             "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output", "self_attn.qkv_proj": "attn_qkv",
             "self_attn.q_norm": "attn_q_norm", "self_attn.k_norm": "attn_k_norm", "mlp.gate_proj": "ffn_gate",
             "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down", "mlp.gate_up_proj": "ffn_up",
             "post_attention_layernorm": "post_attention_norm" if gemma else "ffn_norm",
             "pre_feedforward_layernorm": "ffn_norm", "post_feedforward_layernorm": "post_ffw_norm"}
    return f"blk.{layer}.{table[rest]}.{suffix}"


def write_gguf(family: str, model, path: Path) -> None:
    arch = {"mistral": "llama"}.get(family, family)
    config = model.config
    writer = gguf.GGUFWriter(str(path), arch)
    # transformers takes a llama file for Mistral only when general.name is exactly "mistral"
    writer.add_name("mistral" if family == "mistral" else f"tiny {family}")
    if family == "gpt2":
        writer.add_uint32("gpt2.block_count", LAYERS)
        writer.add_uint32("gpt2.context_length", 1024)
        writer.add_uint32("gpt2.embedding_length", HIDDEN)
        writer.add_uint32("gpt2.feed_forward_length", 4 * HIDDEN)
        writer.add_uint32("gpt2.attention.head_count", HEADS)
        writer.add_float32("gpt2.attention.layer_norm_epsilon", config.layer_norm_epsilon)
    else:
        writer.add_uint32(f"{arch}.block_count", LAYERS)
        writer.add_uint32(f"{arch}.context_length", 64)
        writer.add_uint32(f"{arch}.embedding_length", HIDDEN)
        writer.add_uint32(f"{arch}.feed_forward_length", FFN)
        writer.add_uint32(f"{arch}.attention.head_count", HEADS)
        writer.add_uint32(f"{arch}.attention.head_count_kv", KV_HEADS)
        writer.add_float32(f"{arch}.rope.freq_base", 10000.0)
        writer.add_float32(f"{arch}.attention.layer_norm_rms_epsilon", 1e-5)
        writer.add_uint32(f"{arch}.vocab_size", VOCAB)
        head_dim = getattr(config, "head_dim", HIDDEN // HEADS)
        writer.add_uint32(f"{arch}.rope.dimension_count", head_dim)
        if family in ("gemma2", "gemma3"):
            writer.add_uint32(f"{arch}.attention.key_length", head_dim)
            writer.add_uint32(f"{arch}.attention.value_length", head_dim)
            writer.add_uint32(f"{arch}.attention.sliding_window", 4096)
    writer.add_string("tokenizer.ggml.model", "gpt2")
    writer.add_array("tokenizer.ggml.tokens", [f"t{i}" for i in range(VOCAB)])
    writer.add_uint32("tokenizer.ggml.bos_token_id", 1)
    writer.add_uint32("tokenizer.ggml.eos_token_id", 2)
    writer.add_uint32("tokenizer.ggml.padding_token_id", 0)
    for name, tensor in model.state_dict().items():
        target = gguf_name(family, name)
        if name == "lm_head.weight" and config.tie_word_embeddings:
            continue  # tied: llama.cpp writes no output.weight
        if target is None or "rotary_emb" in name or name.endswith(".attn.bias") or name.endswith("masked_bias"):
            continue
        data = tensor.float().numpy().copy()
        if arch == "llama" and target.endswith("attn_q.weight"):
            data = permute(data, HEADS)
        if arch == "llama" and target.endswith("attn_k.weight"):
            data = permute(data, KV_HEADS)
        if family in ("gemma2", "gemma3") and target.endswith("norm.weight"):
            data = data + 1.0
        if family == "gpt2" and any(target.endswith(n) for n in ("attn_qkv.weight", "attn_output.weight",
                                                                     "ffn_up.weight", "ffn_down.weight")):
            data = np.ascontiguousarray(data.T)
        qtype = Q.F32
        if data.ndim == 2 and "ffn_" in target:
            qtype = Q.Q8_0
        if data.ndim == 2 and target == "token_embd.weight" and family == "llama":
            qtype = Q.Q4_K if data.shape[1] % 256 == 0 else Q.Q8_0
        if qtype != Q.F32:
            writer.add_tensor(target, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
        else:
            writer.add_tensor(target, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main() -> None:
    setup_torch()
    # Not "mistral": transformers 5.23 with gguf 0.19 cannot load a llama file named "mistral" (gguf-py
    # no longer knows the architecture name it asks for), and any other name loads as Llama.
    families = ["llama", "qwen2", "qwen3", "phi3", "gemma2", "gemma3", "gpt2"]
    if OUT.exists():
        shutil.rmtree(OUT)
    for family in families:
        folder = OUT / family
        folder.mkdir(parents=True)
        write_gguf(family, hf_model(family), folder / "model.gguf")
        loaded = transformers.AutoModelForCausalLM.from_pretrained(str(folder), gguf_file="model.gguf",
                                                                   dtype=torch.float32).eval()
        seed_for(f"gguf-{family}-ids")
        ids = torch.randint(3, VOCAB, (2, 7))
        logits = loaded(input_ids=ids).logits.float().contiguous()
        save_file({"input_ids": ids.contiguous(), "logits": logits}, str(folder / "expected.safetensors"))
        (folder / "transformers_config.json").write_text(json.dumps(loaded.config.to_diff_dict(), indent=1, sort_keys=True,
                                                       default=str) + "\n")
        print(f"{family}: {type(loaded).__name__}, logits {tuple(logits.shape)}, "
              f"{os.path.getsize(folder / 'model.gguf')} bytes")


if __name__ == "__main__":
    main()
