#!/bin/bash
# Measures the tamper-evident record (issue 12, item 5; core/ledger.h): what
# appending a leaf costs the write path, up to BENCH_LEAVES leaves (default
# 1,000,000), and what a root, an inclusion proof, a consistency proof and a
# signed checkpoint cost at that size (bench/ledger.c: each append takes the
# contribution's facts as the writer holds them, makes its canonical JSON and
# salted commitment and appends the leaf and its subtrees, grouped 1,024 to a
# transaction as the group commit groups contributions, on SQLite with the
# server's settings: WAL, synchronous FULL).
#
#   bench/ledger.sh BUILD_DIR [BASELINE_BUILD_DIR]
#   meson setup build-bench --buildtype=release -Dbench_switches=true && ninja -C build-bench consulta bench-ledger
#   BENCH_LEAVES=1000 bench/ledger.sh build-bench   # the write path with and without the record (RATIO line)
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
cpu=$(sed -n 's/^APPEND .* cpu_us_per_append=\([0-9.]*\).*/\1/p' "$TMP/bench.out")
last=$(grep '^LEAVES' "$TMP/bench.out" | tail -1 | sed 's/.*us_per_append=//')
awk -v us="$us" -v cpu="$cpu" -v last="$last" -v rate="$RATE" -v b="$before" -v a="$after" -v n="$LEAVES" 'BEGIN {
	per = 1e6 / rate
	printf "SHARE append %.1f us (the last tenth, near the full size: %.1f us) against %.1f us per contribution of the write path at %d/s: %.1f %% (%.1f %% near the full size)\n", us, last, per, rate, 100 * us / per, 100 * last / per
	printf "CPU append %.1f us of CPU time (the wall time above waits for the disk and for the machine'"'"'s other work)\n", cpu
	printf "SPACE %.0f bytes per leaf (leaf row, its share of the subtrees, indexes)\n", (a - b) / n
}'

# The write path with and without the record in one run: BUILD_DIR configured with -Dbench_switches=true (a
# bench build: CONSULTA_BENCH_NO_LEDGER=1 makes its write path append no contribution's leaf, core/ledger.c).
# bench/write-path.sh twice on it (BENCH_SECONDS, a small burst), alternately, BENCH_PAIRS times (default 2);
# the share is 1 - rate with / rate without (summed over the pairs), and the writer thread's time per
# contribution with against without.
if grep -q CONSULTA_BENCH_SWITCHES "$BUILD/build.ninja" 2>/dev/null; then
	PAIRS=${BENCH_PAIRS:-2}
	: >"$TMP/pairs.out"
	for _ in $(seq "$PAIRS"); do
		for mode in with without; do
			if [ "$mode" = without ]; then export CONSULTA_BENCH_NO_LEDGER=1; else unset CONSULTA_BENCH_NO_LEDGER; fi
			BENCH_BURST=${BENCH_BURST:-2000} BENCH_BURST_CONNECTIONS=${BENCH_BURST_CONNECTIONS:-100} \
				"$HERE/write-path.sh" "$BUILD" >"$TMP/wp.out" 2>&1 || { cat "$TMP/wp.out" >&2; die "write-path.sh failed ($mode)"; }
			rate=$(sed -n 's|^API: .* = \([0-9.]*\)/s .*|\1|p' "$TMP/wp.out")
			writer=$(sed -n "s|.*the writer thread's per durable contribution: \([0-9.]*\) us.*|\1|p" "$TMP/wp.out")
			echo "$mode $rate $writer" | tee -a "$TMP/pairs.out" | awk '{printf "WRITE-PATH %s the record: %s/s, writer %s us per contribution\n", $1, $2, $3}'
		done
	done
	unset CONSULTA_BENCH_NO_LEDGER
	awk '{r[$1] += $2; w[$1] += $3; n[$1]++} END {
		printf "RATIO the record costs %.1f %% of the write path'"'"'s rate (%.0f/s with, %.0f/s without) and %.1f %% of its writer'"'"'s time (%.0f us with, %.0f us without); goal < 10 %%: %s\n",
			100 * (1 - r["with"] / r["without"]), r["with"] / n["with"], r["without"] / n["without"],
			100 * (1 - w["without"] / w["with"]), w["with"] / n["with"], w["without"] / n["without"],
			(1 - r["with"] / r["without"] < 0.10) ? "met" : "NOT met"
	}' "$TMP/pairs.out"
else
	echo "(no ratio with and without the record: $BUILD was not configured with -Dbench_switches=true)"
fi

if [ -n "$BASELINE" ]; then
	for build in "$BASELINE" "$BUILD"; do
		BENCH_BURST=${BENCH_BURST:-2000} BENCH_BURST_CONNECTIONS=${BENCH_BURST_CONNECTIONS:-100} \
			"$HERE/write-path.sh" "$build" >"$TMP/wp.out" 2>&1 || { cat "$TMP/wp.out" >&2; die "write-path.sh failed on $build"; }
		echo "WRITE-PATH $build: $(grep '^API:' "$TMP/wp.out")"
	done
fi
