#!/bin/sh
# Installs the clawsharp release binary for this machine from a local release folder
# (artifacts/release/VERSION, the layout scripts/release.sh writes), after checking it against
# the folder's SHA256SUMS. Nothing is installed when the check fails. See --help.
set -eu

usage() {
  cat <<'EOF'
Usage: scripts/install.sh [--from DIR] [--prefix DIR | --system]

Installs the clawsharp binary for this machine (linux-x64, linux-arm64 or osx-arm64)
from a release folder, after verifying it against the folder's SHA256SUMS.

  --from DIR     the release folder (artifacts/release/VERSION); default: the newest
                 version folder under artifacts/release next to this script
  --prefix DIR   install into DIR/bin
  --system       install into /usr/local/bin (needs root)
                 default: ~/.local/bin
  -h, --help     this text

The binary is copied under a temporary name into the target folder, then renamed over
any previous clawsharp there, so a running gateway keeps its old binary and a reader never
sees half a file. The SQLite native library is installed beside it when the release has one.
EOF
}

die() {
  echo "install.sh: $*" >&2
  exit 1
}

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
from=""
prefix=""
system=0

while [ $# -gt 0 ]; do
  case "$1" in
    --from) [ $# -ge 2 ] || die "--from needs a folder"; from=$2; shift 2 ;;
    --from=*) from=${1#--from=}; shift ;;
    --prefix) [ $# -ge 2 ] || die "--prefix needs a folder"; prefix=$2; shift 2 ;;
    --prefix=*) prefix=${1#--prefix=}; shift ;;
    --system) system=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -n "$prefix" ] && [ "$system" -eq 1 ]; then
  echo "install.sh: --prefix and --system cannot be combined" >&2
  exit 2
fi

# This machine's release target.
os=$(uname -s)
arch=$(uname -m)
case "$os/$arch" in
  Linux/x86_64|Linux/amd64) rid=linux-x64 ;;
  Linux/aarch64|Linux/arm64) rid=linux-arm64 ;;
  Darwin/arm64|Darwin/aarch64) rid=osx-arm64 ;;
  *) die "no release build for this machine ($os $arch): builds exist for linux-x64, linux-arm64 (64-bit Raspberry Pi OS) and osx-arm64; on Windows use win-x64/clawsharp.exe from the release folder, elsewhere build from source (./clawsharp)" ;;
esac

# The release folder: given, or the newest version under artifacts/release.
if [ -z "$from" ]; then
  releases="$root/artifacts/release"
  [ -d "$releases" ] || die "no release folder: $releases does not exist; build one with scripts/release.sh VERSION, or pass --from DIR"
  from=$(find "$releases" -mindepth 1 -maxdepth 1 -type d -exec basename {} \; | sort -V | tail -n 1)
  [ -n "$from" ] || die "no version folder under $releases; build one with scripts/release.sh VERSION, or pass --from DIR"
  from="$releases/$from"
fi
[ -d "$from" ] || die "release folder not found: $from"
from=$(cd "$from" && pwd)
sums="$from/SHA256SUMS"
[ -f "$sums" ] || die "$sums not found: refusing to install an unverified binary"
binary="$from/$rid/clawsharp"
[ -f "$binary" ] || die "this release has no build for $rid ($binary not found)"

# sha256sum on Linux, shasum on macOS; chosen here, outside the $(...) that calls it.
if command -v sha256sum >/dev/null 2>&1; then
  hasher="sha256sum"
elif command -v shasum >/dev/null 2>&1; then
  hasher="shasum -a 256"
else
  die "neither sha256sum nor shasum is installed: cannot verify the binary"
fi
sha256() {
  $hasher "$1" | cut -d ' ' -f 1
}

# Verifies the file at $2 (default: $1 in the release folder) against the SHA256SUMS entry of $1.
verify() {
  expected=$(awk -v f="$1" '{ name = $2; sub(/^\*/, "", name); if (name == f || name == "./" f) { print $1; exit } }' "$sums")
  [ -n "$expected" ] || die "$1 has no entry in $sums: refusing to install an unverified file"
  actual=$(sha256 "${2:-$from/$1}")
  [ "$expected" = "$actual" ] || die "checksum mismatch for $1: SHA256SUMS says $expected, the file is $actual; nothing was installed (a corrupt copy or a tampered release)"
}

files="$rid/clawsharp"
for lib in libe_sqlite3.so libe_sqlite3.dylib; do
  if [ -f "$from/$rid/$lib" ]; then files="$files $rid/$lib"; fi
done
# Every file is checked before anything is copied.
for f in $files; do
  verify "$f"
done

if [ -n "$prefix" ]; then
  target="$prefix/bin"
elif [ "$system" -eq 1 ]; then
  target=/usr/local/bin
else
  target="${HOME:?HOME is not set}/.local/bin"
fi
mkdir -p "$target" || die "cannot create $target"
target=$(cd "$target" && pwd)

# Staged copies are named from the release's file names (no blanks), never split from one string.
cleanup() {
  for f in $files; do rm -f "$target/.$(basename "$f").install.$$"; done
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# Copy everything under temporary names first, then rename: a failed copy leaves the old install whole.
for f in $files; do
  name=$(basename "$f")
  tmp="$target/.$name.install.$$"
  cp "$from/$f" "$tmp" || die "cannot write $target (try --system with sudo, or --prefix DIR)"
  chmod 755 "$tmp"
  # The copy is what gets installed: checked again, so a file swapped in the release folder after the first check is caught.
  verify "$f" "$tmp"
done
# The library first, so the new binary never starts beside an old library.
for f in $files; do
  name=$(basename "$f")
  if [ "$name" = clawsharp ]; then continue; fi
  mv -f "$target/.$name.install.$$" "$target/$name"
done
mv -f "$target/.clawsharp.install.$$" "$target/clawsharp"

# --version prints "clawsharp VERSION (commit C, built DATE)".
version=$("$target/clawsharp" --version 2>/dev/null | head -n 1) || true
[ -n "$version" ] || version="clawsharp (its --version printed nothing)"
echo "installed $version ($rid) to $target/clawsharp"

case ":${PATH:-}:" in
  *":$target:"*) cmd=clawsharp ;;
  *)
    echo "warning: $target is not on your PATH; add it (e.g. in ~/.profile: export PATH=\"$target:\$PATH\") or call $target/clawsharp" >&2
    cmd="$target/clawsharp" ;;
esac

cat <<EOF

Next:
  $cmd gateway install    # under this machine's service manager (systemd, launchd): starts it now and at every boot
  $cmd gateway start      # starts it (through that manager once installed; else under the built-in supervisor)
  $cmd gateway status
EOF
