#!/usr/bin/env bash
# Fails when a file includes a layer it must not depend on (README, "Architecture"):
#   core       -> backends, models, nn, ops, tokenizers, pipelines, hub
#   models/nn  -> backends
#   tokenizers -> models, nn, pipelines
#   chat_templates -> anything but core
#   generation -> backends, pipelines
#   backends   -> models, nn, pipelines, tokenizers   (kernels/ counts as backends)
#   everything but the CLI -> server
# Run by CTest (test "include_layers"); usage: scripts/check_layers.sh [project root]
set -euo pipefail
root="${1:-$(cd "$(dirname "$0")/.." && pwd)}"
cd "$root"

failures=0
# check LABEL FORBIDDEN_REGEX DIR...: every #include line of the files under DIR... against the regex.
check() {
  local label="$1" forbidden="$2"
  shift 2
  local hits
  hits=$(grep -rnE --include='*.hpp' --include='*.cpp' --include='*.cuh' --include='*.cu' --include='*.h' \
           '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$@" 2>/dev/null |
         grep -E "[<\"/](\.\./)*(transformers/)?($forbidden)/" || true)
  if [ -n "$hits" ]; then
    echo "include_layers: $label"
    echo "$hits" | sed 's/^/  /'
    failures=$((failures + 1))
  fi
}

check "core must not include backends or any layer above it" \
  'backends|models|nn|ops|tokenizers|pipelines|hub|generation' include/transformers/core src/core
check "models and nn must not include backends" 'backends' include/transformers/models include/transformers/nn
check "tokenizers must not include models" 'models|nn|pipelines|generation' include/transformers/tokenizers src/tokenizers
check "chat_templates must include only core" \
  'backends|models|nn|ops|io|hub|tokenizers|pipelines|generation' include/transformers/chat_templates src/chat_templates
check "generation must not include backends or pipelines" 'backends|pipelines' include/transformers/generation src/generation
check "backends must not include models" 'models|nn|pipelines|tokenizers|generation' src/backends kernels
check "only the CLI may include the server" 'server' include/transformers/{core,models,nn,ops,io,config,tokenizers,chat_templates,generation,pipelines,hub,peft,backends} \
  src/{core,ops,io,config,tokenizers,chat_templates,generation,pipelines,hub,peft,backends} kernels

if [ "$failures" -gt 0 ]; then
  echo "include_layers: $failures rule(s) broken"
  exit 1
fi
echo "include_layers: every layer includes only what it may"
