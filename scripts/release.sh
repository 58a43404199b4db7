#!/usr/bin/env bash
# Builds the release binaries of clawsharp VERSION into artifacts/release/VERSION/ (git-ignored):
#   linux-x64/clawsharp        Native AOT, stripped (+ libe_sqlite3.so: SQLitePCLRaw ships no static e_sqlite3)
#   linux-arm64/clawsharp      Native AOT with Debian's gcc cross toolchain (+ libe_sqlite3.so)   [--arm64, --all]
#   osx-arm64/clawsharp        self-contained, trimmed single file                                [--all]
#   win-x64/clawsharp.exe      self-contained, trimmed single file                                [--all]
#   clawsharp.VERSION.nupkg    the dotnet tool package (scripts/pack-tool.sh)                      [--all]
#   SHA256SUMS                 sha256sum format over every file, paths relative to the folder
# usage: scripts/release.sh VERSION [--arm64 | --all]
# The version, the commit (the SDK's SourceRevisionId, from git) and the UTC build time are stamped
# into the binaries ('clawsharp --version'). Installs the cross toolchain with apt-get when missing.
# Prints the folder on stdout; everything else goes to stderr.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${1:?usage: scripts/release.sh VERSION [--arm64 | --all]}"
targets=(linux-x64)
case "${2:-}" in
  "") ;;
  --arm64) targets+=(linux-arm64) ;;
  --all) targets+=(linux-arm64 osx-arm64 win-x64) ;;
  *) echo "release: unknown option $2 (--arm64 or --all)" >&2; exit 2 ;;
esac
if [[ ! $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
  echo "release: VERSION must look like 1.2.3 or 1.2.3-rc.1, not '$version'" >&2
  exit 2
fi
out="$root/artifacts/release/$version"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
# Publish outside the project folders (the Web SDK globs a previous output's *.json as content).
stage="$(mktemp -d "${TMPDIR:-/tmp}/clawsharp-release.XXXXXX")"
trap 'rm -rf "$stage"' EXIT

ensure_packages() {
  local missing=()
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  ((${#missing[@]})) || return 0
  echo "release: installing ${missing[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2 ||
    { apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >&2; }
}

publish() { # RID, extra msbuild arguments...
  local rid="$1"
  shift
  local started=$SECONDS
  echo "release: publishing $rid" >&2
  dotnet publish "$root/src/ClawSharp.Cli/ClawSharp.Cli.csproj" -c Release -r "$rid" --nologo \
    -p:Version="$version" -p:BuildDate="$build_date" -o "$stage/$rid" "$@" >&2
  mkdir -p "$out/$rid"
  local exe=clawsharp
  [[ $rid == win-* ]] && exe=clawsharp.exe
  cp "$stage/$rid/$exe" "$out/$rid/$exe"
  # Native AOT cannot link SQLite in (no static e_sqlite3 in SQLitePCLRaw): the library goes beside it.
  if [[ -f "$stage/$rid/libe_sqlite3.so" ]]; then
    cp "$stage/$rid/libe_sqlite3.so" "$out/$rid/"
  fi
  echo "release: $rid done in $((SECONDS - started)) s" >&2
}

rm -rf "$out"
mkdir -p "$out"
for rid in "${targets[@]}"; do
  case "$rid" in
    linux-x64)
      publish linux-x64 -p:PublishAot=true -p:StripSymbols=true ;;
    linux-arm64)
      ensure_packages aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu aarch64-linux-gnu-objcopy:binutils-aarch64-linux-gnu
      [[ -f /usr/aarch64-linux-gnu/lib/crt1.o ]] || ensure_packages /nonexistent:libc6-dev-arm64-cross
      # The ILCompiler targets pass clang's --target=; scripts/cross/aarch64-linux-gnu-gcc drops it for gcc.
      publish linux-arm64 -p:PublishAot=true -p:StripSymbols=true \
        -p:CppCompilerAndLinker="$root/scripts/cross/aarch64-linux-gnu-gcc" -p:ObjCopyName=aarch64-linux-gnu-objcopy ;;
    osx-arm64 | win-x64)
      publish "$rid" --self-contained -p:PublishAot=false -p:PublishSingleFile=true -p:PublishTrimmed=true \
        -p:IncludeNativeLibrariesForSelfExtract=true -p:DebugType=none ;;
  esac
done
if [[ "${2:-}" == --all ]]; then
  # The dotnet tool route (framework-dependent): 'dotnet tool install --global clawsharp --add-source "$out"'.
  "$root/scripts/pack-tool.sh" "$version" "$out" >/dev/null
fi
(cd "$out" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
echo "release: $version ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo 'no git'), built $build_date) in $out:" >&2
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '  %-28P %s bytes\n' | LC_ALL=C sort) >&2
echo "$out"
