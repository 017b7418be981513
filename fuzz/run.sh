#!/bin/sh
# Builds each fuzz target with clang's libFuzzer (and AddressSanitizer, UBSan)
# into BUILD/fuzz/, and runs it for SECONDS (default 30) on a copy of its seeds,
# one TAP test per target: "ok" if it found nothing, "not ok" with the crashing
# input's path and the fuzzer's last lines if it did, and "ok ... # SKIP" when
# clang (or its fuzzer runtime) is not installed, which scripts/run-tests.sh
# counts as skipped (not passed), with the reason, and which fails the run
# under CI=true.
#   fuzz_intake  the mail parser (src/mail/intake.c), seeded with tests/mail/fixtures
#   fuzz_sheet   the comment table reader and mapping (src/render/sheet.c,
#                src/core/comment_table.c), seeded with tests/sheets/make_fixtures.py's tables
#
#   fuzz/run.sh build-test 30
set -u
BUILD=${1:-build-test}
SECONDS_TO_RUN=${2:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mkdir -p "$BUILD/fuzz"
out=$(cd "$BUILD/fuzz" && pwd)
echo "1..2"
CLANG=$(command -v clang || command -v clang-14 || true)
failed=0

# fuzz N NAME "PKG-CONFIG PACKAGES" SOURCES...: builds and runs fuzz/NAME.c with the sources; the seeds are
# in $out/NAME-seeds.
fuzz() {
	n=$1 name=$2 pkgs=$3
	shift 3
	if [ -z "$CLANG" ]; then
		echo "ok $n - $name # SKIP clang is not installed (scripts/setup.sh installs it)"
		return
	fi
	# shellcheck disable=SC2046,SC2086
	if ! "$CLANG" -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-D_GNU_SOURCE -Isrc $(pkg-config --cflags $pkgs) \
		"fuzz/$name.c" "$@" $(pkg-config --libs $pkgs) -o "$out/$name" 2>"$out/$name-build.log"; then
		if grep -q "libclang_rt.fuzzer\|fsanitize=fuzzer" "$out/$name-build.log"; then
			echo "ok $n - $name # SKIP clang's libFuzzer runtime is missing (libclang-rt-14-dev)"
			return
		fi
		echo "not ok $n - $name builds with clang -fsanitize=fuzzer"
		sed 's/^/# /' "$out/$name-build.log" | tail -n 30
		failed=1
		return
	fi
	# The seeds make a corpus of its own: libFuzzer adds what it finds there, not to tests/.
	corpus="$out/$name-corpus"
	rm -rf "$out/$name-crashes"
	mkdir -p "$corpus" "$out/$name-crashes"
	cp "$out/$name-seeds"/* "$corpus"/ 2>/dev/null
	# GLib's and libxml2's one-time global allocations are reachable, not leaks; anything else is reported.
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:abort_on_error=0" \
		"$out/$name" -max_total_time="$SECONDS_TO_RUN" -timeout=20 -rss_limit_mb=2048 -max_len=200000 \
		-print_final_stats=1 -artifact_prefix="$out/$name-crashes/" "$corpus" >"$out/$name.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$name.log" | tail -n 1)
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - $name: ${runs:-?} inputs in ${SECONDS_TO_RUN} s, no crash, leak or broken promise"
		return
	fi
	echo "not ok $n - $name found a problem (exit $rc); inputs in $out/$name-crashes/"
	ls "$out/$name-crashes" | sed 's/^/# /'
	tail -n 40 "$out/$name.log" | sed 's/^/# /'
	failed=1
}

rm -rf "$out/fuzz_intake-seeds" "$out/fuzz_sheet-seeds"
mkdir -p "$out/fuzz_intake-seeds" "$out/fuzz_sheet-seeds"
cp tests/mail/fixtures/*.eml "$out/fuzz_intake-seeds"/ 2>/dev/null
# util/error.c says its messages in the thread's language: util/i18n.c (gettext, ICU) comes along; the fuzzers
# never choose a language, so every message is the English msgid.
fuzz 1 fuzz_intake "gmime-3.0 libxml-2.0 icu-i18n icu-uc libical" \
	src/mail/intake.c src/util/arena.c src/util/buf.c src/util/clock.c src/util/error.c src/util/i18n.c src/util/tz.c \
	src/util/utf8.c

# The small tables only: the big ones and the bombs would make each run slow, not the search wider.
python3 tests/sheets/make_fixtures.py "$out/fuzz_sheet-tables" >/dev/null 2>&1 &&
	for f in excel.xlsx libreoffice.xlsx inline.xlsx semicolon_bom.csv plain.csv unicode.txt latin1.csv letter.txt; do
		cp "$out/fuzz_sheet-tables/sheets/$f" "$out/fuzz_sheet-seeds/"
	done
fuzz 2 fuzz_sheet "libxml-2.0 libzip icu-i18n icu-uc libical jansson" \
	src/render/sheet.c src/core/comment_table.c src/core/comment_type.c src/core/field.c src/util/run.c src/util/log.c src/util/clock.c \
	src/util/arena.c src/util/buf.c src/util/error.c src/util/i18n.c src/util/tz.c src/util/utf8.c
exit $failed
