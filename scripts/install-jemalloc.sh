#!/usr/bin/env bash
# jemalloc (Debian package libjemalloc2): the `ipgraph` command preloads it under the store when present
# (src/ipgraph/allocator.py; a validation sweep at 100,000 institutions 44 -> 36 s). Optional: without it
# ipgraph runs on the C library's allocator. Idempotent; needs root (or sudo) and the Debian mirrors.
set -euo pipefail
for path in /usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2; do
  if [ -f "$path" ]; then
    exit 0
  fi
done
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends libjemalloc2 >/dev/null
