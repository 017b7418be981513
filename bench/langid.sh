#!/bin/bash
# Language detection (core/language.c; issue 11's ingest: a third of `consulta import`'s CPU was libexttextcat):
# accuracy and CPU time a text of CLD2, the detector now, beside libexttextcat as core/language.c used it before
# (the six offered languages' fingerprints, the same 24-byte floor and 4 KB cut), on one corpus in one run.
# The corpus (bench/langid_corpus.py) is made from this repository's facts: the interface's sentences in the six
# languages (po/*.po), the seed letter (../shared/seed, English, when present) and sentences written for it
# (languages not offered, mixed texts, names and numbers only); short texts (24-120 bytes) and texts of 200 B,
# 1 KB and 5 KB (read up to 4 KB), 40 of each per language.
#
#   bench/langid.sh BUILD_DIR [ROUNDS]     (a release build: meson setup build --buildtype=release)
#
# libexttextcat's column needs libexttextcat-dev (and -data) installed when BUILD_DIR was set up; without it
# only CLD2's is printed. Times are CPU time of one thread (CLOCK_THREAD_CPUTIME_ID), which moves less than the
# wall's with the machine's load; the load is printed.
set -u

BENCH_NAME=langid
. "$(dirname "$0")/lib.sh"
bench_begin "$1" python3 ninja
ROUNDS=${2:-20}
ninja -C "$BUILD" bench-langid >"$TMP/ninja.out" 2>&1 || { cat "$TMP/ninja.out" >&2; bench_die "cannot build bench-langid"; }
python3 "$HERE/langid_corpus.py" "$HERE/.." "${SEED_DIR:-$HERE/../../shared/seed}" >"$TMP/corpus.tsv" ||
	bench_die "langid_corpus.py failed"
echo "langid: $(wc -l <"$TMP/corpus.tsv") texts, $ROUNDS rounds, $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$BUILD/bench-langid" "$TMP/corpus.tsv" "$ROUNDS"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
