#!/usr/bin/env bash
# Publishes the Native AOT build of clawsharp to OUT (default /tmp/clawsharp-aot). Publish outside
# the repo: the Web SDK would otherwise glob a previous output's *.json as content.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/clawsharp-aot}"
rid="${RID:-linux-x64}"
dotnet publish "$root/src/ClawSharp.Cli/ClawSharp.Cli.csproj" -c Release -r "$rid" -p:PublishAot=true -o "$out" --nologo >&2
echo "$out/clawsharp"
