#!/bin/sh
# Installs what Consulta needs on Debian 12, without asking: the same script
# serves a new user's machine and a bare CI machine (as root, or with sudo).
#
#   scripts/setup.sh run    what building and running need (make run)
#   scripts/setup.sh test   that and what the tests and the benchmark need
#                           (make test, make bench, .ci/run); the default
#
# Packages already present are skipped, so a second run costs a few dpkg
# look-ups and installs nothing.
set -eu

mode=${1:-test}

# Building (compiler, meson, the -dev libraries, python3 for scripts/embed.py, iso-codes for the
# country list built into the binary) and running (tzdata for the time zones; pandoc for .docx;
# poppler-utils, tnef for the text of mailed attachments; libgit2 for the word diff of versions compared;
# libicu for sorting the countries by name; libcld2 (CLD2, C++: build-essential's g++ builds the bridge) for the
# language a contribution is written in; weasyprint and the Noto fonts (Latin, Arabic, Chinese)
# for the PDF of the report to the governing body; libpq for --db postgresql://; gettext for xgettext,
# msgmerge, msgattrib and msgfmt, which build the interface's catalogues from po/ — at run time glibc's own
# gettext reads them under C.UTF-8, which Debian's libc-bin ships: no locale needs generating).
RUN_PACKAGES="build-essential meson ninja-build pkg-config python3 iso-codes tzdata gettext
libmicrohttpd-dev libsqlite3-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
libjansson-dev libical-dev libsodium-dev libcurl4-openssl-dev nettle-dev
libgmime-3.0-dev libmagic-dev libxml2-dev libgit2-dev libzip-dev libxlsxwriter-dev libpq-dev
libicu-dev libcld2-dev pandoc poppler-utils tnef weasyprint fonts-noto-core fonts-noto-cjk"

# Testing: cmocka (unit), aiosmtpd, Postfix and swaks (mail), clang and its
# fuzzer runtime (fuzz/run.sh and the clang build of CI), Chromium and node
# (browser), curl, wrk and nginx (the benchmark and CI's smoke test), sqlite3
# to look into a test database; clamav-daemon for the virus scan of attachments (the tests run a private
# clamd on a signature database they write: tests/integration/test_attachments.py); feedparser and icalendar
# read the Atom feeds and the calendar (tests/integration/test_feeds.py); PostgreSQL 15 (tests/pg/start.sh:
# the PostgreSQL backend's tests); HAProxy in front of two nodes (tests/integration/test_cluster.py,
# scripts/deploy-try-cluster.sh).
TEST_PACKAGES="libcmocka-dev python3-aiosmtpd python3-openpyxl postfix swaks clamav-daemon postgresql
python3-feedparser python3-icalendar python3-nacl
clang libclang-rt-14-dev
chromium nodejs
curl sqlite3 wrk nginx-light haproxy"

case "$mode" in
run) PACKAGES=$RUN_PACKAGES ;;
test) PACKAGES="$RUN_PACKAGES $TEST_PACKAGES" ;;
*)
	echo "usage: scripts/setup.sh [run|test]" >&2
	exit 2
	;;
esac

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
	echo "setup ($mode): installing$missing"
	# Postfix is for the mail tests, which run their own instance on loopback
	# (tests/integration/test_postfix.py): "No configuration" installs the
	# programs and writes no main.cf, so no system-wide Postfix is set up or
	# started, and nothing listens on port 25.
	case "$missing" in
	*" postfix"*) echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections ;;
	esac
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086 # one word per package
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
	# The package enables the system's clamd and freshclam; on a test machine they cannot fetch signatures
	# (clamd then never starts) and are not what the tests use: their private clamd has its own socket.
	case "$missing" in
	*" clamav-daemon"*)
		if [ -d /run/systemd/system ]; then
			$SUDO systemctl disable --now clamav-daemon.socket clamav-daemon.service clamav-freshclam.service \
				2>/dev/null || true
		fi
		;;
	esac
fi

[ "$mode" = test ] || exit 0

# Debian's nodejs ships npm as a package of its own; NodeSource's nodejs includes it (and conflicts
# with Debian's npm), so npm is installed only if the command is missing.
if ! command -v npm >/dev/null 2>&1; then
	echo "setup (test): installing npm"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm
fi

# The browser test drives Debian's Chromium with playwright-core and axe-core from npm, at the
# versions of tests/browser/package-lock.json.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
	echo "setup (test): installing npm packages for the browser test"
	(cd "$here/tests/browser" && npm ci --no-audit --no-fund --silent)
fi
