#!/usr/bin/env bash
# search-latency.sh: keystroke to results in the Patients search of the real
# window. Starts hms on a virtual screen (Xvfb) with HMS_DEBUG_SEARCH=1,
# logs in as the demo receptionist, types a name one key at a time with
# xdotool, and prints for each key the time from xdotool sending it to the
# app binding the first result row of that search (the app's log line
# "search timing", which also gives the time from the text changing).
#
#   scripts/search-latency.sh [HMS_BINARY] [DATABASE] [TEXT]
#
# Defaults: ./hms, make demo's database (~/.cache/hms/demo.db; made with
# `hms demo --patients 2000` when missing), the text "maria". Needs Xvfb
# and xdotool. Say the load average (printed) with the figures.
set -eu
bin=${1:-./hms}
db=${2:-$HOME/.cache/hms/demo.db}
text=${3:-maria}
for tool in Xvfb xdotool; do
  command -v $tool >/dev/null || { echo "search-latency: $tool is not installed" >&2; exit 1; }
done
[ -f "$db" ] || "$bin" --db "$db" demo --force --patients 2000
d=150; while [ -e /tmp/.X11-unix/X$d ] || [ -e /tmp/.X$d-lock ]; do d=$((d+1)); done
Xvfb :$d -screen 0 1440x900x24 >/dev/null 2>&1 & xpid=$!
log=$(mktemp); sent=$(mktemp)
trap 'kill $apid 2>/dev/null; kill $xpid 2>/dev/null; rm -f "$log" "$sent"' EXIT
sleep 1
export DISPLAY=:$d LANGUAGE=en
HMS_DEBUG_SEARCH=1 "$bin" --db "$db" >"$log" 2>&1 & apid=$!
sleep 8
xdotool type reception; xdotool key Tab; xdotool type 'demo reception password'; xdotool key Return
sleep 8
# One key at a time, each after the last one's results are in.
for ((i = 0; i < ${#text}; i++)); do
  echo "$(date +%s%6N)" >>"$sent"
  xdotool type -- "${text:i:1}"
  sleep 1
done
sleep 1
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# The empty search the area runs when it opens is not a keystroke's.
grep 'search timing' "$log" | sed 's/.*search timing: //' | grep -v '^"" ' >"$log.t" || true
if [ ! -s "$log.t" ]; then
  echo "search-latency: the app logged no search timing; its output:" >&2; tail -20 "$log" >&2; rm -f "$log.t"; exit 1
fi
paste "$sent" "$log.t" | awk -F'\t' '{
  split($2, f, " "); bound = 0
  for (i = 1; i <= length(f); i++) if (f[i] == "bound" && f[i+1] == "at") { bound = f[i+2]; sub(":", "", bound) }
  printf "key %d: %s; from key sent: %.1f ms\n", NR, $2, (bound - $1) / 1000
}'
rm -f "$log.t"
