#!/usr/bin/env bash
# Headless Chromium and its WebDriver for the finder page's end-to-end test (Debian packages).
# Idempotent: does nothing when both are installed. Needs root (or sudo) and the Debian mirrors.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-noto-cjk >/dev/null
command -v chromium >/dev/null && [ -x /usr/bin/chromedriver ]
