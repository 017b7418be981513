#!/bin/bash
# Measures the tamper-evident record (issue 12, item 5; core/ledger.h): what
# appending a leaf costs the write path, up to BENCH_LEAVES leaves (default
# 1,000,000), and what a root, an inclusion proof, a consistency proof and a
# signed checkpoint cost at that size (bench/ledger.c: each append reads the
# contribution, its comments and attachments, makes its canonical JSON and
# salted commitment and appends the leaf and its subtrees, grouped 1,024 to a
# transaction as the group commit groups contributions, on SQLite with the
# server's settings: WAL, synchronous FULL).
#
#   bench/ledger.sh BUILD_DIR [BASELINE_BUILD_DIR]
#
# The append's share of the write path is its time per contribution against
# the write path's: 1 / BENCH_WRITE_RATE (contributions per second; default
# 4261, bench/write-path.sh's figure on main before the record). With
# BASELINE_BUILD_DIR (a build of the same code without the record), the write
# path itself is measured with and without (bench/write-path.sh on each, with
# BENCH_SECONDS and a small burst) and both rates are printed.
#
# Figures depend on the machine and on what else runs on it: say which.
set -u

BENCH_NAME=ledger
. "$(dirname "$0")/lib.sh"
die() { bench_die "$@"; }
bench_begin "$1" sqlite3 ninja
BASELINE=${2:-}
LEAVES=${BENCH_LEAVES:-1000000}
RATE=${BENCH_WRITE_RATE:-4261}

ninja -C "$BUILD" bench-ledger >"$TMP/ninja.out" 2>&1 || { cat "$TMP/ninja.out" >&2; die "cannot build bench-ledger"; }
bench_demo --contributions
# The demo's contribution with the most comments: the heaviest canonical JSON of the demo to make.
CID=$(sqlite3 "$DB" "SELECT c.id FROM contribution c LEFT JOIN comment m ON m.contribution_id = c.id
	GROUP BY c.id ORDER BY count(m.id) DESC, c.id LIMIT 1")
[ -n "$CID" ] || die "the demo has no contribution"
before=$(stat -c %s "$DB")
echo "ledger: $(nproc) cores, $LEAVES leaves, contribution $CID; $(uptime | sed 's/.*load/load/')"
"$BUILD/bench-ledger" "sqlite:$DB" "$CID" "$LEAVES" | tee "$TMP/bench.out" || die "bench-ledger failed"
sqlite3 "$DB" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
after=$(stat -c %s "$DB")
us=$(sed -n 's/^APPEND .* us_per_append=\([0-9.]*\) .*/\1/p' "$TMP/bench.out")
last=$(grep '^LEAVES' "$TMP/bench.out" | tail -1 | sed 's/.*us_per_append=//')
awk -v us="$us" -v last="$last" -v rate="$RATE" -v b="$before" -v a="$after" -v n="$LEAVES" 'BEGIN {
	per = 1e6 / rate
	printf "SHARE append %.1f us (the last tenth, near the full size: %.1f us) against %.1f us per contribution of the write path at %d/s: %.1f %% (%.1f %% near the full size)\n", us, last, per, rate, 100 * us / per, 100 * last / per
	printf "SPACE %.0f bytes per leaf (leaf row, its share of the subtrees, indexes)\n", (a - b) / n
}'

if [ -n "$BASELINE" ]; then
	for build in "$BASELINE" "$BUILD"; do
		BENCH_BURST=${BENCH_BURST:-2000} BENCH_BURST_CONNECTIONS=${BENCH_BURST_CONNECTIONS:-100} \
			"$HERE/write-path.sh" "$build" >"$TMP/wp.out" 2>&1 || { cat "$TMP/wp.out" >&2; die "write-path.sh failed on $build"; }
		echo "WRITE-PATH $build: $(grep '^API:' "$TMP/wp.out")"
	done
fi
