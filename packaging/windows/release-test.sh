#!/bin/bash
# release-test.sh VERSION DIST: the Windows installer DIST/HMS-Setup-VERSION.exe
# tried under Wine on a virtual screen (Xvfb), in a Wine prefix of its own:
#   - a silent install for all users with the database folder preset
#     (/S /DBDIR=C:\HMSData): hms.exe, the uninstaller, the Start menu and
#     desktop shortcuts, the Apps & features entry, HMS_DB;
#   - the installed hms.exe runs version, setup, demo, verify, backup and
#     restore (and verify again);
#   - the app opens its login window (a screenshot whose pixels are checked);
#   - the silent uninstaller removes the program, its shortcuts and entries,
#     and keeps the database.
# Wine 8 (Debian 12) lacks ProcessPrng, which Go programs need: a stand-in
# DLL is built from wineshim/ and copied into the prefix.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: release-test.sh VERSION DIST" >&2; exit 2; }
version=$1 dist=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
installer=$(cd "$dist" && pwd)/HMS-Setup-$version.exe
[ -f "$installer" ] || { echo "release-test.sh: no $installer (make windows VERSION=$version)" >&2; exit 1; }
for t in wine wineboot wineserver Xvfb xdotool import x86_64-w64-mingw32-gcc; do
	command -v $t >/dev/null 2>&1 || {
		echo "release-test.sh: $t is missing (apt-get install wine wine64 xvfb xdotool imagemagick gcc-mingw-w64-x86-64)" >&2; exit 1; }
done

work=$(mktemp -d)
export WINEPREFIX=$work/prefix WINEARCH=win64 WINEDEBUG=-all LANGUAGE=en
# No Mono or Gecko install prompts; the stand-in bcryptprimitives first.
export WINEDLLOVERRIDES="mscoree,mshtml=;bcryptprimitives=n,b"
d=90; while [ -e /tmp/.X11-unix/X$d ] || [ -e /tmp/.X$d-lock ]; do d=$((d+1)); done
Xvfb :$d -screen 0 1280x800x24 >/dev/null 2>&1 &
xvfb=$!
export DISPLAY=:$d
cleanup() {
	wineserver -k >/dev/null 2>&1 || true
	kill "$xvfb" 2>/dev/null || true
	if [ "${KEEP:-}" = 1 ]; then echo "release-test.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
step() { printf '\n== %s\n' "$*"; }
fail() { echo "release-test.sh: FAIL: $*" >&2; exit 1; }
# win runs a Windows program and strips the carriage returns of its output.
win() { wine "$@" 2>"$work/stderr" | tr -d '\r'; }

step "Wine prefix"
wineboot --init >/dev/null 2>&1
wineserver -w
x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" \
	"$here/wineshim/bcryptprimitives.c" "$here/wineshim/bcryptprimitives.def" -ladvapi32
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
c=$WINEPREFIX/drive_c

step "Silent install: $(basename "$installer") /S /DBDIR=C:\\HMSData"
wine "$installer" /S '/DBDIR=C:\HMSData'
wineserver -w
pf="$c/Program Files/HMS"
for f in "$pf/hms.exe" "$pf/uninstall.exe" "$c/ProgramData/Microsoft/Windows/Start Menu/Programs/HMS.lnk" \
	"$c/users/Public/Desktop/HMS.lnk"; do
	[ -f "$f" ] || fail "the install made no ${f#$c/}"
done
[ -d "$c/HMSData" ] || fail "the install made no database folder C:\\HMSData"
key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\HMS'
win reg query "$key" >"$work/uninstall-key" || fail "no Apps & features entry ($key)"
grep -q "DisplayVersion.*$version" "$work/uninstall-key" || fail "Apps & features does not show $version: $(cat "$work/uninstall-key")"
grep -q 'UninstallString' "$work/uninstall-key" || fail "Apps & features has no uninstaller"
envkey='HKLM\SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
win reg query "$envkey" /v HMS_DB | grep -q 'C:\\HMSData\\hms.db' || fail "HMS_DB is not preset to C:\\HMSData\\hms.db"
echo "installed: Program Files\\HMS, Start menu, desktop, Apps & features ($version), HMS_DB"

hms='C:\Program Files\HMS\hms.exe'
# The preset HMS_DB reaches new programs through the machine's environment:
# setup and the plain verify use it; the demo database is named with --db.
step "hms.exe version"
out=$(win "$hms" version) || fail "version: $(cat "$work/stderr")"
echo "$out"
echo "$out" | grep -qF "hms $version" || fail "hms.exe version says '$out', not $version"

step "hms.exe setup (the preset database)"
printf '%s\n' 'release test admin password' | win "$hms" setup --clinic "Release Test Clinic" \
	--time-zone Europe/Athens --currency EUR --admin admin --admin-name "Release Tester" ||
	fail "setup: $(cat "$work/stderr")"
[ -f "$c/HMSData/hms.db" ] || fail "setup did not make C:\\HMSData\\hms.db (HMS_DB preset)"

step "hms.exe demo"
demo='C:\HMSData\demo.db'
win "$hms" --db "$demo" demo --patients 40 | tail -n 3 || fail "demo: $(cat "$work/stderr")"

step "hms.exe verify"
win "$hms" --db "$demo" verify | tail -n 3 || fail "verify: $(cat "$work/stderr")"
win "$hms" verify | tail -n 1 || fail "verify of the preset database: $(cat "$work/stderr")"

step "hms.exe backup"
win "$hms" --db "$demo" backup 'C:\HMSData\demo-backup.db' || fail "backup: $(cat "$work/stderr")"
[ -s "$c/HMSData/demo-backup.db" ] || fail "backup wrote nothing"

step "hms.exe restore"
win "$hms" --db "$demo" restore 'C:\HMSData\demo-backup.db' || fail "restore: $(cat "$work/stderr")"
win "$hms" --db "$demo" verify | tail -n 1 || fail "verify after restore: $(cat "$work/stderr")"

step "The app's login window"
wine "$hms" --db "$demo" >"$work/gui.log" 2>&1 &
gui=$!
for _ in $(seq 1 120); do
	xdotool search --name '^HMS' >/dev/null 2>&1 && break
	kill -0 $gui 2>/dev/null || fail "the app exited: $(tail -n 20 "$work/gui.log")"
	sleep 1
done
xdotool search --name '^HMS' >/dev/null 2>&1 || fail "no HMS window after 2 minutes"
sleep 5
shot=${RELEASE_TEST_SHOT:-$work/login.png}
import -window root "$shot"
(cd "$top" && go run ./packaging/windows/checkshot "$shot") || fail "the screenshot ($shot) does not show the login window"
wineserver -k
wait $gui 2>/dev/null || true

step "Silent uninstall"
wine "$pf/uninstall.exe" /S
wineserver -w
sleep 2 # the uninstaller runs from a copy in the temporary folder
wineserver -w
for f in "$pf/hms.exe" "$pf/uninstall.exe" "$c/ProgramData/Microsoft/Windows/Start Menu/Programs/HMS.lnk" \
	"$c/users/Public/Desktop/HMS.lnk"; do
	[ ! -e "$f" ] || fail "the uninstaller left ${f#$c/}"
done
if win reg query "$key" >/dev/null 2>&1; then fail "the Apps & features entry is still there"; fi
if win reg query "$envkey" /v HMS_DB >/dev/null 2>&1; then fail "HMS_DB is still set"; fi
[ -f "$c/HMSData/hms.db" ] || fail "the uninstaller removed the database"
echo "uninstalled; the database stays"

printf '\nrelease-test.sh: the Windows installer of HMS %s passed\n' "$version"
