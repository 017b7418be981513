#!/bin/sh
# The test runners lose no test silently (as TAP): tests/integration/run.py and
# tests/browser/run.mjs are run on the broken test files beside this script
# (one that fails at import, one that declares no test, one whose process ends
# while a test runs, and one that passes), and each must report every one of
# them with the right line, and exit 1.
set -u
cd "$(dirname "$0")/../.." || exit 1
PYTHON=python3
[ -x /usr/bin/python3 ] && PYTHON=/usr/bin/python3
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "1..3"
fail=0

expect() { # number, description, exit status wanted, exit status got, patterns...
	n=$1 what=$2 want=$3 got=$4
	shift 4
	missing=""
	[ "$got" -eq "$want" ] || missing="exit status $got, not $want"
	for p in "$@"; do
		grep -Eq "$p" "$out" || missing="$missing${missing:+; }no line matching $p"
	done
	if [ -z "$missing" ]; then
		echo "ok $n - $what"
	else
		echo "not ok $n - $what"
		echo "# $missing"
		sed 's/^/#   /' "$out"
		fail=1
	fi
}

# run.py only checks that the binary can be run; these cases start no server.
CONSULTA_BIN=/bin/true "$PYTHON" tests/integration/run.py --dir tests/runners/integration >"$out" 2>&1
expect 1 "run.py reports a file that fails at import and one that declares no test" 1 $? \
	'^not ok [0-9]+ - .*_FailedTest\.test_import_error$' \
	'^not ok [0-9]+ - test_declares_none\.py$' \
	'^ok [0-9]+ - test_passes\.Passes\.test_one$' \
	'^1\.\.3$'

node tests/browser/run.mjs --dir tests/runners/browser >"$out" 2>/dev/null
expect 2 "run.mjs reports a file that fails at import, one that runs no test, and a test cut short" 1 $? \
	'^not ok [0-9]+ - import-error\.test\.mjs$' \
	'^not ok [0-9]+ - declares-none\.test\.mjs: ran no test' \
	'^ok [0-9]+ - ends-early\.test\.mjs: first$' \
	'^not ok [0-9]+ - ends-early\.test\.mjs: cut short never finished' \
	'^ok [0-9]+ - passes\.test\.mjs: one$' \
	'^1\.\.5$'
# A run cut short (the process ends with status 0 after two of three tests) leaves fewer lines
# than the plan it printed first, and the count check fails it; failed subtests make one line.
CONSULTA_BIN=/bin/true "$PYTHON" tests/integration/run.py --dir tests/runners/integration-cut >"$out" 2>&1
rc=$?
awk -v suite=cut -v rc="$rc" -f scripts/tap-count.awk "$out" >>"$out"
expect 3 "run.py's plan comes first, so a run cut short is caught by the count check" 0 $rc \
	'^1\.\.3$' \
	'^not ok 1 - test_cut\.A\.test_1_subtests_fail$' \
	'^# failed: test_cut\.A\.test_1_subtests_fail \(case=2\)' \
	'^MSG .*'
exit $fail
