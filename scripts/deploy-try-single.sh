#!/bin/sh
# scripts/deploy-try-single.sh — tries docs/DEPLOY.md's single machine end to
# end, on loopback, in a temporary folder, and tears it all down again.
#
#   scripts/deploy-try-single.sh            (CONSULTA_BIN: default build/consulta,
#                                            else build-test/consulta)
#
# It takes the shipped units (contrib/systemd/) and nginx site
# (contrib/nginx/consulta.conf), changes only their paths and ports, checks the
# units with `systemd-analyze verify` (when it is there), and then runs what
# the units say rather than starting them with systemd (this works in a
# container, and as any user): the web server (consulta.service's ExecStart)
# behind nginx, the mail sender (consulta-mail.service) towards an SMTP server
# on loopback (Debian's aiosmtpd, keeping mail in a Maildir), and one backup
# (consulta-backup.service). Then it checks, through nginx: the home page; a
# contribution (201); its receipt page; its receipt mail delivered by the
# sender; the backup is whole (integrity_check) and holds the contribution; the
# web server stops cleanly on SIGTERM. Prints "deploy-try-single: ok" and
# exits 0, or says what failed and exits 1.
set -eu

NAME=deploy-try-single
. "$(dirname "$0")/deploy-lib.sh" # bin, python, free_port, wait_http, exec_start
for tool in nginx curl sqlite3 python3; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] ||
		{ echo "deploy-try-single: $tool is missing (scripts/setup.sh test installs it)" >&2; exit 1; }
done
nginx=$(command -v nginx || echo /usr/sbin/nginx)

dir=$(mktemp -d /tmp/consulta-deploy-single-XXXXXX)
chmod 755 "$dir" # nginx's workers may run as another user
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "deploy-try-single: FAILED: $*" >&2
	for f in "$dir"/*.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
	exit 1
}

web_port=$(free_port)
nginx_port=$(free_port)
smtp_port=$(free_port)
mkdir -p "$dir/var" "$dir/backups" "$dir/units" "$dir/nginx"

# 1. The units, with this machine's paths and ports; checked as systemd would load them.
for u in "$here"/contrib/systemd/*.service "$here"/contrib/systemd/*.timer; do
	sed -e "s|/usr/local/bin/consulta|$bin|g" -e "s|/var/lib/consulta|$dir/var|g" \
		-e "s|/var/backups/consulta|$dir/backups|g" -e "s|127.0.0.1:8080|127.0.0.1:$web_port|g" \
		-e "s|smtp://127.0.0.1:25|smtp://127.0.0.1:$smtp_port|g" \
		-e "s|--public-url https://consultation.example.org|--public-url http://127.0.0.1:$nginx_port|g" \
		-e "s|^User=consulta|User=$(id -un)|" -e "s|^Group=consulta|Group=$(id -gn)|" \
		"$u" >"$dir/units/$(basename "$u")"
done
if command -v systemd-analyze >/dev/null 2>&1; then
	(cd "$dir/units" && systemd-analyze verify ./*.service ./*.timer) >"$dir/verify.log" 2>&1 ||
		fail "systemd-analyze verify: $(cat "$dir/verify.log")"
	echo "deploy-try-single: units verified (systemd-analyze verify)"
else
	echo "deploy-try-single: systemd-analyze is not here: the units are not verified"
fi

# 2. The database and a process with an open call (the demo, its dates moved to today).
"$bin" --db "sqlite:$dir/var/consulta.db" init >/dev/null
"$bin" --db "sqlite:$dir/var/consulta.db" demo --live >/dev/null

# 3. An SMTP server on loopback that keeps what it gets (the MTA of the machine, here).
"$python" -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$dir/maildir" \
	>"$dir/smtp.log" 2>&1 &
pids="$pids $!"

# 4. The web server, as consulta.service runs it.
(cd "$dir/var" && eval "exec $(exec_start "$dir/units/consulta.service")") >"$dir/serve.out" 2>"$dir/serve.log" &
serve_pid=$!
pids="$pids $serve_pid"
wait_http "http://127.0.0.1:$web_port/healthz"

# 5. nginx in front, with the shipped site.
sed -e "s|server 127.0.0.1:8080;|server 127.0.0.1:$web_port;|" -e "s|listen 80;|listen 127.0.0.1:$nginx_port;|" \
	"$here/contrib/nginx/consulta.conf" >"$dir/nginx/consulta.conf"
cat >"$dir/nginx/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $dir/nginx/nginx.pid;
error_log $dir/nginx.log;
events { worker_connections 128; }
http {
	access_log $dir/nginx/access.log;
	client_body_temp_path $dir/nginx/body;
	proxy_temp_path $dir/nginx/proxy;
	include $dir/nginx/consulta.conf;
}
EOF
"$nginx" -p "$dir/nginx" -e "$dir/nginx.log" -c "$dir/nginx/nginx.conf" &
pids="$pids $!"
wait_http "http://127.0.0.1:$nginx_port/healthz"
echo "deploy-try-single: consulta on 127.0.0.1:$web_port behind nginx on 127.0.0.1:$nginx_port"

# 6. The mail sender, as consulta-mail.service runs it.
(cd "$dir/var" && eval "exec $(exec_start "$dir/units/consulta-mail.service")") >"$dir/mail.out" 2>"$dir/mail.log" &
pids="$pids $!"

# 7. A visitor, through nginx.
curl -fsS -o /dev/null "http://127.0.0.1:$nginx_port/" || fail "the home page through nginx"
call=""
for c in 1 2 3; do
	if curl -fsS "http://127.0.0.1:$nginx_port/api/v1/calls/$c" 2>/dev/null | grep -q '"state": *"open"'; then
		call=$c
		break
	fi
done
[ -n "$call" ] || fail "no open call in the live demo"
answer=$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' \
	-d '{"name":"Ada Lovelace","organization":"Analytical Engines Ltd","category":"academia","country":"CH","email":"ada@example.org","text":"Tried through nginx.","publication":"named"}' \
	"http://127.0.0.1:$nginx_port/api/v1/calls/$call/contributions")
[ "$(echo "$answer" | tail -n 1)" = 201 ] || fail "a contribution through nginx: $answer"
tracking=$(echo "$answer" | head -n 1 | sed -n 's/.*"tracking": *"\([^"]*\)".*/\1/p')
[ -n "$tracking" ] || fail "no tracking number in $answer"
curl -fsS -o /dev/null "http://127.0.0.1:$nginx_port/receipts/$tracking" || fail "the receipt page"
echo "deploy-try-single: contribution $tracking taken through nginx"

# 8. Its receipt, sent by the mail sender.
i=0
until grep -rqs "$tracking" "$dir/maildir"; do
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the receipt of $tracking was not mailed within 30 s"
	sleep 0.1
done
echo "deploy-try-single: its receipt was mailed by the sender"

# 9. A backup while the server runs, as consulta-backup.service takes it, then checked.
(cd "$dir/var" && eval "$(exec_start "$dir/units/consulta-backup.service")") >"$dir/backup.log" 2>&1 ||
	fail "the backup"
copy=$(ls "$dir"/backups/consulta-*.db 2>/dev/null | head -n 1)
[ -n "$copy" ] || fail "no backup in $dir/backups"
[ "$(sqlite3 "$copy" 'PRAGMA integrity_check')" = ok ] || fail "the backup is damaged"
[ "$(sqlite3 "$copy" "SELECT count(*) FROM contribution WHERE tracking = '$tracking'")" = 1 ] ||
	fail "the backup lacks $tracking"
echo "deploy-try-single: backup $(basename "$copy") checked: $(cat "$dir/backup.log")"

# 10. A clean stop, as systemctl stop sends it.
kill -TERM "$serve_pid"
wait "$serve_pid" || fail "consulta serve did not exit 0 on SIGTERM"
pids=$(echo "$pids" | sed "s/ $serve_pid//")
echo "deploy-try-single: ok"
