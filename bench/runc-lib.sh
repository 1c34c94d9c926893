# Shared by the bench scripts that compare islanderctl with runc in one hyperfine run: the tools, the NativeAOT
# islanderctl users get, a runc bundle on a rootfs, and the medians hyperfine measured. Expects $work.
# shellcheck shell=bash
export DEBIAN_FRONTEND=noninteractive
for p in runc hyperfine jq; do dpkg -s "$p" >/dev/null 2>&1 || { apt-get update -qq; apt-get install -y -qq "$p" >/dev/null; }; done

publish_ctl() { # -> $work/ctl/islanderctl
  dotnet publish src/Islander.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$work/ctl" -nologo -v:q >/dev/null
}

runc_bundle() { # bundle-dir command... : runc's default spec with the host's network namespace, running the command
  local bundle=$1; shift
  (cd "$bundle" && runc spec)
  jq --args '.process.args = $ARGS.positional | .process.terminal = false
      | .linux.namespaces |= map(select(.type != "network"))' "$@" < "$bundle/config.json" > "$bundle/config.json.new"
  mv "$bundle/config.json.new" "$bundle/config.json"
}

print_medians() { # hyperfine's --export-json file
  jq -r '.results[] | "\(.command)\tmedian \(.median * 1000 | . * 100 | round / 100) ms\tmean \(.mean * 1000 | . * 100 | round / 100) ms"' "$1"
}
