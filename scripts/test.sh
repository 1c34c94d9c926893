#!/usr/bin/env bash
# Sets up the machine and runs every test: unit tests and, as root, the integration tests
# against the real kernel. Usage: sudo scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The whole suite: the package's tests get their package and Debian tree made from the start, beside the rest
# (docs/packaging.md). With arguments (a filter) nothing is built that the chosen tests may not need.
if [ $# = 0 ]; then export ISLANDER_TEST_PACKAGE_AHEAD=1; fi
dotnet test -c Release --solution Islander.sln --no-progress "$@"
