#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the dashboard's browser tests (Playwright drives
# it through CLAWSHARP_CHROMIUM, default /usr/bin/chromium; no browser is ever downloaded by
# Playwright). Installs it with apt-get when missing. Prints the executable's path on stdout;
# everything else goes to stderr.
#   scripts/chromium.sh
set -euo pipefail
chromium="${CLAWSHARP_CHROMIUM:-/usr/bin/chromium}"
if [[ -x "$chromium" ]]; then
  echo "$chromium"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "chromium: $chromium is missing and installing it needs root (apt-get install -y chromium)" >&2
  exit 1
fi
echo "chromium: installing Debian's chromium with apt-get" >&2
# apt's lock may be held by another install for a while: wait for it rather than fail.
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends chromium >&2 ||
  { apt-get -o DPkg::Lock::Timeout=300 update >&2 &&
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends chromium >&2; }
if [[ ! -x "$chromium" ]]; then
  echo "chromium: apt-get finished but $chromium is not there" >&2
  exit 1
fi
echo "$chromium"
