#!/usr/bin/env python3
"""Fixtures for tokenizers built from a GGUF vocabulary (developers only; the build and the tests
never need Python).

    /work/venv/bin/python scripts/make_gguf_tokenizer_fixtures.py

Needs `gguf` (pinned in scripts/fixtures-requirements.txt), `sentencepiece` and `llama-cpp-python`
(llama.cpp itself is the reference: a GGUF vocabulary means what llama.cpp makes of it, and the
ids below are llama.cpp's, from Llama(vocab_only=True)). llama-cpp-python builds llama.cpp from
source (`CMAKE_BUILD_PARALLEL_LEVEL=1 pip install llama-cpp-python`, minutes); its sdist's own
build also works without installing: LLAMA_CPP_LIB_PATH=<folder of libllama.so> PYTHONPATH=<sdist>. Builds small tokenizer-only GGUF files from
the trained vocabularies already committed beside them, so nothing here depends on a download:

  tests/fixtures/tokenizers/gguf/
    bpe-smollm.gguf     "gpt2" model, tokenizer.ggml.pre = "smollm" (GPT-2 split after every digit is
                        made a piece), the byte-level BPE of ../bpe-bytelevel (651 tokens, 390 merges)
                        plus control tokens <|im_start|> / <|im_end|>, a user-defined <tool>, BOS added,
                        a chat template
    bpe-llama3.gguf     the same vocabulary with tokenizer.ggml.pre = "llama-bpe" (Llama 3's split,
                        ignore_merges, BOS by default)
    spm.gguf            "llama" model: the SentencePiece BPE of ../spm-bpe-llama/tokenizer.model (500
                        pieces, byte fallback, user-defined <sep>), scores and token types as pieces
    bad-pre.gguf        a "gpt2" vocabulary naming a pre-tokenizer llama.cpp does not know
    expected.json       for each file and text: llama.cpp's ids without special handling (no BOS/EOS,
                        control tokens in the text not parsed: its .gguf.out convention) and with it
                        (add_special and parse_special: what transformers' tokenizer(text) does)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "tokenizers"
OUT = FIXTURES / "gguf"

import gguf  # noqa: E402
import sentencepiece as spm  # noqa: E402

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6

CHAT_TEMPLATE = ("{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}"
                 "<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")

TEXTS = [
    "",
    " ",
    "   ",
    "\n",
    "\n\n\t\n",
    "Hello world",
    " Hello world",
    "Hello World!",
    "  two leading spaces, and trailing   ",
    "I'm 25 years old and it's 2024; y'all DON'T know 1234567.",
    "3333333 3.14159 12,345",
    "line one\nline two\r\n\tindented\n\n\nthree newlines",
    "The quick brown fox jumps over the lazy dog.",
    "émigré café naïve façade",
    "нещо на Български",
    "日本語のテキスト",
    "🦙 llama.cpp 😶\u200d🌫️ ✅",
    "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n",
    "a <tool> b<tool>c",
    "a <sep> b<sep>c",
    "<s>not a bos</s> and <unk>",
    "tabs\tand\u00a0no-break\u2003em spaces",
    "mixedCASE camelCase snake_case kebab-case",
    "function(x) { return x * 2; } // code",
]


def writer_for(path: Path, name: str) -> gguf.GGUFWriter:
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name(name)
    # The hyper-parameters llama.cpp reads before it looks at the vocabulary (vocab_only still asks).
    writer.add_context_length(256)
    writer.add_embedding_length(16)
    writer.add_block_count(1)
    writer.add_feed_forward_length(32)
    writer.add_head_count(2)
    writer.add_head_count_kv(2)
    writer.add_rope_dimension_count(8)
    writer.add_layer_norm_rms_eps(1e-5)
    return writer


def finish(writer: gguf.GGUFWriter) -> None:
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def byte_level_vocab() -> tuple[list[str], list[int], list[str], dict[str, int]]:
    document = json.loads((FIXTURES / "bpe-bytelevel" / "tokenizer.json").read_text())
    vocab = document["model"]["vocab"]
    tokens = [None] * len(vocab)
    for token, index in vocab.items():
        tokens[index] = token
    types = [NORMAL] * len(tokens)
    for added in document["added_tokens"]:
        types[added["id"]] = CONTROL
    for token, kind in (("<|im_start|>", CONTROL), ("<|im_end|>", CONTROL), ("<tool>", USER_DEFINED)):
        tokens.append(token)
        types.append(kind)
    merges = [" ".join(pair) if isinstance(pair, list) else pair for pair in document["model"]["merges"]]
    return tokens, types, merges, {token: index for index, token in enumerate(tokens)}


def write_bpe(path: Path, pre: str, add_bos: bool | None) -> None:
    tokens, types, merges, ids = byte_level_vocab()
    writer = writer_for(path, f"bpe-{pre}")
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre(pre)
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_bos_token_id(ids["<s>"])
    writer.add_eos_token_id(ids["<|im_end|>"])
    writer.add_pad_token_id(ids["<pad>"])
    writer.add_unk_token_id(ids["<unk>"])
    if add_bos is not None:
        writer.add_add_bos_token(add_bos)
    writer.add_chat_template(CHAT_TEMPLATE)
    finish(writer)


def write_spm(path: Path) -> None:
    processor = spm.SentencePieceProcessor(model_file=str(FIXTURES / "spm-bpe-llama" / "tokenizer.model"))
    tokens, scores, types = [], [], []
    for index in range(processor.get_piece_size()):
        tokens.append(processor.id_to_piece(index))
        scores.append(processor.get_score(index))
        types.append(UNKNOWN if processor.is_unknown(index) else CONTROL if processor.is_control(index)
                     else BYTE if processor.is_byte(index) else UNUSED if processor.is_unused(index)
                     else USER_DEFINED if tokens[-1] == "<sep>" else NORMAL)
    writer = writer_for(path, "spm")
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(processor.bos_id())
    writer.add_eos_token_id(processor.eos_id())
    writer.add_unk_token_id(processor.unk_id())
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    finish(writer)


def write_bad_pre(path: Path) -> None:
    tokens, types, merges, ids = byte_level_vocab()
    writer = writer_for(path, "bad-pre")
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("no-such-pre-tokenizer")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    finish(writer)


def llama_cpp_ids(path: Path) -> list[dict]:
    from llama_cpp import Llama
    model = Llama(model_path=str(path), vocab_only=True, verbose=False)
    cases = []
    for text in TEXTS:
        raw = model.tokenize(text.encode(), add_bos=False, special=False)
        special = model.tokenize(text.encode(), add_bos=True, special=True)
        cases.append({"text": text, "ids": raw, "ids_with_special_tokens": special,
                      "decoded_with_special_tokens": model.detokenize(special, special=True).decode("utf-8", "replace")})
    return cases


def main() -> None:
    import importlib.metadata
    OUT.mkdir(parents=True, exist_ok=True)
    files = {"bpe-smollm.gguf": lambda p: write_bpe(p, "smollm", True),
             "bpe-llama3.gguf": lambda p: write_bpe(p, "llama-bpe", None),
             "spm.gguf": write_spm}
    import llama_cpp
    expected = {"versions": {"gguf": importlib.metadata.version("gguf"), "llama_cpp_python": llama_cpp.__version__},
                "files": {}}
    for name, write in files.items():
        write(OUT / name)
        expected["files"][name] = llama_cpp_ids(OUT / name)
    write_bad_pre(OUT / "bad-pre.gguf")
    (OUT / "expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
