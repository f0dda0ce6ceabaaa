#!/usr/bin/env python3
"""Hub cache fixtures for transformers.cpp, written by the real huggingface_hub (no network).

Developers run this by hand, on purpose, when the fixture cache must change:

    . .venv-fixtures/bin/activate           # huggingface_hub pinned in scripts/fixtures-requirements.txt
    python scripts/make_hub_fixtures.py                  # rewrites tests/fixtures/hub/cache/ + expected_scan.json
    python scripts/make_hub_fixtures.py --check DIR      # scan_cache_dir(DIR) vs DIR/scan.json (see README)

huggingface_hub has no public "write into the cache" helper that works without a server, so every
file is placed with the functions hf_hub_download itself uses in _hf_hub_download_to_cache_dir:
repo_folder_name (folder name), WeakFileLock on .locks/<repo folder>/<etag>.lock, _chmod_and_move
(temporary file -> blobs/<etag>), _get_pointer_path + _create_symlink (relative link
snapshots/<commit>/<file> -> ../../blobs/<etag>), _cache_commit_hash_for_specific_revision
(refs/<revision>, no trailing newline) and the .no_exist marker exactly as _get_metadata_or_catch_error
writes it (mkdir parents + touch). Etags are what the Hub sends: the git blob sha1 for regular files
and the sha256 of the content for LFS files.

expected_scan.json is huggingface_hub's scan_cache_dir() of the written tree (sizes, files, refs),
which the C++ tests compare with transformers::hub::scan_cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import huggingface_hub
from huggingface_hub import scan_cache_dir
from huggingface_hub.file_download import (
    _cache_commit_hash_for_specific_revision,
    _chmod_and_move,
    _create_symlink,
    _get_pointer_path,
    repo_folder_name,
)
from huggingface_hub.utils import WeakFileLock

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "fixtures" / "hub"


def git_blob_sha1(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def commit_sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def put_file(cache: Path, repo_id: str, repo_type: str, revision: str, commit: str, filename: str,
             content: bytes, lfs: bool = False) -> None:
    """One file, placed as _hf_hub_download_to_cache_dir places a downloaded one."""
    folder = repo_folder_name(repo_id=repo_id, repo_type=repo_type)
    storage_folder = cache / folder
    etag = hashlib.sha256(content).hexdigest() if lfs else git_blob_sha1(content)
    blob_path = storage_folder / "blobs" / etag
    pointer_path = _get_pointer_path(str(storage_folder), commit, filename)
    os.makedirs(blob_path.parent, exist_ok=True)
    os.makedirs(os.path.dirname(pointer_path), exist_ok=True)
    _cache_commit_hash_for_specific_revision(str(storage_folder), revision, commit)
    lock_path = cache / ".locks" / folder / f"{etag}.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with WeakFileLock(lock_path):
        if not blob_path.exists():
            incomplete = blob_path.with_name(f"{etag}.0000beef.incomplete")
            incomplete.write_bytes(content)
            _chmod_and_move(incomplete, blob_path)
        _create_symlink(str(blob_path), pointer_path, new_blob=False)


def mark_missing(cache: Path, repo_id: str, repo_type: str, commit: str, filename: str) -> None:
    """The .no_exist marker _get_metadata_or_catch_error writes on a 404 EntryNotFound."""
    storage_folder = cache / repo_folder_name(repo_id=repo_id, repo_type=repo_type)
    path = storage_folder / ".no_exist" / commit / filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch()


# Commits: fixed strings hashed so the tree is reproducible. Two commits of tiny-cache share the
# prefix "abcdef1" (for the ambiguous short sha test): they are spelled out.
TINY = "hf-internal-testing/tiny-cache"
COMMIT_A = "abcdef12" + commit_sha("tiny-cache A")[8:]  # tag v1.0
COMMIT_B = commit_sha("tiny-cache B")  # main
COMMIT_C = "abcdef19" + commit_sha("tiny-cache C")[8:]  # refs/pr/1
SOLO = "solo-model"
COMMIT_SOLO = commit_sha("solo-model main")
DATA = "some-org/tiny-data"
COMMIT_DATA = commit_sha("tiny-data main")

TOKENIZER = b'{"version": "1.0", "model": {"type": "WordLevel", "vocab": {"[UNK]": 0, "hello": 1}}}\n'
ONNX = b"not really onnx: a small LFS-tracked text file\n"


def build(cache: Path) -> None:
    # tiny-cache: three revisions sharing blobs, a tag, a PR ref, nested files, .no_exist.
    put_file(cache, TINY, "model", "v1.0", COMMIT_A, "config.json", b'{"model_type": "bert", "hidden_size": 32}\n')
    put_file(cache, TINY, "model", "v1.0", COMMIT_A, "tokenizer.json", TOKENIZER)
    put_file(cache, TINY, "model", "v1.0", COMMIT_A, "onnx/model.onnx", ONNX, lfs=True)
    put_file(cache, TINY, "model", "main", COMMIT_B, "config.json", b'{"model_type": "bert", "hidden_size": 64}\n')
    put_file(cache, TINY, "model", "main", COMMIT_B, "tokenizer.json", TOKENIZER)
    put_file(cache, TINY, "model", "main", COMMIT_B, "onnx/model.onnx", ONNX, lfs=True)
    put_file(cache, TINY, "model", "main", COMMIT_B, "deep/er/nested.txt", b"three levels down\n")
    mark_missing(cache, TINY, "model", COMMIT_B, "generation_config.json")
    mark_missing(cache, TINY, "model", COMMIT_B, "onnx/model_quantized.onnx")
    put_file(cache, TINY, "model", "refs/pr/1", COMMIT_C, "config.json", b'{"model_type": "bert", "hidden_size": 16}\n')
    # solo-model: no namespace, one revision.
    put_file(cache, SOLO, "model", "main", COMMIT_SOLO, "config.json", b'{"model_type": "gpt2"}\n')
    put_file(cache, SOLO, "model", "main", COMMIT_SOLO, "README.md", b"# solo\n")
    # a dataset repo, to check the datasets-- naming.
    put_file(cache, DATA, "dataset", "main", COMMIT_DATA, "data/train.csv", b"text,label\nhello,1\n")


def scan_as_json(cache: Path) -> dict:
    info = scan_cache_dir(cache)
    repos = []
    for repo in sorted(info.repos, key=lambda r: (r.repo_type, r.repo_id)):
        revisions = []
        for rev in sorted(repo.revisions, key=lambda r: r.commit_hash):
            files = sorted(
                (
                    {
                        "name": f.file_path.relative_to(rev.snapshot_path).as_posix(),
                        "blob": f.blob_path.relative_to(repo.repo_path).as_posix()
                        if f.blob_path.is_relative_to(repo.repo_path) else str(f.blob_path),
                        "size_on_disk": f.size_on_disk,
                    }
                    for f in rev.files
                ),
                key=lambda f: f["name"],
            )
            revisions.append({"commit": rev.commit_hash, "refs": sorted(rev.refs), "size_on_disk": rev.size_on_disk,
                              "nb_files": rev.nb_files, "files": files})
        repos.append({"repo_id": repo.repo_id, "repo_type": repo.repo_type, "size_on_disk": repo.size_on_disk,
                      "nb_files": repo.nb_files, "revisions": revisions})
    return {"repos": repos, "warnings": [str(w) for w in info.warnings]}


def check(directory: Path) -> int:
    """Compares huggingface_hub's scan of DIR/cache with DIR/scan.json, which the C++ test wrote."""
    ours = json.loads((directory / "scan.json").read_text())
    theirs = scan_as_json(directory / "cache")
    if ours == theirs:
        print(f"OK: huggingface_hub {huggingface_hub.__version__} scan_cache_dir() of {directory / 'cache'} "
              f"equals transformers::hub::scan_cache ({len(theirs['repos'])} repos, no warnings)"
              if not theirs["warnings"] else f"warnings: {theirs['warnings']}")
        return 0
    print("MISMATCH\n--- huggingface_hub:\n" + json.dumps(theirs, indent=1) + "\n--- ours:\n" + json.dumps(ours, indent=1))
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", type=Path, help="compare scan_cache_dir(DIR/cache) with DIR/scan.json")
    args = parser.parse_args()
    if args.check:
        return check(args.check)

    os.umask(0o022)  # the committed modes should not depend on the developer's umask
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        cache.mkdir()
        build(cache)
        scan = scan_as_json(cache)
        if scan["warnings"]:
            raise SystemExit(f"huggingface_hub reports the written cache as corrupted: {scan['warnings']}")
        target = OUT / "cache"
        if target.exists():
            shutil.rmtree(target)
        OUT.mkdir(parents=True, exist_ok=True)
        shutil.copytree(cache, target, symlinks=True)
    scan["huggingface_hub"] = huggingface_hub.__version__
    scan["commits"] = {"tiny-cache A (v1.0)": COMMIT_A, "tiny-cache B (main)": COMMIT_B,
                       "tiny-cache C (refs/pr/1)": COMMIT_C, "solo-model main": COMMIT_SOLO,
                       "tiny-data main": COMMIT_DATA}
    (OUT / "expected_scan.json").write_text(json.dumps(scan, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT / 'cache'} and expected_scan.json with huggingface_hub {huggingface_hub.__version__}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
