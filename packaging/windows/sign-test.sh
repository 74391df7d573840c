#!/bin/sh
# sign-test.sh FILE: signs a copy of the Windows file FILE with a throw-away
# self-signed certificate through sign.sh, and checks the signature with
# `osslsigncode verify` against that certificate; an unsigned copy must fail
# the same check.
set -eu
[ $# -eq 1 ] || { echo "usage: sign-test.sh FILE" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey rsa:2048 -sha256 -days 2 -nodes -subj "/CN=HMS release test/O=HMS desktop" \
	-addext "extendedKeyUsage=codeSigning" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
printf '%s\n' 'test pfx password' >"$work/pass"
openssl pkcs12 -export -inkey "$work/key.pem" -in "$work/cert.pem" -out "$work/cert.pfx" -passout "file:$work/pass"
cp "$1" "$work/unsigned.exe"
cp "$1" "$work/signed.exe"
SIGN_PFX=$work/cert.pfx SIGN_PASSWORD_FILE=$work/pass "$here/sign.sh" "$work/signed.exe"
if osslsigncode verify -CAfile "$work/cert.pem" -in "$work/unsigned.exe" >/dev/null 2>&1; then
	echo "sign-test.sh: an unsigned file passed verification" >&2; exit 1
fi
osslsigncode verify -CAfile "$work/cert.pem" -in "$work/signed.exe" >"$work/verify" 2>&1 || {
	cat "$work/verify" >&2; echo "sign-test.sh: the signed file does not verify" >&2; exit 1; }
grep -E "Signature verification: ok|Subject: .*HMS release test" "$work/verify"
echo "sign-test.sh: $(basename "$1") signs and verifies"
