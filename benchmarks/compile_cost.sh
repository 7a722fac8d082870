#!/usr/bin/env bash
# Measures what ResNet-152's forward pass costs to compile: wall time and peak memory of
#   g++ -std=c++20 -O2 -c resnet152_forward.cpp
# (the target in the README: under 60 s and 2 GiB). Usage: benchmarks/compile_cost.sh [compiler...]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
[ $# -gt 0 ] || set -- g++-12 clang++-14
for cxx in "$@"; do
  /usr/bin/time -f "%e %M" -o "$out/time" \
    "$cxx" -std=c++20 -O2 -I"$here/../include" -c "$here/resnet152_forward.cpp" -o "$out/probe.o"
  read -r seconds kib < "$out/time"
  printf '%-12s resnet152 forward TU at -O2: %6.1f s, %6.0f MiB peak\n' "$cxx" "$seconds" "$((kib / 1024))"
done
