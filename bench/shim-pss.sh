#!/usr/bin/env bash
# The isle shims' memory: PSS (and its anonymous and file-backed parts) of each isle-init shim with N idle isles
# (default 1 and 20): a shim's own pages are its anonymous ones; the static binary's pages are shared by every shim,
# so their share per shim falls as isles are added. ISLANDERD=path measures another build's daemon and isle-init.
#   sudo bench/shim-pss.sh [N...]
source "$(dirname "$0")/daemon-lib.sh"
islanderd=${ISLANDERD:-$islanderd}
counts=("${@:-1 20}")
start_daemon
pss() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/smaps_rollup"; }
total=0
for n in ${counts[*]}; do
  while [ "$total" -lt "$n" ]; do
    total=$((total + 1)); name="pss-$$-$total"; names+=("$name")
    write_manifest "$name.yaml" "$(isle_yaml "$name")"
    until [ "$(phase "$name")" = Running ]; do sleep 0.05; done
  done
  sleep 1
  shims=()
  for name in "${names[@]}"; do
    pid=$(api "isles/$name" | jq .status.pid)
    shims+=("$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")")
  done
  for k in Pss Pss_Anon Pss_File Rss; do
    printf '%s isle(s): mean %-8s %s KiB\n' "$n" "$k" "$(for s in "${shims[@]}"; do pss "$s" "$k"; done | awk '{s+=$1} END {printf "%.0f", s/NR}')"
  done
done
