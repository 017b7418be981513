#!/bin/sh
# The counting of scripts/run-tests.sh tested on TAP it may meet (as TAP):
# each tests/tap/NAME.tap is read by scripts/tap-count.awk as a suite named
# "s" whose exit status is the first line of NAME.expect ("rc N"); what it
# says must be the rest of NAME.expect, line for line. One new case is one
# new pair of files.
set -u
cd "$(dirname "$0")/../.." || exit 1
n=0
fail=0
set -- tests/tap/*.tap
echo "1..$#"
for tap in "$@"; do
	n=$((n + 1))
	name=$(basename "$tap" .tap)
	expect="tests/tap/$name.expect"
	rc=$(sed -n '1s/^rc //p' "$expect")
	got=$(awk -v suite=s -v rc="${rc:-0}" -f scripts/tap-count.awk "$tap")
	want=$(sed 1d "$expect")
	if [ "$got" = "$want" ]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name"
		echo "# expected:"
		echo "$want" | sed 's/^/#   /'
		echo "# got:"
		echo "$got" | sed 's/^/#   /'
		fail=1
	fi
done
exit $fail
