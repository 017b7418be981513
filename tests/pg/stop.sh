#!/bin/sh
# tests/pg/stop.sh DIR — stops the PostgreSQL that tests/pg/start.sh DIR started (fast: no waiting
# for clients), then removes DIR.
set -u
dir=$1
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
if [ "$(id -u)" -eq 0 ]; then
	runuser -u postgres -- "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
else
	"$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
fi
rm -rf "$dir"
