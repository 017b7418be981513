#!/bin/sh
# Builds fuzz/fuzz_intake.c with clang's libFuzzer (and AddressSanitizer,
# UBSan) into BUILD/fuzz/, and runs it for SECONDS (default 30) on a copy of
# the fixture messages, as one TAP test: "ok" if it found nothing, "not ok"
# with the crashing input's path and the fuzzer's last lines if it did, and
# "ok ... # SKIP" when clang (or its fuzzer runtime) is not installed, which
# scripts/run-tests.sh counts as skipped (not passed), with the reason, and
# which fails the run under CI=true.
#
#   fuzz/run.sh build-test 30
set -u
BUILD=${1:-build-test}
SECONDS_TO_RUN=${2:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mkdir -p "$BUILD/fuzz"
out=$(cd "$BUILD/fuzz" && pwd)
echo "1..1"
CLANG=$(command -v clang || command -v clang-14 || true)
if [ -z "$CLANG" ]; then
	echo "ok 1 - fuzz_intake # SKIP clang is not installed (scripts/setup.sh installs it)"
	exit 0
fi
pkgs="gmime-3.0 libxml-2.0"
# shellcheck disable=SC2046
if ! "$CLANG" -std=c17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-D_GNU_SOURCE -Isrc $(pkg-config --cflags $pkgs) \
	fuzz/fuzz_intake.c src/mail/intake.c src/util/arena.c src/util/buf.c src/util/error.c src/util/utf8.c \
	$(pkg-config --libs $pkgs) -o "$out/fuzz_intake" 2>"$out/build.log"; then
	if grep -q "libclang_rt.fuzzer\|fsanitize=fuzzer" "$out/build.log"; then
		echo "ok 1 - fuzz_intake # SKIP clang's libFuzzer runtime is missing (libclang-rt-14-dev)"
		exit 0
	fi
	echo "not ok 1 - fuzz_intake builds with clang -fsanitize=fuzzer"
	sed 's/^/# /' "$out/build.log" | tail -n 30
	exit 1
fi
# The fixtures seed a corpus of its own: libFuzzer adds what it finds there, not to tests/.
corpus="$out/corpus"
rm -rf "$out/crashes"
mkdir -p "$corpus" "$out/crashes"
cp tests/mail/fixtures/*.eml "$corpus"/ 2>/dev/null
# GLib's and libxml2's one-time global allocations are reachable, not leaks; anything else is reported.
ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1:abort_on_error=0" \
	"$out/fuzz_intake" -max_total_time="$SECONDS_TO_RUN" -timeout=20 -rss_limit_mb=2048 -max_len=200000 \
	-print_final_stats=1 -artifact_prefix="$out/crashes/" "$corpus" >"$out/fuzz.log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/fuzz.log" | tail -n 1)
if [ "$rc" -eq 0 ]; then
	echo "ok 1 - fuzz_intake: ${runs:-?} inputs in ${SECONDS_TO_RUN} s, no crash, leak or broken promise"
	exit 0
fi
echo "not ok 1 - fuzz_intake found a problem (exit $rc); inputs in $out/crashes/"
ls "$out/crashes" | sed 's/^/# /'
tail -n 40 "$out/fuzz.log" | sed 's/^/# /'
exit 1
