#!/usr/bin/env bash
# Install the Debian packages that ctnet needs to build, test and benchmark.
#
# Usage: tools/install-deps.sh [extra-package ...]
#
# Idempotent: packages are checked with dpkg-query first, and apt-get (including the slow
# `apt-get update`) only runs when something is actually missing. Extra package names given
# as arguments are checked/installed together with the base list.
#
# Environment:
#   CTNET_SKIP_DEPS=1   do nothing (e.g. a machine whose dependencies are managed elsewhere)
set -euo pipefail

# Base toolchain and header-only libraries used by the library, its tests and benchmarks.
base_packages=(
  cmake
  make
  g++
  clang-14
  libxsimd-dev
  libboost-dev
  catch2
  libbenchmark-dev
  nlohmann-json3-dev
  time
)

if [[ "${CTNET_SKIP_DEPS:-0}" == "1" ]]; then
  echo "install-deps: CTNET_SKIP_DEPS=1, skipping dependency check"
  exit 0
fi

for arg in "$@"; do
  if [[ -z "$arg" || "$arg" == -* ]]; then
    echo "install-deps: '$arg' is not a package name (options are not accepted)" >&2
    exit 2
  fi
done

if ! command -v dpkg-query >/dev/null 2>&1; then
  # Not a Debian-like system: we cannot check, so leave it to the user / the CMake configure step.
  echo "install-deps: dpkg-query not found (not a Debian system?); install the equivalents of:" >&2
  echo "  ${base_packages[*]} $*" >&2
  exit 0
fi

# De-duplicate while keeping order (extra args may repeat base packages).
declare -A seen=()
wanted=()
for pkg in "${base_packages[@]}" "$@"; do
  if [[ -z "${seen[$pkg]:-}" ]]; then
    seen[$pkg]=1
    wanted+=("$pkg")
  fi
done

# A package counts as present only if its status is "<want> ok installed"; states such as
# "deinstall ok config-files" or "install ok half-installed" are treated as missing.
missing=()
for pkg in "${wanted[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != *" ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#wanted[@]} packages already installed"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  {
    echo "install-deps: missing Debian packages: ${missing[*]}"
    echo "install-deps: not running as root; install them with:"
    echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  } >&2
  exit 1
fi

echo "install-deps: installing missing packages: ${missing[*]}"
# Wait for a concurrent apt/dpkg run (e.g. unattended upgrades) instead of failing at once.
apt_opts=(-o DPkg::Lock::Timeout=600)
apt-get "${apt_opts[@]}" update
DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"
echo "install-deps: done"
