#!/usr/bin/env bash
# Installs every system package transformers.cpp needs to build and test, from Debian 12's archive.
# New users and CI both run this; nothing else is installed by hand.
# The CUDA toolkit is not a Debian package: when nvcc is on the machine the CUDA backend is built,
# otherwise the stub backend is linked (see README).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libdnnl-dev          # oneDNN: GEMM / matmul on the CPU
  libeigen3-dev        # Eigen: element-wise maths, reference GEMM in benchmarks
  libsentencepiece-dev # sentencepiece .model tokenizers
  nlohmann-json3-dev   # config.json, tokenizer.json, safetensors headers
  catch2               # Catch2 v2 test framework
  libonig-dev          # Oniguruma: the regex engine HF tokenizers uses
  libpcre2-dev         # PCRE2's JIT: matches the patterns that mean the same to it, faster
  libutf8proc-dev      # Unicode normalization and categories
  libcurl4-openssl-dev # Hub downloads
  libssl-dev           # OpenSSL libcrypto: SHA-256 of downloads
  libyaml-cpp-dev      # model cards: README.md YAML front matter
  libcpp-httplib-dev   # the server's HTTP layer; the tests' fake Hub
)

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_if_needed apt-get update -qq
sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
