#!/bin/sh
# mkdeb.sh VERSION BINARY OUTDIR: the Debian package hms_VERSION_amd64.deb
# of the Linux build BINARY, written into OUTDIR. Its Depends come from
# dpkg-shlibdeps (the shared libraries BINARY links against).
set -eu
[ $# -eq 3 ] || { echo "usage: mkdeb.sh VERSION BINARY OUTDIR" >&2; exit 2; }
version=$1 bin=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# A Debian version starts with a digit: a development build's git
# description (a commit, -dirty) becomes 0~git<description>.
case "$version" in
[0-9]*) ;;
*) version="0~git$(printf %s "$version" | tr -c 'A-Za-z0-9.+~\n' '.')" ;;
esac
for t in dpkg-deb dpkg-shlibdeps; do
	command -v $t >/dev/null 2>&1 || { echo "mkdeb.sh: $t is missing (apt-get install dpkg-dev)" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/applications" \
	"$root/usr/share/icons/hicolor/512x512/apps" "$root/usr/share/doc/hms"
install -m 0755 "$bin" "$root/usr/bin/hms"
install -m 0644 "$here/hms.desktop" "$root/usr/share/applications/org.hmsdesktop.hms.desktop"
install -m 0644 "$top/assets/icon.png" "$root/usr/share/icons/hicolor/512x512/apps/org.hmsdesktop.hms.png"
install -m 0644 "$here/copyright" "$root/usr/share/doc/hms/copyright"
# A native package's changelog: this version's entry.
date=$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}")
printf 'hms (%s) stable; urgency=medium\n\n  * Release %s; see CHANGELOG.md.\n\n -- HMS desktop <hms@hmsdesktop.org>  %s\n' \
	"$version" "$version" "$date" | gzip -9n >"$root/usr/share/doc/hms/changelog.gz"
chmod 0644 "$root/usr/share/doc/hms/changelog.gz"

# dpkg-shlibdeps reads debian/control from the directory it runs in.
mkdir -p "$work/debian"
printf 'Source: hms\n\nPackage: hms\nArchitecture: amd64\n' >"$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O -eroot/usr/bin/hms 2>"$work/shlibdeps.err" | sed -n 's/^shlibs:Depends=//p') || {
	cat "$work/shlibdeps.err" >&2; exit 1; }
[ -n "$depends" ] || { echo "mkdeb.sh: dpkg-shlibdeps found no dependencies" >&2; cat "$work/shlibdeps.err" >&2; exit 1; }
rm -rf "$work/debian"

size=$(du -sk "$root/usr" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: hms
Version: $version
Architecture: amd64
Maintainer: HMS desktop <hms@hmsdesktop.org>
Installed-Size: $size
Depends: $depends
Section: misc
Priority: optional
Homepage: https://hmsdesktop.org
Description: clinic management desktop app
 HMS desktop keeps a clinic's patients, appointments, visits, billing,
 prescriptions and records in a local SQLite database, with an audit log
 signed by a key kept outside the database, and syncs the clinic's desks
 through a PostgreSQL server.
CONTROL
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/hms_${version}_amd64.deb" >/dev/null
echo "$out/hms_${version}_amd64.deb"
