#!/bin/sh
# mkdmg.sh VERSION OUTDIR [LDFLAGS]: on a Mac, HMS.app as a universal
# binary (arm64 and amd64) in OUTDIR/HMS-VERSION.dmg. Needs Xcode's command
# line tools (cgo for both architectures, lipo, hdiutil) and Go; fyne
# package makes the app bundle (Info.plist, icon).
#
# Signing and notarisation, when configured (README.md, macOS):
#   MACOS_SIGN_IDENTITY  "Developer ID Application: …" in the login keychain
#   MACOS_NOTARY_PROFILE a notarytool keychain profile
#                        (xcrun notarytool store-credentials)
set -eu
[ $# -ge 2 ] || { echo "usage: mkdmg.sh VERSION OUTDIR [LDFLAGS]" >&2; exit 2; }
version=$1 out=$2 ldflags=${3:-}
[ "$(uname -s)" = Darwin ] || { echo "mkdmg.sh: a macOS app is built on a Mac (cgo, lipo, hdiutil); see README.md" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
GO=${GO:-go}
FYNE="$GO run fyne.io/tools/cmd/fyne@v1.7.4"
work=$(mktemp -d)
trap 'rm -rf "$work"; [ ! -f "$top/.FyneApp.toml.keep" ] || mv "$top/.FyneApp.toml.keep" "$top/FyneApp.toml"' EXIT
mkdir -p "$out"
cd "$top"

# The two architectures, then one universal binary.
for arch in arm64 amd64; do
	CGO_ENABLED=1 GOOS=darwin GOARCH=$arch "$GO" build -tags sqlite_fts5 -ldflags "$ldflags" -o "$work/hms-$arch" .
done
lipo -create -output "$work/hms" "$work/hms-arm64" "$work/hms-amd64"

# fyne package bundles the binary as HMS.app (Info.plist from
# FyneApp.toml, the icon); it bumps FyneApp.toml's Build, put back after.
cp FyneApp.toml .FyneApp.toml.keep
$FYNE package --os darwin --executable "$work/hms" --name HMS --app-id org.hmsdesktop.hms \
	--app-version "$version" --icon assets/icon.png --release
mv .FyneApp.toml.keep FyneApp.toml
rm -rf "$work/HMS.app"
mv HMS.app "$work/HMS.app"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
	codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$work/HMS.app"
	codesign --verify --strict --verbose=2 "$work/HMS.app"
else
	echo "mkdmg.sh: UNSIGNED: no MACOS_SIGN_IDENTITY; Gatekeeper will warn on other Macs"
fi

dmg="$out/HMS-$version.dmg"
rm -f "$dmg"
hdiutil create -volname "HMS $version" -srcfolder "$work/HMS.app" -ov -format UDZO "$dmg"
if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
	codesign --sign "$MACOS_SIGN_IDENTITY" --timestamp "$dmg"
fi
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
	xcrun notarytool submit "$dmg" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
	xcrun stapler staple "$dmg"
fi
echo "$dmg"
