#!/usr/bin/env bash
# Sets up the machine and runs every test: unit tests and, as root, the integration tests
# against the real kernel. Usage: sudo scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
dotnet test -c Release --solution Islander.sln --no-progress "$@"
