#!/usr/bin/env bash
# The chaos suite in one command: `clawsharp selftest` of the published (Native AOT) binary.
#   bench/chaos.sh                 short profile: 20 fault cycles under load (about a minute)
#   bench/chaos.sh --long          long profile: 200 fault cycles (for bench/RESULTS.md and the README)
#   bench/chaos.sh --seed S        repeat a run's faults and load
# CLAWSHARP_BIN=path uses that binary instead of publishing one (bench/publish-aot.sh).
# Prints the selftest's lines; the last-but-one is the summary
#   cycles=N acked=A answered=A lost=0 duplicates=0 max_recovery_ms=M
# and the exit code is selftest's: 0 only with nothing lost or duplicated and every fault recovered.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
faults=20
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --long) faults=200; shift ;;
    --faults) faults="$2"; shift 2 ;;
    --seed) extra+=(--seed "$2"); shift 2 ;;
    --keep|--json) extra+=("$1"); shift ;;
    *) echo "usage: bench/chaos.sh [--long | --faults N] [--seed S] [--keep] [--json]" >&2; exit 2 ;;
  esac
done
bin="${CLAWSHARP_BIN:-}"
if [[ -z "$bin" ]]; then
  bin="$("$root/bench/publish-aot.sh")"
fi
echo "chaos: $("$bin" --version), $faults fault cycles, $(date -u +%Y-%m-%dT%H:%M:%SZ)" >&2
exec "$bin" selftest --faults "$faults" "${extra[@]}"
