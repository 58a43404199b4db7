#!/usr/bin/env bash
# Runs the whole test suite: unit tests and the process tests that spawn the real clawsharp binary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
exec dotnet test ClawSharp.slnx --nologo "$@"
