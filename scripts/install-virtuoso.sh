#!/usr/bin/env bash
# Virtuoso Open Source 7 (Debian package virtuoso-opensource) for the remote-store contract tests.
# Idempotent: does nothing when virtuoso-t is installed. Needs root (or sudo) and the Debian mirrors.
# The package asks for the dba password; it is preseeded with debconf so the install never prompts.
# The tests never use the system database: they start virtuoso-t on a private copy (tests/engines.py).
set -euo pipefail
if command -v virtuoso-t >/dev/null 2>&1; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
password="${VIRTUOSO_DBA_PASSWORD:-dba}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends debconf-utils >/dev/null
for package in virtuoso-opensource virtuoso-opensource-7; do
  printf '%s %s/dba-password password %s\n%s %s/dba-password-again password %s\n' \
    "$package" "$package" "$password" "$package" "$package" "$password" | $sudo debconf-set-selections
done
$sudo apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null
command -v virtuoso-t >/dev/null
