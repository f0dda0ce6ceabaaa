#!/usr/bin/env python3
"""Golden fixtures for the text2text-generation, summarization and translation pipelines (developers
only; never run in CI).

    . .venv-fixtures/bin/activate          # pins in scripts/fixtures-requirements.txt
    python scripts/make_text2text_fixtures.py

transformers 5 removed these three pipelines. As the question-answering pipeline did, we follow
transformers 4.57.1's pipeline code (pipelines/text2text_generation.py and the generation-config
set-up of pipelines/base.py, reproduced in `Text2Text` below) with transformers 5's models and
generate() for the numbers.

Writes, under tests/fixtures/pipelines/:
  tiny-t5-text2text/     a tiny random T5 (vocab 222) with the unigram-t5-style tokenizer and
                         task_specific_params for summarization and translation_en_to_de (prefixes,
                         lengths, beams) as t5-base has them
  tiny-bart-summarization/  a tiny random BART (vocab 651) with the bpe-bytelevel tokenizer and
                         bart-large-cnn's kind of generation_config.json (min/max length, no-repeat
                         trigrams, length penalty, forced BOS)
  tiny-marian-translation/  a tiny random Marian (opus-mt's layout) with the MarianTokenizer files below
each with calls.jsonl: one line per call {"task", "inputs", "kwargs", "output"} or {..., "error"}.

and tests/fixtures/tokenizers/marian-spm/: MarianTokenizer's files as opus-mt ships them (source.spm
and target.spm, unigram SentencePiece models trained here on different text; vocab.json, the joint
vocabulary with </s> 0, <unk> 1, language codes, then the pieces, <pad> last; tokenizer_config.json
from save_pretrained) and marian.jsonl: {"text", "ids"} per encoded text and {"ids",
"skip_special_tokens", "decoded"} per decoded sequence, from transformers' MarianTokenizer (which runs
the sentencepiece library itself).
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import copy
import json
import shutil
import sys
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
sys.path.insert(0, str(REPO / "scripts"))
from make_fixtures import canonicalize_folder, check_versions, seed_for, setup_torch  # noqa: E402

SPREAD_STD = 0.25


class Text2Text:
    """transformers 4.57.1's Text2TextGenerationPipeline / SummarizationPipeline / TranslationPipeline
    (torch path) over a transformers 5 model: __init__'s generation config, preprocess (per input,
    then pad_collate on the tokenizer's padding side), _forward and postprocess."""

    def __init__(self, task: str, model, tokenizer):
        from transformers import GenerationConfig

        self.model, self.tokenizer = model, tokenizer
        params = getattr(model.config, "task_specific_params", None) or {}
        if task == "translation" and params:
            task = next((k for k in params if k.startswith("translation")), task)
        self.task = task
        self.return_name = {"summarization": "summary"}.get(task, "translation" if task.startswith("translation")
                                                            else "generated")
        self.prefix = getattr(model.config, "prefix", None)
        default = GenerationConfig(max_new_tokens=256, num_beams=4)
        global_default = GenerationConfig()
        config = copy.deepcopy(default)
        for key, value in model.generation_config.__dict__.items():
            if key.startswith("_") or key == "transformers_version":
                continue
            if getattr(config, key, None) == getattr(global_default, key, None) and \
                    value != getattr(global_default, key, None):
                setattr(config, key, value)
        if config.temperature == 0.0:
            config.do_sample = False
        if config.max_new_tokens == 256 and config.max_length is not None and config.max_length != 20:
            config.max_new_tokens = None
        if task in params:
            these = dict(params[task])
            if "prefix" in these:
                self.prefix = these.pop("prefix")
            config.update(**these)
        if tokenizer.pad_token_id is not None and config.pad_token_id is None:
            config.pad_token_id = tokenizer.pad_token_id
        self.generation_config = config

    def __call__(self, inputs, batch_size=1, return_tensors=None, return_text=None, clean_up_tokenization_spaces=None,
                 truncation=None, stop_sequence=None, src_lang=None, tgt_lang=None, **generate_kwargs):
        del return_text, src_lang, tgt_lang  # no effect with these tokenizers (no _build_translation_inputs)
        if stop_sequence is not None:
            generate_kwargs["eos_token_id"] = self.tokenizer.encode(stop_sequence, add_special_tokens=False)[0]
        texts = [inputs] if isinstance(inputs, str) else inputs
        prefix = self.prefix or ""
        encoded = [self.tokenizer(prefix + t, padding=False, truncation=truncation or False)["input_ids"]
                   for t in texts]
        results = []
        for start in range(0, len(encoded), batch_size):
            chunk = encoded[start:start + batch_size]
            width = max(len(e) for e in chunk)
            left = self.tokenizer.padding_side == "left"
            pad = self.tokenizer.pad_token_id

            def padded(row, value):
                return [value] * (width - len(row)) + row if left else row + [value] * (width - len(row))
            ids = torch.tensor([padded(e, pad) for e in chunk])
            mask = torch.tensor([padded([1] * len(e), 0) for e in chunk])
            out = self.model.generate(input_ids=ids, attention_mask=mask, generation_config=self.generation_config,
                                      **generate_kwargs)
            per_item = out.shape[0] // len(chunk)
            for i in range(len(chunk)):
                records = []
                for row in out[i * per_item:(i + 1) * per_item]:
                    if return_tensors:
                        records.append({f"{self.return_name}_token_ids": row.tolist()})
                    else:
                        records.append({f"{self.return_name}_text": self.tokenizer.decode(
                            row, skip_special_tokens=True,
                            clean_up_tokenization_spaces=bool(clean_up_tokenization_spaces))})
                results.append(records)
        if isinstance(inputs, str):
            return results[0]
        if all(len(r) == 1 for r in results):
            return [r[0] for r in results]
        return results


def spread(model, seed: int) -> None:
    g = torch.Generator().manual_seed(seed)
    for _, p in sorted(model.named_parameters()):
        p.add_(torch.randn(p.shape, generator=g) * SPREAD_STD)
    if hasattr(model, "final_logits_bias"):
        model.final_logits_bias.add_(torch.randn(model.final_logits_bias.shape, generator=g) * SPREAD_STD)


def make_model_folder(folder: Path, model_type: str, config: dict, tokenizer_fixture: str, generation: dict):
    import transformers

    seed = seed_for(f"text2text/{folder.name}")
    cfg = transformers.AutoConfig.for_model(model_type, **config)
    model = transformers.AutoModelForSeq2SeqLM.from_config(cfg, attn_implementation="eager").eval()
    spread(model, seed)
    for key, value in generation.items():
        setattr(model.generation_config, key, value)
    model.save_pretrained(str(folder))
    canonicalize_folder(folder)
    model = transformers.AutoModelForSeq2SeqLM.from_pretrained(str(folder), attn_implementation="eager").eval()
    if tokenizer_fixture is None:  # the caller copies the tokenizer's files
        return model, None
    source = FIXTURES / "tokenizers" / tokenizer_fixture
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(source / name, folder / name)
    return model, transformers.AutoTokenizer.from_pretrained(str(folder))


TEXTS = ["The quick brown fox jumps over the lazy dog.", "hello world", "A longer sentence, with commas; and more words."]

T5_CALLS = [
    ("text2text-generation", TEXTS[0], {"max_new_tokens": 12}),
    ("text2text-generation", TEXTS[1], {"max_new_tokens": 10, "num_beams": 1}),
    ("text2text-generation", TEXTS, {"max_new_tokens": 8, "batch_size": 2}),
    ("text2text-generation", TEXTS[:2], {"max_new_tokens": 8, "num_beams": 3, "num_return_sequences": 2}),
    ("text2text-generation", TEXTS[0], {"max_new_tokens": 8, "return_tensors": True}),
    ("text2text-generation", TEXTS[1], {"max_new_tokens": 16, "num_beams": 1, "stop_sequence": "fox"}),
    ("text2text-generation", TEXTS[2], {"max_new_tokens": 8, "clean_up_tokenization_spaces": True}),
    ("text2text-generation", TEXTS[0], {}),  # the pipeline's defaults: 4 beams, 256 new tokens
    ("summarization", TEXTS[0], {}),  # task_specific_params: prefix, max_length, beams
    ("summarization", TEXTS, {"batch_size": 3, "min_length": 6}),
    ("translation_en_to_de", TEXTS[1], {}),
    ("translation", TEXTS[0], {"max_length": 10}),  # "translation": the first translation_* entry
    ("translation_en_to_de", TEXTS[2], {"src_lang": "en", "tgt_lang": "de", "num_beams": 2}),
    ("text2text-generation", TEXTS[0], {"max_new_tokens": 4, "num_beams": 2, "num_return_sequences": 3}),
]

BART_CALLS = [
    ("summarization", TEXTS[0], {}),
    ("summarization", TEXTS, {"batch_size": 2}),
    ("summarization", TEXTS[2], {"num_beams": 1, "max_length": 12, "min_length": 3}),
    ("summarization", TEXTS[1], {"return_tensors": True}),
    ("text2text-generation", TEXTS[1], {"max_new_tokens": 6}),
]


def record(pipe_cache: dict, model, tokenizer, calls) -> list[dict]:
    lines = []
    for task, inputs, kwargs in calls:
        pipe = pipe_cache.setdefault(task, Text2Text(task, model, tokenizer))
        line = {"task": task, "inputs": inputs, "kwargs": kwargs}
        try:
            line["output"] = pipe(inputs, **kwargs)
        except Exception as error:  # noqa: BLE001 - recorded: the C++ pipeline must refuse it too
            line["error"] = f"{type(error).__name__}: {error}"
        lines.append(line)
    return lines


def write_calls(folder: Path, lines: list[dict]) -> None:
    with open(folder / "calls.jsonl", "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False, sort_keys=True) + "\n")


MARIAN_TEXTS = ["The quick brown fox jumps over the lazy dog.", "hello world", "", "   spaced    out   words  ",
                "Café naïve 中文 привет 🤗 x = 1", ">>de<< Hello there", ">>fr<<bonjour", "a </s> b <unk> c <pad>",
                "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３", "tokenizer\tmodel\nvocab", "zzqx unknownpiece ⅷ", "don't stop, it's 3.14!"]


def make_marian_tokenizer(folder: Path) -> list[dict]:
    """MarianTokenizer files (see the module docstring) and transformers' encodings of MARIAN_TEXTS."""
    import tempfile

    import sentencepiece as spm
    from make_tokenizer_fixtures import generated_training_text
    from transformers import MarianTokenizer

    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    pieces = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, seed in (("source", 11), ("target", 12)):
            corpus = Path(tmp) / f"{name}.txt"
            corpus.write_text("\n".join(generated_training_text(seed=seed, lines=2000)) + "\n", encoding="utf-8")
            spm.SentencePieceTrainer.train(input=str(corpus), model_prefix=str(Path(tmp) / name), model_type="unigram",
                                           vocab_size=200, character_coverage=0.9995, minloglevel=2)
            shutil.copy(Path(tmp) / f"{name}.model", folder / f"{name}.spm")
            model = spm.SentencePieceProcessor(model_file=str(folder / f"{name}.spm"))
            pieces += [model.id_to_piece(i) for i in range(model.get_piece_size())]
    vocab = {"</s>": 0, "<unk>": 1, ">>de<<": 2, ">>fr<<": 3}
    for piece in pieces:
        if piece not in vocab and piece not in ("<s>",):
            vocab[piece] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tokenizer = MarianTokenizer(source_spm=str(folder / "source.spm"), target_spm=str(folder / "target.spm"),
                                vocab=str(folder / "vocab.json"))
    tokenizer.save_pretrained(str(folder))
    tokenizer = MarianTokenizer.from_pretrained(str(folder))
    records = []
    for text in MARIAN_TEXTS:
        ids = tokenizer(text)["input_ids"]
        records.append({"text": text, "ids": ids})
        for skip in (True, False):
            records.append({"ids": ids, "skip_special_tokens": skip,
                            "decoded": tokenizer.decode(ids, skip_special_tokens=skip)})
    with open(folder / "marian.jsonl", "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    return records


MARIAN_CALLS = [
    ("translation_en_to_de", "The quick brown fox jumps over the lazy dog.", {}),
    ("translation", ["hello world", "Café naïve 中文"], {"batch_size": 2, "max_new_tokens": 12}),
    ("translation_en_to_de", "don't stop, it's 3.14!", {"num_beams": 1, "max_new_tokens": 10}),
    ("translation_en_to_de", "hello world", {"return_tensors": True, "max_new_tokens": 6}),
]


def main() -> None:
    check_versions("--allow-version-mismatch" in sys.argv)
    setup_torch()
    import transformers
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    root = FIXTURES / "pipelines"

    t5_folder = root / "tiny-t5-text2text"
    shutil.rmtree(t5_folder, ignore_errors=True)
    t5_config = dict(vocab_size=222, d_model=32, d_kv=8, d_ff=48, num_layers=2, num_heads=4,
                     relative_attention_num_buckets=8, relative_attention_max_distance=20, pad_token_id=0,
                     eos_token_id=1, decoder_start_token_id=0,
                     task_specific_params={
                         "summarization": {"early_stopping": True, "length_penalty": 2.0, "max_length": 16,
                                           "min_length": 4, "no_repeat_ngram_size": 3, "num_beams": 3,
                                           "prefix": "summarize: "},
                         "translation_en_to_de": {"early_stopping": True, "max_length": 14, "num_beams": 2,
                                                  "prefix": "translate English to German: "}})
    model, tokenizer = make_model_folder(t5_folder, "t5", t5_config, "unigram-t5-style", {})
    t5_lines = record({}, model, tokenizer, T5_CALLS)
    write_calls(t5_folder, t5_lines)

    bart_folder = root / "tiny-bart-summarization"
    shutil.rmtree(bart_folder, ignore_errors=True)
    bart_config = dict(vocab_size=651, d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                       decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48, max_position_embeddings=64,
                       pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2,
                       forced_eos_token_id=2)
    generation = dict(min_length=5, max_length=24, no_repeat_ngram_size=3, length_penalty=2.0, early_stopping=True,
                      num_beams=4, forced_bos_token_id=0)
    model, tokenizer = make_model_folder(bart_folder, "bart", bart_config, "bpe-bytelevel", generation)
    bart_lines = record({}, model, tokenizer, BART_CALLS)
    write_calls(bart_folder, bart_lines)

    marian_tokenizer = FIXTURES / "tokenizers" / "marian-spm"
    make_marian_tokenizer(marian_tokenizer)
    marian_folder = root / "tiny-marian-translation"
    shutil.rmtree(marian_folder, ignore_errors=True)
    vocab_size = len(json.loads((marian_tokenizer / "vocab.json").read_text(encoding="utf-8")))
    marian_config = dict(vocab_size=vocab_size, d_model=32, encoder_layers=2, decoder_layers=2,
                         encoder_attention_heads=4, decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=48,
                         max_position_embeddings=128, scale_embedding=True, activation_function="swish",
                         pad_token_id=vocab_size - 1, decoder_start_token_id=vocab_size - 1, eos_token_id=0,
                         forced_eos_token_id=0, bos_token_id=None)
    model, _ = make_model_folder(marian_folder, "marian", marian_config, None,
                                 dict(max_length=40, num_beams=3, bad_words_ids=[[vocab_size - 1]]))
    for name in ("source.spm", "target.spm", "vocab.json", "tokenizer_config.json"):
        shutil.copy(marian_tokenizer / name, marian_folder / name)
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(marian_folder))
    marian_lines = record({}, model, tokenizer, MARIAN_CALLS)
    write_calls(marian_folder, marian_lines)
    for line in t5_lines + bart_lines + marian_lines:
        print(json.dumps(line, ensure_ascii=False)[:300])


if __name__ == "__main__":
    main()
