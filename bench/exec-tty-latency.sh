#!/usr/bin/env bash
# `exec -it` keystroke echo latency (issue 11's closing figure): a real islanderd, a busybox isle, and
# bench/exec-tty-echo.cs typing into `sh` over the upgraded connection, one key at a time, timing each echo.
#   sudo bench/exec-tty-latency.sh [KEYSTROKES]
source "$(dirname "$0")/daemon-lib.sh"
keys=${1:-500}

start_daemon
name="tty-$$"; names+=("$name")
write_manifest "$name.yaml" "$(isle_yaml "$name")"
until [ "$(phase "$name")" = Running ]; do sleep 0.05; done
dotnet run -c Release bench/exec-tty-echo.cs -- "$sock" "$name" "$keys"
