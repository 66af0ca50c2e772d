#!/bin/bash
# The server's floor under a full engine run: the same rows read (the month's readings of 1 000
# points) and written (its interval rows) with nothing computed, psql as the client, two
# connections each way like the engine's defaults (each read a sorted half of the points, where
# the engine reads chunks of ~100 points unsorted: close, not identical). No engine can beat this on the server, so
# baseline time / this time bounds the ratio bench/engine.ts can reach with this storage.
#
#   bench/engine-floor.sh mf_bench_engine_<n>   # a database kept by bench/engine.ts --points 1000 --keep
#
# It rewrites that database's interval_energy (truncated and copied back, same rows).
set -euo pipefail
DB=${1:?usage: bench/engine-floor.sh <database kept by bench/engine.ts --keep>}
case "$DB" in mf_bench_engine_*) ;; *) echo "not a kept bench database: $DB" >&2; exit 2 ;; esac
P="psql -h 127.0.0.1 -U postgres -d $DB -q -v ON_ERROR_STOP=1"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
now() { date +%s%N; }
secs() { local ns=$(( $(now) - $1 )); printf "%d.%02d s" $((ns / 1000000000)) $((ns / 10000000 % 100)); }
COLS="point_id, ts, $(for d in ap_imp ap_exp rp_imp rp_exp; do for t in total sharp peak flat valley; do printf "%s_%s, " $d $t; done; done)quality, method, source_from, source_to"
RCOLS="point_id, ts, $(for d in ap_imp ap_exp rp_imp rp_exp; do for t in total sharp peak flat valley; do printf "%s_%s, " $d $t; done; done | sed 's/, $//')"
$P -c "\copy (SELECT $COLS FROM interval_energy WHERE point_id < 'B00500' ORDER BY point_id, ts) TO '$TMP/ie1.bin' (FORMAT binary)"
$P -c "\copy (SELECT $COLS FROM interval_energy WHERE point_id >= 'B00500' ORDER BY point_id, ts) TO '$TMP/ie2.bin' (FORMAT binary)"
$P -c "TRUNCATE interval_energy" -c "VACUUM ANALYZE" -c "CHECKPOINT"
s=$(now)
$P -c "\copy interval_energy ($COLS) FROM '$TMP/ie1.bin' (FORMAT binary)" & $P -c "\copy interval_energy ($COLS) FROM '$TMP/ie2.bin' (FORMAT binary)" & wait
echo "write floor, two writers: $(secs $s)"
$P -c "CHECKPOINT"
s=$(now)
$P -c "\copy (SELECT $RCOLS FROM reading WHERE point_id < 'B00500' AND ts >= '2026-09-30 20:00Z' AND ts <= '2026-11-01 01:00Z' ORDER BY point_id, ts) TO '/dev/null' (FORMAT binary)" & $P -c "\copy (SELECT $RCOLS FROM reading WHERE point_id >= 'B00500' AND ts >= '2026-09-30 20:00Z' AND ts <= '2026-11-01 01:00Z' ORDER BY point_id, ts) TO '/dev/null' (FORMAT binary)" & wait
echo "read floor, two readers: $(secs $s)"
$P -c "TRUNCATE interval_energy" -c "VACUUM ANALYZE" -c "CHECKPOINT"
s=$(now)
$P -c "\copy interval_energy ($COLS) FROM '$TMP/ie1.bin' (FORMAT binary)" & $P -c "\copy interval_energy ($COLS) FROM '$TMP/ie2.bin' (FORMAT binary)" & $P -c "\copy (SELECT $RCOLS FROM reading WHERE point_id < 'B00500' AND ts >= '2026-09-30 20:00Z' AND ts <= '2026-11-01 01:00Z' ORDER BY point_id, ts) TO '/dev/null' (FORMAT binary)" & $P -c "\copy (SELECT $RCOLS FROM reading WHERE point_id >= 'B00500' AND ts >= '2026-09-30 20:00Z' AND ts <= '2026-11-01 01:00Z' ORDER BY point_id, ts) TO '/dev/null' (FORMAT binary)" & wait
echo "reads and writes at once: $(secs $s)"
