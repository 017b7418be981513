#!/bin/sh
# Installs what Consulta needs to build, run and test on Debian 12, without
# asking: the same script serves a new user's machine and a bare CI machine.
# Packages already present are skipped, so a second run costs a few dpkg look-ups.
set -eu

PACKAGES="build-essential meson ninja-build pkg-config python3 iso-codes tzdata
libmicrohttpd-dev libsqlite3-dev libcmark-gfm-dev libcmark-gfm-extensions-dev
libjansson-dev libical-dev libcmocka-dev libsodium-dev libcurl4-openssl-dev
pandoc python3-aiosmtpd sqlite3 curl
libgmime-3.0-dev libmagic-dev libxml2-dev poppler-utils tnef postfix swaks
clang libclang-rt-14-dev
chromium nodejs wrk nginx-light"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	# Postfix is for the mail tests, which run their own instance on loopback
	# (tests/integration/test_postfix.py): "No configuration" installs the
	# programs and writes no main.cf, so no system-wide Postfix is set up or
	# started, and nothing listens on port 25.
	echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# Debian's nodejs ships npm separately; NodeSource's includes it.
if ! command -v npm >/dev/null 2>&1; then
	DEBIAN_FRONTEND=noninteractive ${SUDO:-} apt-get install -y -qq --no-install-recommends npm
fi

# The browser test drives Debian's Chromium with playwright-core from npm.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -d "$here/tests/browser/node_modules/playwright-core" ]; then
	echo "setup: installing npm packages for the browser test"
	(cd "$here/tests/browser" && npm ci --no-audit --no-fund --silent)
fi
