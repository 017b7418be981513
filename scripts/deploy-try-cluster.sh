#!/bin/sh
# scripts/deploy-try-cluster.sh — tries docs/DEPLOY.md's cluster end to end,
# on loopback, in a temporary folder, and tears it all down again.
#
#   scripts/deploy-try-cluster.sh           (CONSULTA_BIN: default build/consulta,
#                                            else build-test/consulta; PG_BIN:
#                                            default /usr/lib/postgresql/15/bin)
#
# It sets up: a PostgreSQL 15 primary and a streaming replica made from it
# with pg_basebackup (as root, both run as the postgres user); two nodes, each
# running what the shipped units say (contrib/systemd/consulta.service and
# consulta-mail.service, their --db changed to the primary: checked with
# `systemd-analyze verify` when it is there); HAProxy from the shipped
# contrib/haproxy/consulta.cfg (addresses changed to loopback ports); an SMTP
# server on loopback (aiosmtpd, a Maildir). Then it checks: contributions
# through HAProxy reach both nodes and are all 201; each receipt is mailed
# exactly once although both nodes run a mail sender; one message delivered
# twice by LMTP through HAProxy (once to each node) is one contribution; the
# replica streams and
# has every contribution; a node killed with SIGKILL leaves HAProxy answering
# by the other; and, the primary stopped, the replica promoted takes writes
# from a node pointed at it. Prints "deploy-try-cluster: ok" and exits 0, or
# says what failed and exits 1.
set -eu

NAME=deploy-try-cluster
. "$(dirname "$0")/deploy-lib.sh" # bin, python, free_port, wait_http, exec_start
pgbin=${PG_BIN:-/usr/lib/postgresql/15/bin}
haproxy=$(command -v haproxy || echo /usr/sbin/haproxy)
for tool in "$pgbin/initdb" "$pgbin/pg_basebackup" "$haproxy"; do
	[ -x "$tool" ] || { echo "deploy-try-cluster: $tool is missing (scripts/setup.sh test installs it)" >&2; exit 1; }
done

dir=$(mktemp -d /tmp/consulta-deploy-cluster-XXXXXX)
chmod 755 "$dir"
mkdir -p "$dir/pg" "$dir/units" "$dir/run"
root=false
[ "$(id -u)" -eq 0 ] && root=true
$root && chown postgres "$dir/pg"
as_pg() { if $root; then runuser -u postgres -- "$@"; else "$@"; fi; }

pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	for d in primary replica; do
		[ -f "$dir/pg/$d/postmaster.pid" ] && as_pg "$pgbin/pg_ctl" -D "$dir/pg/$d" -m fast -w stop >/dev/null 2>&1
	done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "deploy-try-cluster: FAILED: $*" >&2
	for f in "$dir"/run/*.log "$dir"/pg/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }; done
	exit 1
}
say() { echo "deploy-try-cluster: $*"; }
sql() { # PORT SQL: one value
	psql -X -q -A -t -h 127.0.0.1 -p "$1" -U consulta -d consulta -c "$2"
}

p1=$(free_port)
p2=$(free_port)
primary_url="postgresql://consulta@127.0.0.1:$p1/consulta"
replica_url="postgresql://consulta@127.0.0.1:$p2/consulta"

# 1. The primary (replication needs wal_level replica, PostgreSQL's default; said here as DEPLOY.md does).
as_pg "$pgbin/initdb" -D "$dir/pg/primary" -U consulta --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
	>"$dir/pg/initdb.log" 2>&1 || fail "initdb"
as_pg "$pgbin/pg_ctl" -D "$dir/pg/primary" -l "$dir/pg/primary.log" -w -t 30 \
	-o "-p $p1 -k $dir/pg -c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=5" \
	start >/dev/null || fail "the primary did not start"
psql -X -q -h 127.0.0.1 -p "$p1" -U consulta -d postgres -c "CREATE DATABASE consulta" || fail "CREATE DATABASE"

# 2. The replica: a base backup streamed from the primary, standby.signal and primary_conninfo written (-R).
as_pg "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$p1" -U consulta -D "$dir/pg/replica" -R -X stream -c fast \
	>"$dir/pg/basebackup.log" 2>&1 || fail "pg_basebackup"
as_pg "$pgbin/pg_ctl" -D "$dir/pg/replica" -l "$dir/pg/replica.log" -w -t 30 \
	-o "-p $p2 -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null || fail "the replica did not start"
[ "$(sql "$p2" 'SELECT pg_is_in_recovery()')" = t ] || fail "the replica is not a standby"
say "PostgreSQL primary on $p1, streaming replica on $p2"

# 3. The schema and a process with an open call, on the primary.
"$bin" --db "$primary_url" init >/dev/null || fail "consulta init"
"$bin" --db "$primary_url" demo --live >/dev/null || fail "consulta demo"

# 4. The units of each node: the shipped ones, --db the primary, each its own port.
smtp_port=$(free_port)
hp_port=$(free_port)
lmtp_port=$(free_port)
n1=$(free_port)
n2=$(free_port)
l1=$(free_port)
l2=$(free_port)
for n in 1 2; do
	eval port=\$n$n
	eval lport=\$l$n
	mkdir -p "$dir/units/node$n"
	for u in consulta.service consulta-mail.service; do
		sed -e "s|/usr/local/bin/consulta|$bin|g" -e "s|/var/lib/consulta|$dir/run|g" \
			-e "s|--db sqlite:[^ ]*|--db $primary_url|" -e "s|127.0.0.1:8080|127.0.0.1:$port|g" \
			-e "s|--trusted-proxy|--lmtp 127.0.0.1:$lport --trusted-proxy|" \
			-e "s|smtp://127.0.0.1:25|smtp://127.0.0.1:$smtp_port|g" \
			-e "s|--public-url https://consultation.example.org|--public-url http://127.0.0.1:$hp_port|g" \
			-e "s|^User=consulta|User=$(id -un)|" -e "s|^Group=consulta|Group=$(id -gn)|" \
			"$here/contrib/systemd/$u" >"$dir/units/node$n/$u"
	done
	if command -v systemd-analyze >/dev/null 2>&1; then
		(cd "$dir/units/node$n" && systemd-analyze verify ./*.service) >"$dir/run/verify.log" 2>&1 ||
			fail "systemd-analyze verify: $(cat "$dir/run/verify.log")"
	fi
done

"$python" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$dir/maildir" \
	>"$dir/run/smtp.log" 2>&1 &
pids="$pids $!"

for n in 1 2; do
	(cd "$dir/run" && eval "exec $(exec_start "$dir/units/node$n/consulta.service")") \
		>"$dir/run/node$n.out" 2>"$dir/run/node$n.log" &
	eval node${n}_pid=$!
	pids="$pids $!"
	(cd "$dir/run" && eval "exec $(exec_start "$dir/units/node$n/consulta-mail.service")") \
		>"$dir/run/mail$n.out" 2>"$dir/run/mail$n.log" &
	pids="$pids $!"
done
wait_http "http://127.0.0.1:$n1/healthz"
wait_http "http://127.0.0.1:$n2/healthz"

# 5. HAProxy, with the shipped configuration.
sed -e "s|bind :80|bind 127.0.0.1:$hp_port|" -e "s|10.0.0.11:8080|127.0.0.1:$n1|" -e "s|10.0.0.12:8080|127.0.0.1:$n2|" \
	-e "s|bind :2424|bind 127.0.0.1:$lmtp_port|" -e "s|10.0.0.11:2424|127.0.0.1:$l1|" -e "s|10.0.0.12:2424|127.0.0.1:$l2|" \
	"$here/contrib/haproxy/consulta.cfg" >"$dir/run/haproxy.cfg"
"$haproxy" -c -f "$dir/run/haproxy.cfg" >"$dir/run/haproxy-check.log" 2>&1 || fail "haproxy -c: $(cat "$dir/run/haproxy-check.log")"
"$haproxy" -db -f "$dir/run/haproxy.cfg" >"$dir/run/haproxy.log" 2>&1 &
pids="$pids $!"
wait_http "http://127.0.0.1:$hp_port/healthz"
say "two nodes ($n1, $n2) behind HAProxy on $hp_port, each with a mail sender"

# 6. Contributions through HAProxy: every one 201, both nodes at work.
call=""
for c in 1 2 3; do
	if curl -fsS "http://127.0.0.1:$hp_port/api/v1/calls/$c" 2>/dev/null | grep -q '"state": *"open"'; then
		call=$c
		break
	fi
done
[ -n "$call" ] || fail "no open call in the live demo"
: >"$dir/run/tracking"
for i in 1 2 3 4 5 6 7 8 9 10; do
	answer=$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' \
		-d "{\"name\":\"Reader $i\",\"organization\":\"\",\"category\":\"academia\",\"country\":\"CH\",\"email\":\"reader$i@example.org\",\"text\":\"Through HAProxy, $i.\",\"publication\":\"named\"}" \
		"http://127.0.0.1:$hp_port/api/v1/calls/$call/contributions")
	[ "$(echo "$answer" | tail -n 1)" = 201 ] || fail "contribution $i: $answer"
	echo "$answer" | head -n 1 | sed -n 's/.*"tracking": *"\([^"]*\)".*/\1/p' >>"$dir/run/tracking"
done
for n in 1 2; do
	grep -q 'method=POST path="/api/v1/calls' "$dir/run/node$n.log" || fail "node $n took no contribution"
done
[ "$(sort -u "$dir/run/tracking" | wc -l)" -eq 10 ] || fail "tracking numbers are not 10 different ones"
say "10 contributions through HAProxy, both nodes took some"

# 7. Each receipt mailed once, though two senders look at the one outbox.
i=0
while [ "$(sql "$p1" "SELECT count(*) FROM outbox WHERE kind = 'receipt' AND sent_at IS NULL")" != 0 ]; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "receipts still unsent after 30 s"
	sleep 0.1
done
sleep 2 # a second copy, if any, would come now
while read -r t; do
	copies=$(grep -rls "$t" "$dir/maildir" | wc -l)
	[ "$copies" -eq 1 ] || fail "the receipt of $t was mailed $copies times"
done <"$dir/run/tracking"
senders=0
for n in 1 2; do grep -q 'result=sent' "$dir/run/mail$n.log" && senders=$((senders + 1)); done
say "each receipt mailed exactly once ($senders of 2 senders sent some)"

# 7b. Mail in by LMTP through HAProxy: one message delivered twice (an MTA trying again; round robin takes the
# second delivery to the other node) is one contribution.
address=$(sql "$p1" "SELECT email FROM call WHERE id = $call")
[ -n "$address" ] || fail "call $call has no address for mail"
for i in 1 2; do
	"$python" - "$lmtp_port" "$address" <<'PY' || fail "LMTP delivery $i through HAProxy"
import smtplib, sys
msg = ("From: Ada Lovelace <ada@example.org>\r\nTo: %s\r\nSubject: By mail\r\n"
       "Message-ID: <deploy-try-cluster@example.org>\r\n\r\nDelivered twice.\r\n" % sys.argv[2]).encode()
with smtplib.LMTP("127.0.0.1", int(sys.argv[1]), timeout=30) as s:
    refused = s.sendmail("ada@example.org", [sys.argv[2]], msg)
sys.exit(1 if refused else 0)
PY
done
[ "$(sql "$p1" "SELECT count(*) FROM contribution WHERE message_id = 'deploy-try-cluster@example.org'")" = 1 ] ||
	fail "one message delivered twice by LMTP is not one contribution"
for n in 1 2; do grep -q 'lmtp.delivered' "$dir/run/node$n.log" || fail "node $n took no LMTP delivery"; done
say "one message delivered twice by LMTP through HAProxy (once to each node): one contribution"

# 8. The replica has them all (streaming).
[ "$(sql "$p1" "SELECT state FROM pg_stat_replication")" = streaming ] || fail "the replica does not stream"
want=$(sql "$p1" "SELECT count(*) FROM contribution")
i=0
until [ "$(sql "$p2" "SELECT count(*) FROM contribution")" = "$want" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the replica does not have the $want contributions"
	sleep 0.1
done
say "the replica streams and has all $want contributions"

# 9. A node dies: HAProxy answers by the other.
kill -KILL "$node1_pid"
# Once it is gone: a node killed a moment ago may still take a connection that its kernel then resets, and a
# request on it gets 502 by design (HAProxy never sends a request twice, it may have been stored).
wait "$node1_pid" 2>/dev/null || true
for i in 1 2 3 4 5 6 7 8 9 10; do
	curl -fsS -o /dev/null "http://127.0.0.1:$hp_port/processes/gca-guidelines" ||
		fail "HAProxy did not answer after node 1 was killed (request $i)"
done
say "node 1 killed: HAProxy went on answering by node 2"

# 10. The primary is lost: the replica is promoted, and a node pointed at it takes contributions.
as_pg "$pgbin/pg_ctl" -D "$dir/pg/primary" -m immediate -w stop >/dev/null
as_pg "$pgbin/pg_ctl" -D "$dir/pg/replica" -w promote >/dev/null || fail "pg_ctl promote"
[ "$(sql "$p2" 'SELECT pg_is_in_recovery()')" = f ] || fail "the replica was not promoted"
n3=$(free_port)
"$bin" --db "$replica_url" serve --listen "127.0.0.1:$n3" >"$dir/run/node3.out" 2>"$dir/run/node3.log" &
pids="$pids $!"
wait_http "http://127.0.0.1:$n3/healthz"
code=$(curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
	-d '{"name":"After failover","organization":"","category":"academia","country":"CH","email":"after@example.org","text":"On the promoted replica.","publication":"named"}' \
	"http://127.0.0.1:$n3/api/v1/calls/$call/contributions")
[ "$code" = 201 ] || fail "a contribution on the promoted replica: $code"
[ "$(sql "$p2" "SELECT count(*) FROM contribution")" = $((want + 1)) ] || fail "the promoted replica lacks a contribution"
say "primary stopped, replica promoted: a node on it took a contribution"
say "ok"
