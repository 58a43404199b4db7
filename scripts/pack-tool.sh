#!/usr/bin/env bash
# Packs the clawsharp CLI as a framework-dependent .NET tool (package id clawsharp, command
# clawsharp) stamped with VERSION, into OUT (default artifacts/release/VERSION), and prints the
# package's path. Install it from that folder:
#   dotnet tool install --global clawsharp --add-source OUT --version VERSION
# The tool needs the .NET 10 runtime; the release binaries (scripts/install.sh) do not.
set -euo pipefail
if [[ $# -lt 1 || $# -gt 2 || "$1" == -h || "$1" == --help ]]; then
  echo "usage: scripts/pack-tool.sh VERSION [OUT]   (OUT default: artifacts/release/VERSION)" >&2
  [[ $# -ge 1 && ( "$1" == -h || "$1" == --help ) ]] && exit 0
  exit 2
fi
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$1"
out="${2:-$root/artifacts/release/$version}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
# A separate artifacts pivot: the tool's Release build must not overwrite the developer's
# build (./clawsharp) or the one the tests run, which are framework-dependent too but unversioned.
dotnet pack "$root/src/ClawSharp.Cli/ClawSharp.Cli.csproj" -c Release --nologo \
  -p:Version="$version" -p:ArtifactsPivots="release_tool" -o "$out" >&2
package="$out/clawsharp.$version.nupkg"
[[ -f "$package" ]] || { echo "pack-tool.sh: $package was not produced" >&2; exit 1; }
echo "$package"
