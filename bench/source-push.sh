#!/usr/bin/env bash
# A git source (issue 12's closing note): the time from a commit pushed (a new isle's manifest) to that isle Running,
# N commits each, median: with the webhook (POST sources/NAME/fetch right after the push) and without (the source's
# interval, 5 s here, so about half an interval on average). The remote is a bare repository on this host (file://).
#   sudo bench/source-push.sh [N]
source "$(dirname "$0")/daemon-lib.sh"
n=${1:-7}
interval=5s
git_() { GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null git "$@"; }
git_ init -q --bare -b main "$work/remote.git"
git_ init -q -b main "$work/clone"
git_ -C "$work/clone" remote add origin "$work/remote.git"
commit() { # message
  git_ -C "$work/clone" add -A
  git_ -C "$work/clone" -c user.name=bench -c user.email=bench@example.invalid commit -q --allow-empty -m "$1"
  git_ -C "$work/clone" push -q -f origin HEAD:refs/heads/main
}
mkdir -p "$work/clone/isles"
commit "empty"

start_daemon
write_manifest source.yaml "$(printf 'apiVersion: islander.io/v1\nkind: Source\nmetadata: {name: bench}\nspec:\n  git: {url: "file://%s", ref: main, path: isles, interval: %s}\n' "$work/remote.git" "$interval")"
for _ in $(seq 400); do [ "$(api sources/bench | jq -r .status.phase)" = Ready ] && break; sleep 0.05; done

measure() { # mode
  local times=() i name start
  for i in $(seq "$n"); do
    name="bench-src-$1-$i"; names+=("$name")
    isle_yaml "$name" > "$work/clone/isles/$name.yaml"
    sleep 0.5
    # Without the webhook a push lands anywhere in the interval: start at a random point of it, not just after a fetch.
    [ "$1" = interval ] && sleep "$((RANDOM % 5)).$((RANDOM % 10))"
    start=$(now_ns)
    commit "$name"
    [ "$1" = webhook ] && curl -sf --unix-socket "$sock" -X POST "http://islanderd/apis/islander.io/v1/sources/bench/fetch" >/dev/null
    until [ "$(phase "$name")" = Running ]; do sleep 0.01; done
    times+=($(( ($(now_ns) - start) / 1000000 )))
  done
  local sorted; sorted=$(printf '%s\n' "${times[@]}" | sort -n)
  echo "commit pushed to isle Running, $1: median $(sed -n "$(( (n + 1) / 2 ))p" <<<"$sorted") ms over $n commits (min $(head -1 <<<"$sorted") ms, max $(tail -1 <<<"$sorted") ms)"
}
measure webhook
measure interval
echo "(interval $interval; islanderd $(api sources/bench | jq -r .status.appliedRevision))"
