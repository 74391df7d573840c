#!/bin/sh
# mktar.sh VERSION BINARY OUTDIR: the Linux tarball OUTDIR/hms-VERSION-linux-amd64.tar.xz
# for distributions without dpkg, laid out like `fyne package`'s HMS.tar.xz:
# usr/local/{bin,share/applications,share/pixmaps} and a Makefile whose
# `sudo make install` copies them under /usr/local (PREFIX=… elsewhere).
set -eu
[ $# -eq 3 ] || { echo "usage: mktar.sh VERSION BINARY OUTDIR" >&2; exit 2; }
version=$1 bin=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/hms-$version
install -d "$root/usr/local/bin" "$root/usr/local/share/applications" "$root/usr/local/share/pixmaps"
install -m 0755 "$bin" "$root/usr/local/bin/hms"
sed 's/^Icon=.*/Icon=hms/' "$here/hms.desktop" >"$root/usr/local/share/applications/hms.desktop"
install -m 0644 "$top/assets/icon.png" "$root/usr/local/share/pixmaps/hms.png"
cat >"$root/Makefile" <<'MK'
# HMS for Linux: `sudo make install` (PREFIX=/usr/local), `sudo make uninstall`.
PREFIX ?= /usr/local
install:
	install -Dm755 usr/local/bin/hms $(DESTDIR)$(PREFIX)/bin/hms
	install -Dm644 usr/local/share/applications/hms.desktop $(DESTDIR)$(PREFIX)/share/applications/hms.desktop
	install -Dm644 usr/local/share/pixmaps/hms.png $(DESTDIR)$(PREFIX)/share/pixmaps/hms.png
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/hms $(DESTDIR)$(PREFIX)/share/applications/hms.desktop $(DESTDIR)$(PREFIX)/share/pixmaps/hms.png
.PHONY: install uninstall
MK
mkdir -p "$out"
mtime=@${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}
tar -C "$work" --sort=name --owner=0 --group=0 --numeric-owner --mtime="$mtime" -cJf "$out/hms-$version-linux-amd64.tar.xz" "hms-$version"
echo "$out/hms-$version-linux-amd64.tar.xz"
