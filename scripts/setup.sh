#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine (with the .NET SDK) to build, run and test islander:
# installs the Debian packages islander and its tests use, builds everything, installs islanderd
# and islanderctl in /usr/local/bin and builds the default busybox root filesystem the examples
# run on. Idempotent; run as root.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gcc libc6-dev busybox-static iproute2 nftables btrfs-progs xfsprogs e2fsprogs libcap2-bin file iperf3 docker-registry skopeo umoci apache2-utils debootstrap systemd systemd-container lintian curl jq prometheus bash-completion zsh fish tmux git openssh-client openssh-server)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

dotnet build -c Release Islander.sln -nologo -v:q

# islanderd and islanderctl (NativeAOT: a command starts in milliseconds), with isle-init beside
# them, installed as /usr/local/bin/islanderd and /usr/local/bin/islanderctl.
bin=$PWD/artifacts/bin
dotnet publish src/Islander.Controller -c Release -o "$bin" -nologo -v:q
dotnet publish src/Islander.Cli -c Release -r linux-x64 -p:PublishAot=true -o "$bin" -nologo -v:q
ln -sf "$bin/islanderd" /usr/local/bin/islanderd
ln -sf "$bin/islanderctl" /usr/local/bin/islanderctl

# The examples' default root filesystem.
rootfs=${ISLANDER_BUSYBOX_ROOTFS:-/var/lib/islander/rootfs/busybox}
[ -x "$rootfs/bin/busybox" ] || scripts/make-busybox-rootfs.sh "$rootfs"
