#!/usr/bin/env bash
# Runs a linux-arm64 clawsharp on this x64 machine under Debian's qemu-user-static:
#   scripts/qemu-arm64.sh BINARY ARGS...
# The guest's libc comes from Debian's cross packages (/usr/aarch64-linux-gnu); its OpenSSL (which
# .NET loads at run time) from Debian's arm64 libssl3, fetched once with apt-get into a private
# state folder (no foreign architecture is added to the system) and unpacked under
#   CLAWSHARP_ARM64_ROOT (default ~/.cache/clawsharp/arm64-root).
# Installs qemu-user-static and libc6-arm64-cross with apt-get when missing. Execs qemu, so the
# caller's PID is the emulated gateway's and signals reach it.
set -euo pipefail
cache="${CLAWSHARP_ARM64_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/clawsharp/arm64-root}"
missing=()
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
[[ -f /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]] || missing+=(libc6-arm64-cross)
if ((${#missing[@]})); then
  echo "qemu-arm64: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
libs="$cache/root/usr/lib/aarch64-linux-gnu"
if [[ ! -f "$cache/.complete" ]]; then
  echo "qemu-arm64: fetching Debian's arm64 libssl3 into $cache" >&2
  rm -rf "$cache"
  mkdir -p "$cache/apt/lists/partial" "$cache/apt/cache/archives/partial" "$cache/debs"
  touch "$cache/apt/status"
  apt=(-o APT::Architecture=arm64 -o "APT::Architectures::=arm64" -o "Dir::State::Lists=$cache/apt/lists"
    -o "Dir::Cache=$cache/apt/cache" -o "Dir::State::status=$cache/apt/status" -o Debug::NoLocking=1)
  apt-get "${apt[@]}" update >&2
  (cd "$cache/debs" && apt-get "${apt[@]}" download libssl3 >&2)
  for deb in "$cache"/debs/*.deb; do dpkg-deb -x "$deb" "$cache/root"; done
  rm -rf "$cache/apt"
  touch "$cache/.complete"
fi
exec qemu-aarch64-static -L /usr/aarch64-linux-gnu -E "LD_LIBRARY_PATH=$libs" "$@"
