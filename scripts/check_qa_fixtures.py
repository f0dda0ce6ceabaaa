#!/usr/bin/env python3
"""Checks tests/fixtures/pipelines/tiny-qa/expected.jsonl against the real question-answering
pipeline of transformers 4.57.1 (transformers 5 removed it, so make_pipeline_fixtures.py records
the outputs of its own copy of that pipeline). Developers only, never CI.

transformers 4.57.1 wants tokenizers < 0.23 and huggingface-hub < 1.0, so it gets a venv of its
own that borrows torch and the rest from .venv-fixtures:

    python3.11 -m venv /tmp/venv-tf4
    echo "$PWD/.venv-fixtures/lib/python3.11/site-packages" > /tmp/venv-tf4/lib/python3.11/site-packages/fixtures.pth
    /tmp/venv-tf4/bin/pip install --no-deps transformers==4.57.1 tokenizers==0.22.1 huggingface-hub==0.36.0 requests
    /tmp/venv-tf4/bin/python scripts/check_qa_fixtures.py

Prints every call whose output differs (scores within 1e-5) and exits 1 if there is one.
"""

import json
import sys
from pathlib import Path

import torch

FOLDER = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pipelines" / "tiny-qa"


def close(a, b) -> bool:
    if isinstance(b, float):
        return isinstance(a, (int, float)) and abs(a - b) < 1e-5
    if isinstance(b, list):
        return isinstance(a, list) and len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in b)
    return a == b


def main() -> int:
    torch.set_num_threads(1)
    import transformers
    from transformers import pipeline

    assert transformers.__version__ == "4.57.1", transformers.__version__
    qa = pipeline("question-answering", model=str(FOLDER), device="cpu")
    bad = calls = 0
    for line in (FOLDER / "expected.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        calls += 1
        try:
            out = json.loads(json.dumps(qa(record["inputs"], **record["kwargs"]), default=float))
            ok = "output" in record and close(out, record["output"])
        except Exception as e:  # noqa: BLE001 - a recorded error must be an error here too
            out, ok = f"{type(e).__name__}: {e}", "error" in record
        if not ok:
            bad += 1
            print("MISMATCH", record["kwargs"], str(out)[:300], "\n  recorded", str(record.get("output", record.get("error")))[:300])
    print(f"{calls} calls, {bad} mismatches")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
