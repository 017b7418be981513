#!/bin/sh
# Source checks that run with the tests (TAP): what a compiler does not catch.
#  1. banned functions: unbounded or locale/thread-unsafe C calls;
#  2. html_printf's format is always a string literal, so every piece of text
#     reaches a page through %s (escaped) unless someone wrote %R on purpose;
#  3. SQL is never formatted: no printf-family call builds a statement.
set -u
cd "$(dirname "$0")/.."
n=0
fail=0
check() { # description, offending lines (empty = ok)
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		echo "$2" | sed 's/^/# /'
		fail=1
	fi
}

check "no banned functions in src/" \
	"$(grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|localtime|gmtime|setenv|putenv|tmpnam)\s*\(' src -r --include='*.c' --include='*.h' | grep -v '^\s*/\*' || true)"
check "html_printf formats are string literals" \
	"$(grep -nE 'html_printf\([^,]+,\s*[^"[:space:]]' src -r --include='*.c' | grep -v 'void html_printf' || true)"
check "no SQL built with printf" \
	"$(grep -nE '(printf|snprintf)\([^;]*(SELECT|INSERT|UPDATE|DELETE) ' src -r --include='*.c' || true)"
check "every source file opens with a comment saying what it is for" \
	"$(for f in $(find src -name '*.c' -o -name '*.h'); do head -c 2 "$f" | grep -q '/\*' || echo "$f"; done)"
exit $fail
