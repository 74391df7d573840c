#!/bin/sh
# mkwin.sh VERSION OUTDIR [LDFLAGS]: the Windows build of HMS, cross-compiled
# with mingw-w64: OUTDIR/windows/hms.exe, carrying the icon and VERSION in its
# file properties (a resource made here with windres), and the installer
# OUTDIR/HMS-Setup-VERSION.exe (makensis, hms.nsi). LDFLAGS are added to the
# link (the release's -X settings). Both files are signed when a certificate
# is configured (sign.sh). Leaves the source tree as it found it.
set -eu
[ $# -ge 2 ] || { echo "usage: mkwin.sh VERSION OUTDIR [LDFLAGS]" >&2; exit 2; }
version=$1 out=$2 ldflags=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
GO=${GO:-go}
CC_WIN=${CC_WIN:-x86_64-w64-mingw32-gcc}
WINDRES=${WINDRES:-x86_64-w64-mingw32-windres}
for t in "$CC_WIN" "$WINDRES" makensis; do
	command -v "$t" >/dev/null 2>&1 || {
		echo "mkwin.sh: $t is missing (apt-get install gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 nsis)" >&2; exit 1; }
done

# The four numbers of Windows' file version: 1.2.3 → 1.2.3.0; a
# development build (no leading number) is 0.0.0.0.
nums=$(printf %s "$version" | sed -n 's/^v\{0,1\}\([0-9]\{1,5\}\)\(\.\([0-9]\{1,5\}\)\)\{0,1\}\(\.\([0-9]\{1,5\}\)\)\{0,1\}.*/\1 \3 \5/p')
set -- $nums 0 0 0
vmaj=${1:-0} vmin=${2:-0} vpat=${3:-0}
viversion="$vmaj.$vmin.$vpat.0"

work=$(mktemp -d)
syso="$top/rsrc_windows_amd64.syso"
[ ! -e "$syso" ] || { echo "mkwin.sh: $syso is in the way (left by an interrupted build?); remove it" >&2; exit 1; }
trap 'rm -rf "$work"; rm -f "$syso"' EXIT INT TERM

(cd "$top" && "$GO" run ./packaging/windows/mkico assets/icon.png "$work/hms.ico")
cat >"$work/hms.rc" <<RC
#include <winver.h>
1 ICON "hms.ico"
1 VERSIONINFO
FILEVERSION $vmaj,$vmin,$vpat,0
PRODUCTVERSION $vmaj,$vmin,$vpat,0
FILEFLAGSMASK VS_FFI_FILEFLAGSMASK
FILEOS VOS_NT_WINDOWS32
FILETYPE VFT_APP
BEGIN
  BLOCK "StringFileInfo"
  BEGIN
    BLOCK "040904B0"
    BEGIN
      VALUE "CompanyName", "HMS desktop"
      VALUE "FileDescription", "HMS clinic management"
      VALUE "FileVersion", "$version"
      VALUE "InternalName", "hms"
      VALUE "LegalCopyright", "The HMS desktop authors"
      VALUE "OriginalFilename", "hms.exe"
      VALUE "ProductName", "HMS"
      VALUE "ProductVersion", "$version"
    END
  END
  BLOCK "VarFileInfo"
  BEGIN
    VALUE "Translation", 0x409, 1200
  END
END
RC
(cd "$work" && "$WINDRES" -i hms.rc -O coff -o "$syso")

mkdir -p "$out/windows"
# -H windowsgui: no console window behind the app; hms.exe attaches to the
# console it was started from for its commands (main_windows.go).
(cd "$top" && CGO_ENABLED=1 GOOS=windows GOARCH=amd64 CC="$CC_WIN" \
	"$GO" build -tags sqlite_fts5 -ldflags "-H windowsgui $ldflags" -o "$out/windows/hms.exe" .)
rm -f "$syso"
"$here/sign.sh" "$out/windows/hms.exe"

out_abs=$(cd "$out" && pwd)
makensis -V2 -DVERSION="$version" -DVIVERSION="$viversion" -DEXE="$out_abs/windows/hms.exe" \
	-DICON="$work/hms.ico" -DOUT="$out_abs/HMS-Setup-$version.exe" "$here/hms.nsi"
"$here/sign.sh" "$out/HMS-Setup-$version.exe"

# The version is in both files' properties.
for f in "$out/windows/hms.exe" "$out/HMS-Setup-$version.exe"; do
	strings -e l "$f" | grep -A1 -x ProductVersion | grep -qxF "$version" ||
		{ echo "mkwin.sh: $f does not carry ProductVersion $version" >&2; exit 1; }
done
echo "$out/windows/hms.exe"
echo "$out/HMS-Setup-$version.exe"
