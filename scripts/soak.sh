#!/usr/bin/env bash
# Soaks outside CI: 10,000 pipeline calls on one model from 8 threads (each result compared with the
# serial one) and 1,000 loads and frees of the model, printing resident memory as they go
# (tests/tools/soak.cpp); first on the tiny sentiment fixture, then on the real all-MiniLM-L6-v2
# when scripts/real-models.sh has put it in the Hugging Face cache. The server's soak is
# scripts/soak_server.py. Exits non-zero on a differing result or memory that keeps growing.
#
#   bash scripts/soak.sh            (after building the release or ci preset)
set -euo pipefail
cd "$(dirname "$0")/.."
soak="$(ls build/{ci,release}/tests/soak 2>/dev/null | head -1 || true)"
if [ -z "$soak" ]; then
  cmake --preset ci >/dev/null
  cmake --build --preset ci --target soak
  soak=build/ci/tests/soak
fi
"$soak" --calls 10000 --threads 8 --loads 1000
if HF_HUB_OFFLINE=1 "$soak" --model sentence-transformers/all-MiniLM-L6-v2 --task feature-extraction --calls 1 \
  --threads 1 --loads 1 >/dev/null 2>&1; then
  HF_HUB_OFFLINE=1 "$soak" --model sentence-transformers/all-MiniLM-L6-v2 --task feature-extraction \
    --calls 10000 --threads 8 --loads 1000
else
  echo "all-MiniLM-L6-v2 is not in the cache (bash scripts/real-models.sh): its soak is skipped"
fi
