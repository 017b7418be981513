# tap-count — reads one suite's TAP output and says what it counts, for scripts/run-tests.sh:
#   SKIP <suite>: <test> (<reason>)   per test with a SKIP or TODO directive (neither passed nor failed)
#   MSG <why>                         per failure that is no test's own: no plan, two plans, a count
#                                     that differs from the plan, "Bail out!", a non-zero exit status
#                                     without a failed test
#   COUNT <passed> <failed> <skipped> last; failed includes the MSG lines
# Variables: suite (its name), rc (its exit status). Only lines at column 0 are read (an indented
# line is a subtest's). tests/tap/ holds cases with the answers expected.
function directive(line,    i, c) { # the text after the first unescaped "#", or ""
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (c == "\\") { i++; continue }
		if (c == "#") return substr(line, i + 1)
	}
	return ""
}
function described(line,    d) { # "ok 3 - name # SKIP x" -> "name"
	d = line
	sub(/^(not )?ok[ \t]*[0-9]*[ \t]*(-[ \t]*)?/, "", d)
	sub(/[ \t]*#.*$/, "", d)
	return d
}
BEGIN { p = 0; f = 0; s = 0; n = 0; plans = 0; bail = 0 }
/^(not )?ok([ \t]|$)/ {
	n++
	d = directive($0)
	sub(/^[ \t]+/, "", d)
	kind = toupper(substr(d, 1, 4))
	if (kind == "SKIP" || kind == "TODO") {
		s++
		why = substr(d, 5)
		sub(/^[a-zA-Z]*[ \t:]*/, "", why)
		what = described($0)
		print "SKIP " suite ": " (what != "" ? what : "test " n) " (" (kind == "TODO" ? "TODO: " : "") (why != "" ? why : "no reason given") ")"
		next
	}
	if ($0 ~ /^not ok/) f++; else p++
	next
}
/^1\.\.[0-9]+/ {
	plans++
	plan = $0
	sub(/^1\.\./, "", plan)
	sub(/[^0-9].*$/, "", plan)
	plan += 0
	planskip = directive($0)
	next
}
/^Bail out!/ { bail = 1 }
END {
	extra = 0
	if (bail) { print "MSG bailed out"; extra++ }
	if (plans == 0) {
		print "MSG printed no plan (1..N), so its count cannot be checked"; extra++
	} else if (plans > 1) {
		print "MSG printed " plans " plans, not one"; extra++
	} else if (n != plan) {
		print "MSG reported " n " tests but its plan says 1.." plan; extra++
	} else if (plan == 0) {
		w = planskip; sub(/^[ \t]*[sS][kK][iI][pP][ \t:]*/, "", w)
		if (toupper(planskip) ~ /^[ \t]*SKIP/) { s++; print "SKIP " suite ": the whole suite (" (w != "" ? w : "no reason given") ")" }
		else { print "MSG ran no test (plan 1..0)"; extra++ }
	}
	if (rc != 0 && f == 0 && extra == 0) { print "MSG exited with status " rc " without a failed test"; extra++ }
	print "COUNT " p " " (f + extra) " " s
}
