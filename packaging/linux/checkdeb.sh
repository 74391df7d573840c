#!/bin/sh
# checkdeb.sh DEB VERSION: the package's checks. lintian reports no errors,
# Depends names the shared libraries (dpkg-shlibdeps), the contents unpack
# with dpkg-deb -x, and the unpacked hms says VERSION.
set -eu
[ $# -eq 2 ] || { echo "usage: checkdeb.sh DEB VERSION" >&2; exit 2; }
deb=$1 version=$2
command -v lintian >/dev/null 2>&1 || { echo "checkdeb.sh: lintian is missing (apt-get install lintian)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# lintian: warnings are shown, errors fail.
lintian --tag-display-limit 0 "$deb" >"$work/lintian" 2>&1 || true
cat "$work/lintian"
if grep -q '^E: ' "$work/lintian"; then
	echo "checkdeb.sh: lintian reports errors" >&2; exit 1
fi
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libgl1 libx11-6; do
	echo "$depends" | grep -q "$lib" || { echo "checkdeb.sh: Depends lacks $lib" >&2; exit 1; }
done
dpkg-deb -x "$deb" "$work/root"
for f in usr/bin/hms usr/share/applications/org.hmsdesktop.hms.desktop \
	usr/share/icons/hicolor/512x512/apps/org.hmsdesktop.hms.png usr/share/doc/hms/copyright; do
	[ -f "$work/root/$f" ] || { echo "checkdeb.sh: the package lacks /$f" >&2; exit 1; }
done
got=$(LANGUAGE=en "$work/root/usr/bin/hms" version)
echo "unpacked hms version: $got"
echo "$got" | grep -qF "$version" || { echo "checkdeb.sh: hms version says '$got', not $version" >&2; exit 1; }
echo "checkdeb.sh: $deb OK"
