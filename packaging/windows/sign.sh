#!/bin/sh
# sign.sh FILE...: Authenticode-sign Windows files in place with osslsigncode,
# when a code-signing certificate is configured:
#   SIGN_PFX            the certificate and its private key, a PKCS#12 (.pfx) file
#   SIGN_PASSWORD_FILE  a file holding the .pfx's password (optional)
#   SIGN_TIMESTAMP_URL  an RFC 3161 time-stamping server (optional; e.g. the
#                       certificate vendor's), so signatures outlive the certificate
# Without SIGN_PFX it says the files stay unsigned and succeeds.
set -eu
[ $# -ge 1 ] || { echo "usage: sign.sh FILE..." >&2; exit 2; }
if [ -z "${SIGN_PFX:-}" ]; then
	for f in "$@"; do echo "sign.sh: UNSIGNED: $f (no code-signing certificate: set SIGN_PFX, see README.md)"; done
	exit 0
fi
command -v osslsigncode >/dev/null 2>&1 || { echo "sign.sh: osslsigncode is missing (apt-get install osslsigncode)" >&2; exit 1; }
[ -r "$SIGN_PFX" ] || { echo "sign.sh: cannot read SIGN_PFX=$SIGN_PFX" >&2; exit 1; }
for f in "$@"; do
	set -- -pkcs12 "$SIGN_PFX" -n "HMS" -i "https://hmsdesktop.org" -h sha256
	[ -z "${SIGN_PASSWORD_FILE:-}" ] || set -- "$@" -readpass "$SIGN_PASSWORD_FILE"
	[ -z "${SIGN_TIMESTAMP_URL:-}" ] || set -- "$@" -ts "$SIGN_TIMESTAMP_URL"
	rm -f "$f.signed"
	osslsigncode sign "$@" -in "$f" -out "$f.signed" >/dev/null
	mv "$f.signed" "$f"
	echo "sign.sh: signed $f"
done
