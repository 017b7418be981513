#!/bin/sh
# Runs every test of every kind against the build in $1 (a sanitizer build
# from `make test`) and ends with one line: "N passed, N failed".
#
#   unit         tests/unit/test_*.c (cmocka, TAP output)
#   integration  tests/integration/test_*.py against a real `consulta serve`
#   browser      tests/browser/*.test.mjs in Debian's Chromium (playwright-core)
#   fuzz         fuzz/fuzz_intake.c under libFuzzer for FUZZ_SECONDS (30)
#
# Each suite prints TAP; this script counts "ok" and "not ok" lines.
set -u
BUILD=${1:-build-test}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
BUILD=$(cd "$BUILD" && pwd)
export CONSULTA_BIN="$BUILD/consulta"
# Sanitizers: any finding fails the test that caused it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$here/tests/lsan.supp}"

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

suite() { # name, command...
	name=$1
	shift
	echo "== $name"
	"$@" >"$log/$name.out" 2>"$log/$name.err"
	rc=$?
	cat "$log/$name.out"
	p=$(grep -cE '^ok ' "$log/$name.out")
	f=$(grep -cE '^not ok ' "$log/$name.out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		# The suite died without saying which test: count it as one failure.
		echo "not ok - $name exited with status $rc"
		f=1
	fi
	if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
		echo "--- $name: standard error (last 60 lines)"
		tail -n 60 "$log/$name.err"
	fi
	echo "$p $f" >>"$log/counts"
}

suite checksrc scripts/checksrc.sh

for t in "$BUILD"/tests/unit/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	suite "unit-$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
done

# The mail tests need aiosmtpd, which Debian's python3-aiosmtpd gives to Debian's
# python3 only: a pyenv or venv python3 first on PATH would lack it.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
if ls tests/integration/test_*.py >/dev/null 2>&1; then
	suite integration "$PYTHON" tests/integration/run.py
fi

if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
	suite browser node tests/browser/run.mjs
fi

# The e-mail intake parser under libFuzzer for a bounded time, seeded with the fixture messages.
suite fuzz fuzz/run.sh "$BUILD" "${FUZZ_SECONDS:-30}"

passed=$(awk '{s+=$1} END {print s+0}' "$log/counts")
failed=$(awk '{s+=$2} END {print s+0}' "$log/counts")
echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
