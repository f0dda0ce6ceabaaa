#!/usr/bin/env python3
"""Encoder-decoder generation vs peers: our bench_seq2seq next to PyTorch and CTranslate2.

Developers only (CI never runs it; the C++ build never needs Python). Three engines generate, in the
same run and on the same token ids, with the same random-weight models:

  pytorch      transformers model.generate (torch.inference_mode, torch.set_num_threads(T));
               int8: torch.ao.quantization.quantize_dynamic on every nn.Linear (qint8 weights)
  ctranslate2  ctranslate2.converters.TransformersConverter (float32) then Translator(device="cpu",
               compute_type="float32" | "int8_float32" (quantized on load), inter_threads=1,
               intra_threads=T).translate_batch
  ours         bench_seq2seq --model DIR --inputs FILE.json --beams 4 --max-new-tokens 64
               --min-new-tokens 64 --runs K --warmup W [--quantization int8], OMP_NUM_THREADS=T
               (a subprocess per round; it prints one JSON line with its timings and sequences)

Models (random weights, torch.manual_seed(--seed), saved once as Hugging Face folders under
--cache, default /tmp/bench-seq2seq, and reused):
  marian  MarianMTModel with Helsinki-NLP/opus-mt-en-de's configuration (vocab 58101, d_model 512,
          6+6 layers, 8 heads, ffn 2048, swish, scaled embeddings, shared embeddings)
  t5      T5ForConditionalGeneration with google-t5/t5-small's configuration (vocab 32128,
          d_model 512, 6+6 layers, 8 heads, d_ff 2048, relu, 32 buckets up to distance 128, tied)
Each folder also holds a WordLevel tokenizer (tokenizer.json: token i is "t<i>" except the special
tokens at their usual ids), which CTranslate2's converter needs for the vocabulary; the script checks
that CTranslate2's vocabulary index i is token i. Marian's generation_config.json has
bad_words_ids [[58100]] (as opus-mt: never generate <pad>; CTranslate2 drops <pad> from its
vocabulary) and no forced_eos_token_id (CTranslate2 has no such option).

Work: a batch of 16 sentences, 24..36 token ids each (pseudo-random in [100, 30000), then EOS as a
tokenizer adds it; right-padded with the pad id), beam search with 4 beams, exactly 64 new tokens per
sentence (min = max = 64: random weights would otherwise stop at EOS at once), T threads (default 2),
no sampling, length penalty 1, one returned sequence per sentence.

Method: every engine is loaded and warmed up once (ours warms up inside each subprocess); then
--rounds rounds run every engine in rotated order (a b c, b c a, ...), each for runs/rounds timed
generations, with a short pause at each switch so that spinning worker threads go to sleep.

Columns: median s and min s per batch generation (16 x 64 new tokens) over all timed runs;
tok/s = 16 * 64 / median s (returned tokens; beam search computes 4x as many); vs ours = that
engine's median / our median (> 1: ours is faster). Agreement (informative only): how many of
the 16 generated sequences are identical to PyTorch f32's. Random weights make repetitive output
(the random Marian repeats one token per sentence, so its agreement says little; T5's varies more),
and int8 legitimately changes it. The work does not depend on the output: 64 beam steps always.

    . .venv-fixtures/bin/activate
    pip install -r benchmarks/requirements.txt
    python benchmarks/bench_seq2seq.py [--cpp-bin build/release/benchmarks/bench_seq2seq]
        [--models marian,t5] [--precisions f32,int8] [--runs 5] [--rounds N] [--threads 2]
        [--cache /tmp/bench-seq2seq] [--json out.json]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BATCH, BEAMS, NEW_TOKENS = 16, 4, 64
ENGINES = ["ours", "pytorch", "ctranslate2"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cpp-bin", default=str(REPO / "build" / "release" / "benchmarks" / "bench_seq2seq"))
    p.add_argument("--models", default="marian,t5")
    p.add_argument("--precisions", default="f32,int8")
    p.add_argument("--runs", type=int, default=5, help="timed generations per engine")
    p.add_argument("--rounds", type=int, help="rotations of the engine order (default: --runs)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--cache", default="/tmp/bench-seq2seq", help="model folders, inputs, CTranslate2 models")
    p.add_argument("--json", help="write all results here")
    args = p.parse_args()
    args.rounds = max(1, min(args.rounds or args.runs, args.runs))
    return args


ARGS = parse_args()
# Thread pools read these when they start: set them before importing torch / ctranslate2.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ["MKL_NUM_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402

torch.set_num_threads(ARGS.threads)
transformers.logging.set_verbosity_error()
transformers.logging.disable_progress_bar()
# quantize_dynamic (PyTorch's int8 here) is deprecated in favour of torchao, but still works.
warnings.filterwarnings("ignore", message=".*torch.ao.quantization is deprecated.*")
warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*deprecated.*")

# ------------------------------------------------------------------------------------------------
# Models: configurations written out from the hub's config.json files (no network here)

MARIAN_CONFIG = dict(  # Helsinki-NLP/opus-mt-en-de
    vocab_size=58101, decoder_vocab_size=58101, d_model=512, encoder_layers=6, decoder_layers=6,
    encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048,
    activation_function="swish", scale_embedding=True, share_encoder_decoder_embeddings=True,
    static_position_embeddings=True, max_position_embeddings=512, pad_token_id=58100,
    decoder_start_token_id=58100, bos_token_id=0, eos_token_id=0, forced_eos_token_id=0,
    dropout=0.1, attention_dropout=0.0, activation_dropout=0.0, init_std=0.02, tie_word_embeddings=True)

T5_CONFIG = dict(  # google-t5/t5-small
    vocab_size=32128, d_model=512, d_kv=64, d_ff=2048, num_layers=6, num_decoder_layers=6, num_heads=8,
    relative_attention_num_buckets=32, relative_attention_max_distance=128, feed_forward_proj="relu",
    dropout_rate=0.1, layer_norm_epsilon=1e-6, initializer_factor=1.0, n_positions=512,
    is_encoder_decoder=True, tie_word_embeddings=True, pad_token_id=0, eos_token_id=1,
    decoder_start_token_id=0)

MODELS = {
    # name: (config class, model class, config, special tokens {id: token})
    "marian": (transformers.MarianConfig, transformers.MarianMTModel, MARIAN_CONFIG,
               {0: "</s>", 1: "<unk>", 58100: "<pad>"}),
    "t5": (transformers.T5Config, transformers.T5ForConditionalGeneration, T5_CONFIG,
           {0: "<pad>", 1: "</s>", 2: "<unk>"}),
}


def token_strings(vocab_size: int, specials: dict) -> list:
    return [specials.get(i, f"t{i}") for i in range(vocab_size)]


def write_tokenizer(folder: Path, vocab_size: int, specials: dict):
    """A WordLevel tokenizer whose token i is "t<i>" (or the special token at i): CTranslate2's
    converter reads the vocabulary and the special tokens from it."""
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import WhitespaceSplit

    vocab = {token: i for i, token in enumerate(token_strings(vocab_size, specials))}
    tokenizer = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = WhitespaceSplit()
    fast = transformers.PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token="<pad>",
                                                eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(folder)


def make_model(name: str, folder: Path):
    config_class, model_class, values, specials = MODELS[name]
    torch.manual_seed(ARGS.seed)
    model = model_class(config_class(**values)).eval()
    if name == "marian":
        # As opus-mt's generation_config.json: never generate <pad>. No forced EOS at max length:
        # CTranslate2 has no such option and every engine must do the same work.
        model.generation_config.bad_words_ids = [[values["pad_token_id"]]]
        model.generation_config.forced_eos_token_id = None
        # Not "from the model config": else generate() would rebuild it from config.json.
        model.generation_config._from_model_config = False
    model.save_pretrained(folder)
    write_tokenizer(folder, values["vocab_size"], specials)


def model_folder(name: str) -> Path:
    folder = Path(ARGS.cache) / name / f"model-seed{ARGS.seed}"
    if not (folder / "tokenizer.json").exists():
        print(f"  building {name} (random weights, seed {ARGS.seed}) in {folder}", flush=True)
        make_model(name, folder)
    return folder


# ------------------------------------------------------------------------------------------------
# Inputs: one right-padded batch, the same ids for every engine


def make_inputs(name: str) -> dict:
    values = MODELS[name][2]
    rng = np.random.default_rng(ARGS.seed)
    lengths = rng.integers(24, 37, size=BATCH)  # with the EOS
    width = int(lengths.max())
    ids, mask = [], []
    for n in lengths:
        row = rng.integers(100, 30000, size=n - 1).tolist() + [values["eos_token_id"]]
        ids.append(row + [values["pad_token_id"]] * (width - n))
        mask.append([1] * n + [0] * (width - n))
    return {"input_ids": ids, "attention_mask": mask}


def unpadded(inputs: dict) -> list:
    return [row[:sum(m)] for row, m in zip(inputs["input_ids"], inputs["attention_mask"])]


# ------------------------------------------------------------------------------------------------
# Engines: .generate() -> (seconds, sequences), sequences = the 64 new ids per sentence


class PyTorch:
    name = "pytorch"

    def __init__(self, folder: Path, precision: str, inputs: dict, cache: dict):
        if "model" not in cache:
            cache["model"] = transformers.AutoModelForSeq2SeqLM.from_pretrained(folder).eval()
        self.model = cache["model"]
        if precision == "int8":
            self.model = torch.ao.quantization.quantize_dynamic(copy.deepcopy(self.model), {torch.nn.Linear},
                                                                dtype=torch.qint8)
        self.ids = torch.tensor(inputs["input_ids"])
        self.mask = torch.tensor(inputs["attention_mask"])

    def generate(self):
        start = time.perf_counter()
        with torch.inference_mode():
            out = self.model.generate(input_ids=self.ids, attention_mask=self.mask, num_beams=BEAMS,
                                      num_return_sequences=1, do_sample=False, length_penalty=1.0,
                                      max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS,
                                      forced_eos_token_id=None)
        seconds = time.perf_counter() - start
        return seconds, out[:, 1:].tolist()  # drop the decoder start token


def convert_ct2(folder: Path) -> Path:
    import ctranslate2

    out = folder.parent / f"ct2-{ctranslate2.__version__}"
    if not (out / "model.bin").exists():
        ctranslate2.converters.TransformersConverter(str(folder)).convert(str(out), quantization="float32",
                                                                           force=True)
    return out


def ct2_vocabulary(ct2_dir: Path) -> list:
    for name in ["shared_vocabulary.json", "target_vocabulary.json"]:
        if (ct2_dir / name).exists():
            return json.loads((ct2_dir / name).read_text())
    sys.exit(f"bench_seq2seq: no vocabulary in {ct2_dir}")


def check_ct2_vocabulary(vocab: list, name: str):
    """Token i must be CTranslate2's index i, so that ids and token strings map one to one. Marian
    drops the trailing <pad> (58100): CTranslate2 starts its decoder from a zero embedding instead."""
    values, specials = MODELS[name][2], MODELS[name][3]
    expected = token_strings(values["vocab_size"], specials)
    if name == "marian":
        expected = expected[:-1]
    if vocab != expected:
        bad = next((i for i, (a, b) in enumerate(zip(vocab, expected)) if a != b), min(len(vocab), len(expected)))
        sys.exit(f"bench_seq2seq: CTranslate2's {name} vocabulary differs from the model's at index {bad} "
                 f"(sizes {len(vocab)} vs {len(expected)})")


class CTranslate2:
    name = "ctranslate2"

    def __init__(self, folder: Path, precision: str, inputs: dict, name: str):
        import ctranslate2

        ct2_dir = convert_ct2(folder)
        vocab = ct2_vocabulary(ct2_dir)
        check_ct2_vocabulary(vocab, name)
        self.index = {token: i for i, token in enumerate(vocab)}
        self.source = [[vocab[i] for i in row] for row in unpadded(inputs)]
        compute_type = "int8_float32" if precision == "int8" else "float32"
        self.translator = ctranslate2.Translator(str(ct2_dir), device="cpu", compute_type=compute_type,
                                                 inter_threads=1, intra_threads=ARGS.threads)

    def generate(self):
        start = time.perf_counter()
        results = self.translator.translate_batch(self.source, beam_size=BEAMS, num_hypotheses=1,
                                                  length_penalty=1.0, max_batch_size=0,
                                                  max_decoding_length=NEW_TOKENS,
                                                  min_decoding_length=NEW_TOKENS)
        seconds = time.perf_counter() - start
        return seconds, [[self.index[t] for t in r.hypotheses[0]] for r in results]


class Ours:
    """bench_seq2seq in a subprocess: each call loads the model, warms up and times `runs` runs."""
    name = "ours"

    def __init__(self, binary: Path, folder: Path, precision: str, inputs_file: Path, start_id: int):
        self.command = [str(binary), "--model", str(folder), "--inputs", str(inputs_file), "--beams", str(BEAMS),
                        "--max-new-tokens", str(NEW_TOKENS), "--min-new-tokens", str(NEW_TOKENS), "--warmup", "1"]
        if precision == "int8":
            self.command += ["--quantization", "int8"]
        self.start_id = start_id

    def run(self, runs: int):
        env = dict(os.environ, OMP_NUM_THREADS=str(ARGS.threads))
        proc = subprocess.run(self.command + ["--runs", str(runs)], env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(f"exit {proc.returncode}: {proc.stderr.strip()[-2000:]}")
        lines = [line for line in proc.stdout.splitlines() if line.strip()]
        result = json.loads(lines[-1])
        sequences = [s[1:] if len(s) > NEW_TOKENS and s[0] == self.start_id else s for s in result["sequences"]]
        return [float(s) for s in result["runs_s"]], sequences


# ------------------------------------------------------------------------------------------------
# One model at one precision


def prepare(name: str, folder: Path, precision: str, inputs: dict, inputs_file: Path, torch_cache: dict):
    engines = {}
    binary = Path(ARGS.cpp_bin)
    if binary.exists():
        engines["ours"] = Ours(binary, folder, precision, inputs_file, MODELS[name][2]["decoder_start_token_id"])
    else:
        print(f"  ours: MISSING ({binary} does not exist): no C++ row", flush=True)
    for engine, make in [("pytorch", lambda: PyTorch(folder, precision, inputs, torch_cache)),
                         ("ctranslate2", lambda: CTranslate2(folder, precision, inputs, name))]:
        start = time.perf_counter()
        try:
            engines[engine] = make()
        except Exception as e:  # an engine that fails to load is reported, not fatal
            print(f"  {engine}: could not be prepared: {type(e).__name__}: {e}", flush=True)
            continue
        print(f"  {engine}: ready in {time.perf_counter() - start:.1f} s", flush=True)
    return engines


def warm_up(engines: dict) -> dict:
    """One untimed generation per in-process engine; its sequences are the ones compared."""
    sequences = {}
    for name, engine in engines.items():
        if name != "ours":
            seconds, sequences[name] = engine.generate()
            print(f"  {name}: warm-up {seconds:.2f} s", flush=True)
    return sequences


def timed_rounds(engines: dict, sequences: dict) -> dict:
    samples = {name: [] for name in engines}
    names = list(engines)
    per_round = -(-ARGS.runs // ARGS.rounds)
    for r in range(ARGS.rounds):
        runs = min(per_round, ARGS.runs - r * per_round)
        if runs <= 0:
            break
        for j in range(len(names)):
            name = names[(j + r) % len(names)]
            if name not in engines:
                continue
            time.sleep(0.5)  # let the previous engine's spinning threads go to sleep
            try:
                if name == "ours":
                    times, sequences["ours"] = engines["ours"].run(runs)
                    samples["ours"] += times
                else:
                    for _ in range(runs):
                        samples[name].append(engines[name].generate()[0])
            except Exception as e:
                print(f"  {name}: failed: {type(e).__name__}: {e}", flush=True)
                del engines[name]
        print(f"  round {r + 1}/{ARGS.rounds}: " + ", ".join(
            f"{n} {samples[n][-1]:.2f} s" for n in names if samples[n]), flush=True)
    return {name: s for name, s in samples.items() if s}


def rows_for(model: str, precision: str, samples: dict) -> list:
    rows = []
    ours = statistics.median(samples["ours"]) if "ours" in samples else None
    for engine in ENGINES:
        if engine not in samples:
            continue
        med = statistics.median(samples[engine])
        row = {"model": model, "precision": precision, "engine": engine, "threads": ARGS.threads,
               "batch": BATCH, "beams": BEAMS, "new_tokens": NEW_TOKENS, "runs": len(samples[engine]),
               "median_s": med, "min_s": min(samples[engine]), "tokens_per_s": BATCH * NEW_TOKENS / med,
               "runs_s": samples[engine]}
        if ours and engine != "ours":
            row["speedup_of_ours"] = med / ours  # their time / our time: > 1 means ours is faster
        rows.append(row)
    return rows


def check_lengths(sequences: dict):
    for name, seqs in sequences.items():
        lengths = sorted({len(s) for s in seqs})
        if len(seqs) != BATCH or lengths != [NEW_TOKENS]:
            print(f"  WARNING: {name} returned {len(seqs)} sequences of lengths {lengths}, "
                  f"not {BATCH} x {NEW_TOKENS}", flush=True)


def bench(model: str, folder: Path, precision: str, inputs: dict, inputs_file: Path, torch_cache: dict):
    print(f"\n== {model} {precision}", flush=True)
    engines = prepare(model, folder, precision, inputs, inputs_file, torch_cache)
    sequences = warm_up(engines)
    samples = timed_rounds(engines, sequences)
    check_lengths(sequences)
    rows = rows_for(model, precision, samples)
    print_rows(rows)
    return rows, sequences


# ------------------------------------------------------------------------------------------------
# Reporting


def print_rows(rows: list):
    print(f"  {'engine':<12} {'median s':>9} {'min s':>9} {'tok/s':>8}  vs ours")
    for r in rows:
        ratio = f"{r['speedup_of_ours']:.2f}x" if "speedup_of_ours" in r else ""
        print(f"  {r['engine']:<12} {r['median_s']:9.3f} {r['min_s']:9.3f} {r['tokens_per_s']:8.1f}  {ratio}",
              flush=True)


def agreement(model: str, outputs: dict) -> list:
    """Identical sequences (of 16) between every engine/precision and PyTorch f32."""
    reference = outputs.get(("pytorch", "f32"))
    if reference is None:
        return []
    found = []
    for (engine, precision), seqs in outputs.items():
        if (engine, precision) == ("pytorch", "f32"):
            continue
        same = sum(a == b for a, b in zip(seqs, reference))
        found.append({"model": model, "engine": engine, "precision": precision, "reference": "pytorch f32",
                      "identical": same, "of": len(reference)})
    return found


def summary(results: list, agreements: list):
    print("\n== Summary: median s per batch (tok/s); speedup of ours = their time / our time")
    for model, precision in dict.fromkeys((r["model"], r["precision"]) for r in results):
        rows = {r["engine"]: r for r in results if (r["model"], r["precision"]) == (model, precision)}
        cells = []
        for engine in ENGINES:
            r = rows.get(engine)
            cells.append(f"{engine} " + (f"{r['median_s']:.2f} s ({r['tokens_per_s']:.0f} tok/s)" if r
                                         else "MISSING"))
        line = f"{model:<7} {precision:<5} " + " | ".join(cells)
        if "ours" in rows:
            ratios = [f"vs {e} {rows[e]['speedup_of_ours']:.2f}x" for e in ["ctranslate2", "pytorch"] if e in rows]
            line += "  ->  ours " + ", ".join(ratios)
        print(line)
    if agreements:
        print("\n== Agreement with PyTorch f32 (identical beam outputs of 16; informative only)")
        for a in agreements:
            print(f"  {a['model']:<7} {a['engine']:<12} {a['precision']:<5} {a['identical']:>2}/{a['of']}")


def versions() -> dict:
    found = {"torch": torch.__version__, "transformers": transformers.__version__}
    try:
        found["ctranslate2"] = __import__("ctranslate2").__version__
    except Exception:
        pass
    return found


def main():
    results, agreements, all_sequences = [], [], []
    print(f"threads {ARGS.threads}, batch {BATCH}, beams {BEAMS}, {NEW_TOKENS} new tokens, runs {ARGS.runs} "
          f"in {ARGS.rounds} rounds, versions {versions()}", flush=True)
    for model in ARGS.models.split(","):
        if model not in MODELS:
            sys.exit(f"bench_seq2seq: unknown model {model} ({', '.join(MODELS)})")
        folder = model_folder(model)
        inputs = make_inputs(model)
        inputs_file = folder.parent / f"inputs-seed{ARGS.seed}.json"
        inputs_file.write_text(json.dumps(inputs) + "\n")
        torch_cache, outputs = {}, {}
        for precision in ARGS.precisions.split(","):
            if precision not in ("f32", "int8"):
                sys.exit(f"bench_seq2seq: unknown precision {precision} (f32, int8)")
            rows, sequences = bench(model, folder, precision, inputs, inputs_file, torch_cache)
            results += rows
            outputs.update({(engine, precision): seqs for engine, seqs in sequences.items()})
        agreements += agreement(model, outputs)
        all_sequences += [{"model": model, "engine": e, "precision": p, "sequences": seqs}
                          for (e, p), seqs in outputs.items()]
    summary(results, agreements)
    if ARGS.json:
        doc = {"threads": ARGS.threads, "batch": BATCH, "beams": BEAMS, "new_tokens": NEW_TOKENS,
               "machine": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
               "versions": versions(), "cpp_bin": ARGS.cpp_bin, "results": results, "agreement": agreements,
               "sequences": all_sequences}
        Path(ARGS.json).write_text(json.dumps(doc, indent=1) + "\n")
        print(f"wrote {ARGS.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
