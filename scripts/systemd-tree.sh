#!/usr/bin/env bash
# Builds (once) and caches the Debian tree in which the service-manager tests boot a real systemd
# with systemd-nspawn (no systemd runs as PID 1 on these machines). Installs what it needs with
# apt-get. Prints the tree's path on stdout; everything else goes to stderr.
#   scripts/systemd-tree.sh            build if missing, print the path
#   CLAWSHARP_SYSTEMD_TREE=DIR         where the tree lives (default ~/.cache/clawsharp/systemd-tree)
set -euo pipefail
tree="${CLAWSHARP_SYSTEMD_TREE:-${XDG_CACHE_HOME:-$HOME/.cache}/clawsharp/systemd-tree}"
# The marker is written last: a tree without it is a build that was interrupted.
marker="$tree/.clawsharp-tree-complete"
if [[ -f "$marker" ]]; then
  echo "$tree"
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "systemd-tree: building the tree needs root (debootstrap, systemd-nspawn)" >&2
  exit 1
fi
missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v systemd-nspawn >/dev/null || missing+=(systemd-container)
if ((${#missing[@]})); then
  echo "systemd-tree: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
fi
# The mirror apt already uses here (the first deb.debian.org-style URI that is not the security archive).
mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | awk '{print $2}' | grep -v security | grep -E '/debian/?$' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
rm -rf "$tree"
mkdir -p "$(dirname "$tree")"
staging="$tree.partial"
rm -rf "$staging"
echo "systemd-tree: debootstrap bookworm from $mirror into $staging (about a minute)" >&2
debootstrap --variant=minbase --include=systemd,dbus,libpam-systemd,procps,iproute2 bookworm "$staging" "$mirror" >&2
# A user for the user-unit tests; lingering makes its user manager start at boot.
chroot "$staging" useradd --create-home --uid 1000 --shell /bin/bash claw >&2
mkdir -p "$staging/var/lib/systemd/linger"
touch "$staging/var/lib/systemd/linger/claw"
# Quiet, fast boots: nothing the tests do not need.
chroot "$staging" systemctl mask systemd-resolved.service systemd-networkd.service apt-daily.timer apt-daily-upgrade.timer \
  e2scrub_all.timer fstrim.timer systemd-tmpfiles-clean.timer getty@tty1.service console-getty.service >/dev/null 2>&1 || true
touch "$staging/.clawsharp-tree-complete"
mv "$staging" "$tree"
echo "$tree"
