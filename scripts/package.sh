#!/usr/bin/env bash
# Builds the Debian package artifacts/deb/islander_VERSION_amd64.deb with dpkg-deb: islanderd (self-contained and
# trimmed) and islanderctl (NativeAOT) in /usr/bin, which run with no .NET installed; isle-init in
# /usr/libexec/islander; the systemd unit; /etc/islander/config.yaml as a conffile; /etc/islander/manifests; man pages.
# Why these choices: docs/packaging.md. Needs the .NET SDK, gcc, dpkg-dev; runs lintian on the result when installed.
#   scripts/package.sh [OUTDIR]      ISLANDER_VERSION=1.2.3 overrides the version
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-artifacts/deb}")

# The product's version is Directory.Build.props' <Version>; a build from git between releases sorts after that
# release in Debian's order (0.9.0+git20261205.1a2b3c4d).
release=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
version=${ISLANDER_VERSION:-$release+git$(git log -1 --format=%cd --date=format:%Y%m%d).$(git rev-parse --short=8 HEAD)}
arch=amd64

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
publish=$work/publish

# IslanderPackage=true selects the publish settings in the two projects; the default build is unchanged.
dotnet publish src/Islander.Controller -c Release -p:IslanderPackage=true -o "$publish/d" -nologo -v:q -clp:NoSummary
dotnet publish src/Islander.Cli -c Release -p:IslanderPackage=true -o "$publish/c" -nologo -v:q -clp:NoSummary

install -d -m 0755 "$root/usr/bin" "$root/usr/libexec/islander" "$root/lib/systemd/system" \
  "$root/etc/islander/manifests" "$root/usr/share/doc/islander" "$root/DEBIAN"
install -m 0755 "$publish/d/islanderd" "$publish/c/islanderctl" "$root/usr/bin/"
install -m 0755 "$publish/d/isle-init" "$root/usr/libexec/islander/isle-init"
install -m 0644 packaging/islanderd.service "$root/lib/systemd/system/islanderd.service"
install -m 0644 packaging/islanderd.socket "$root/lib/systemd/system/islanderd.socket" # shipped, not enabled (docs/packaging.md)
install -m 0644 packaging/config.yaml "$root/etc/islander/config.yaml"
install -m 0644 packaging/copyright "$root/usr/share/doc/islander/copyright"
install -D -m 0644 packaging/lintian-overrides "$root/usr/share/lintian/overrides/islander"
install -d -m 0755 "$root/usr/share/man/man1" "$root/usr/share/man/man8"
gzip -9n < packaging/islanderctl.1 > "$root/usr/share/man/man1/islanderctl.1.gz"
gzip -9n < packaging/islanderd.8 > "$root/usr/share/man/man8/islanderd.8.gz"
# The native binaries carry no debug symbols (DebugType none, StripSymbols); isle-init is stripped here.
# islanderctl loses its .comment too; islanderd is a single-file bundle (the app appended to the host executable),
# which strip would cut off.
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/libexec/islander/isle-init"
strip --remove-section=.comment "$root/usr/bin/islanderctl"

# Changelog: Debian's format, one entry for this build, compressed as policy 12.7 asks.
{
  echo "islander ($version) unstable; urgency=medium"
  echo
  echo "  * Build of commit $(git rev-parse HEAD)."
  echo
  echo " -- Islander maintainers <maintainers@islander.example.org>  $(git log -1 --format=%cD)"
} | gzip -9n > "$root/usr/share/doc/islander/changelog.gz"

for script in postinst prerm postrm; do
  install -m 0755 "packaging/$script" "$root/DEBIAN/$script"
done
# md5sums for debsums and dpkg --verify: every file but the conffile, whose sum dpkg keeps itself.
(cd "$root" && find . -type f ! -path ./DEBIAN/\* ! -path ./etc/\* -printf '%P\0' | sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
# The config is the administrator's once installed: dpkg asks before replacing an edited one.
echo /etc/islander/config.yaml > "$root/DEBIAN/conffiles"

# What the binaries link: islanderd and islanderctl libc and libm (plus libssl, loaded by .NET only for HTTPS to a
# registry; ca-certificates for its trust store); isle-init is static.
installed_size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<EOF
Package: islander
Version: $version
Architecture: $arch
Maintainer: Islander maintainers <maintainers@islander.example.org>
Installed-Size: $installed_size
Depends: libc6 (>= 2.34), libssl3 | libssl3t64, adduser
Recommends: ca-certificates
Section: admin
Priority: optional
Homepage: https://localhost/islander
Description: container engine that reconciles YAML manifests
 Islander runs isles (Linux containers) described by YAML manifests dropped
 into /etc/islander/manifests: islanderd, a systemd service, keeps them
 running and brings their networks and volumes; islanderctl applies, lists,
 logs and execs over the daemon's socket.
EOF

mkdir -p "$out"
deb=$out/islander_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
if command -v lintian >/dev/null; then
  lintian --fail-on error "$deb" >&2 || {
    echo "package.sh: lintian reports errors in $deb" >&2
    exit 1
  }
fi
