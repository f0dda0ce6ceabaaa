#!/usr/bin/env bash
# Places a local model folder into the Hugging Face cache as REPO_ID, in huggingface_hub's layout
# (blobs/<sha256>, snapshots/<commit>/<file> relative symlinks, refs/main), so transformers.cpp
# and Python's transformers both find it offline. The commit is derived from the files' hashes.
#   cache-add.sh REPO_ID FOLDER [CACHE_DIR]
set -euo pipefail
repo="$1"; src="$2"
cache="${3:-${HF_HUB_CACHE:-${HF_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/huggingface}/hub}}"
repo_dir="$cache/models--${repo//\//--}"
commit="$(cd "$src" && find . -type f ! -name '.gitattributes' | LC_ALL=C sort | xargs sha256sum | sha1sum | cut -c1-40)"
mkdir -p "$repo_dir/blobs" "$repo_dir/snapshots/$commit" "$repo_dir/refs"
(cd "$src" && find . -type f ! -name '.gitattributes' | LC_ALL=C sort) | while read -r file; do
  file="${file#./}"
  hash="$(sha256sum "$src/$file" | cut -d' ' -f1)"
  if [ ! -f "$repo_dir/blobs/$hash" ]; then
    cp "$src/$file" "$repo_dir/blobs/$hash.incomplete"
    mv "$repo_dir/blobs/$hash.incomplete" "$repo_dir/blobs/$hash"  # atomic: never a partial blob
  fi
  link="$repo_dir/snapshots/$commit/$file"
  mkdir -p "$(dirname "$link")"
  depth="$(echo "$file" | tr -cd '/' | wc -c)"
  up="../.."; for _ in $(seq 1 "$depth"); do up="../$up"; done
  ln -sfn "$up/blobs/$hash" "$link"
done
printf '%s' "$commit" > "$repo_dir/refs/main"
echo "cache-add: $repo -> $repo_dir/snapshots/$commit"
