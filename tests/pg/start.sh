#!/bin/sh
# tests/pg/start.sh DIR — starts a private PostgreSQL 15 (Debian's) for the tests.
#
# It makes a cluster in DIR/data (trust authentication, superuser "consulta"),
# starts it on a free loopback port with its socket in DIR, waits until it
# answers, and prints one line: the URL prefix postgresql://consulta@127.0.0.1:PORT/
# (append a database name). Stop it with tests/pg/stop.sh DIR. Run again on a DIR whose server was
# stopped (or crashed), it starts that server again on its port. As root the
# server runs as the postgres user (PostgreSQL refuses to run as root), so DIR
# is made readable and writable by it. Fsync stays on: the tests of durability
# must mean the same on both backends.
set -eu
dir=$1
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
mkdir -p "$dir"
as_pg() {
	if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
chmod 700 "$dir"
if [ -f "$dir/port" ]; then
	# Started before (and stopped, or crashed: pg_ctl -m immediate): again, on the same port.
	port=$(cat "$dir/port")
else
	as_pg "$bin/initdb" -D "$dir/data" -U consulta --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
	# A free port: bind to port 0, read it, let it go (a race with another process is possible, and then
	# postgres fails to start below and this script fails: run it again).
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fi
# PG_OPTIONS: more server settings (-c name=value ...), for a test that needs its own.
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=32MB ${PG_OPTIONS:-}" \
	start >/dev/null
echo "$port" >"$dir/port"
echo "postgresql://consulta@127.0.0.1:$port/"
