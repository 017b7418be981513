#!/bin/sh
# Runs every test of every kind against the build in $1 (a sanitizer build
# from `make test`) and ends with one line: "N passed, N failed, N skipped".
#
#   tap          tests/tap/: this script's own counting, on TAP it may meet
#   runners      tests/runners/: the integration and browser runners lose no test file
#   checksrc     scripts/checksrc.py: banned calls, SQL never formatted, the include
#                graph, a header comment per file (and its own fixtures)
#   compile      tests/compile/: what must not compile does not (html_printf)
#   unit         tests/unit/test_*.c (cmocka, TAP output)
#   integration  tests/integration/test_*.py against a real `consulta serve` on SQLite
#   integration-postgresql  the same on PostgreSQL, at the same time (PG=0: left out)
#   browser      tests/browser/*.test.mjs in Debian's Chromium (playwright-core)
#   fuzz         fuzz/fuzz_intake.c and fuzz_sheet.c under libFuzzer, FUZZ_SECONDS (30) each
#
# Each suite prints TAP. A line "ok" passed, "not ok" failed, and either
# with a "# SKIP" (or "# TODO") directive was skipped: it counts as neither,
# and its reason is listed before the last line. Each suite must print one
# plan "1..N" and report N tests: a suite without a plan, with another count,
# or that exits non-zero without a failed test counts one failure more,
# with a line saying why. With CI=true any skip fails the run: CI installs
# every tool (scripts/setup.sh test), so nothing has a reason to skip there.
set -u
BUILD=${1:-build-test}
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here" || exit 1
BUILD=$(cd "$BUILD" && pwd)
export CONSULTA_BIN="$BUILD/consulta"
# Sanitizers: any finding fails the test that caused it.
export ASAN_OPTIONS="${ASAN_OPTIONS:-abort_on_error=0:detect_leaks=1:halt_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$here/tests/lsan.supp}"

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
: >"$log/counts"
: >"$log/skips"

suite() { # name, command...
	name=$1
	shift
	"$@" >"$log/$name.out" 2>"$log/$name.err"
	report "$name" $?
}

# Starts a suite in the background (its output and status kept in $log); suite_wait NAME reports it as suite
# does, once it has ended.
suite_start() { # name, command...
	name=$1
	shift
	("$@" >"$log/$name.out" 2>"$log/$name.err"; echo $? >"$log/$name.rc") &
	echo $! >"$log/$name.pid"
}

suite_wait() { # name
	wait "$(cat "$log/$1.pid")"
	report "$1" "$(cat "$log/$1.rc" 2>/dev/null || echo 1)"
}

report() { # name, exit status: prints the suite's output and counts it
	name=$1
	rc=$2
	echo "== $name"
	cat "$log/$name.out"
	awk -v suite="$name" -v rc="$rc" -f scripts/tap-count.awk "$log/$name.out" >"$log/$name.tally"
	sed -n 's/^MSG /not ok - '"$name"': /p' "$log/$name.tally"
	sed -n 's/^SKIP //p' "$log/$name.tally" >>"$log/skips"
	# shellcheck disable=SC2046 # three numbers
	set -- $(sed -n 's/^COUNT //p' "$log/$name.tally")
	if [ "$2" -ne 0 ] || [ "$rc" -ne 0 ]; then
		echo "--- $name: standard error (last 60 lines)"
		tail -n 60 "$log/$name.err"
	fi
	echo "$1 $2 $3" >>"$log/counts"
}

suite tap tests/tap/run.sh
suite runners tests/runners/run.sh
suite checksrc python3 scripts/checksrc.py
suite compile python3 tests/compile/run.py "$BUILD"

# Every tests/unit/test_X.c has its binary: a build without them (-Dunit_tests=false) is no test build.
for src in tests/unit/test_*.c; do
	t="$BUILD/tests/unit/$(basename "$src" .c)"
	if [ -x "$t" ]; then
		suite "unit-$(basename "$t")" env CMOCKA_MESSAGE_OUTPUT=TAP "$t"
	else
		# shellcheck disable=SC2016 # $1 is the inner shell's
		suite "unit-$(basename "$t")" sh -c 'echo "1..1"; echo "not ok 1 - $1 is not built (meson setup with -Dunit_tests=true)"; exit 1' sh "$t"
	fi
done

# The mail tests need aiosmtpd, which Debian's python3-aiosmtpd gives to Debian's
# python3 only: a pyenv or venv python3 first on PATH would lack it.
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
# The integration tests run twice, on SQLite and on PostgreSQL (a private PostgreSQL 15 that harness.py starts
# under a temporary directory, tests/pg/), both at once: each run mostly waits on its servers, and together
# they take less than one after the other. PG=0 leaves PostgreSQL's run out (on a machine without it).
if ls tests/integration/test_*.py >/dev/null 2>&1; then
	if [ "${PG:-1}" != 0 ]; then
		suite_start integration-postgresql env CONSULTA_TEST_DB=postgresql "$PYTHON" tests/integration/run.py
	fi
	suite integration "$PYTHON" tests/integration/run.py
	if [ "${PG:-1}" != 0 ]; then
		suite_wait integration-postgresql
	fi
fi

if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
	suite browser node tests/browser/run.mjs
fi

# The e-mail intake parser under libFuzzer for a bounded time, seeded with the fixture messages.
suite fuzz fuzz/run.sh "$BUILD" "${FUZZ_SECONDS:-30}"

passed=$(awk '{s+=$1} END {print s+0}' "$log/counts")
failed=$(awk '{s+=$2} END {print s+0}' "$log/counts")
skipped=$(awk '{s+=$3} END {print s+0}' "$log/counts")
echo
status=0
if [ "$skipped" -ne 0 ]; then
	echo "Skipped, and why:"
	sed 's/^/  /' "$log/skips"
	case "${CI:-}" in
	true | 1 | yes)
		echo "CI: $skipped test(s) skipped; CI installs every tool (scripts/setup.sh test), so a skip fails the run"
		status=1
		;;
	esac
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
