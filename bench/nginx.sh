# bench/nginx.sh — nginx serving a folder of saved pages, the peer the benches
# measure Consulta's reads against (bench/version-page.sh, bench/write-path.sh).
# Sourced; needs TMP (a temporary folder of the bench's own) and die.
#
#   nginx_start ROOT WORKERS PATH   starts nginx on a free loopback port, serving
#                                   ROOT, and waits until PATH answers 200; sets
#                                   NGINX_PID (its master: the bench stops it) and
#                                   NGINX_PORT.
#
# Its own configuration, pid file, logs and temp paths, in the foreground
# (daemon off) so that $! is its master. The same headers as Consulta's, so
# both answers are about the same size; keep-alive without a request limit
# (nginx closes a connection after 1000 requests by default, Consulta never).
# As root, the workers keep the current user (nginx would switch to nobody,
# who cannot read the temporary directory). A page's .gz beside it is sent
# to clients that accept gzip (gzip_static).

nginx_conf() { # root workers port
	local user_line=
	[ "$(id -u)" = 0 ] && user_line="user $(id -un) $(id -gn);"
	mkdir -p "$TMP/nginx-temp"
	cat >"$TMP/nginx.conf" <<CONF
$user_line
daemon off;
master_process on;
worker_processes $2;
pid $TMP/nginx.pid;
error_log $TMP/nginx-error.log warn;
events {
	worker_connections 1024;
}
http {
	access_log off;
	client_body_temp_path $TMP/nginx-temp/body;
	proxy_temp_path $TMP/nginx-temp/proxy;
	fastcgi_temp_path $TMP/nginx-temp/fastcgi;
	uwsgi_temp_path $TMP/nginx-temp/uwsgi;
	scgi_temp_path $TMP/nginx-temp/scgi;
	sendfile on;
	tcp_nopush on;
	keepalive_requests 100000000;
	keepalive_timeout 60s;
	server_tokens off;
	etag on;
	gzip_static on;
	gzip_vary on;
	server {
		listen 127.0.0.1:$3;
		root $1;
		location / {
			default_type "text/html; charset=utf-8";
			add_header Content-Security-Policy "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
			add_header X-Content-Type-Options nosniff;
			add_header X-Frame-Options DENY;
			add_header Referrer-Policy same-origin;
			add_header Cache-Control no-store;
		}
	}
}
CONF
}

nginx_start() { # root workers path
	local nginx port i
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	NGINX_PID=
	# No "port 0" in nginx: try free-looking ports until one binds.
	for _ in 1 2 3 4 5 6 7 8; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		if command -v ss >/dev/null && [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
			continue
		fi
		nginx_conf "$1" "$2" "$port"
		: >"$TMP/nginx-error.log"
		"$nginx" -p "$TMP/" -c "$TMP/nginx.conf" -e "$TMP/nginx-error.log" </dev/null >"$TMP/nginx.out" 2>&1 &
		NGINX_PID=$!
		for i in $(seq 50); do
			kill -0 "$NGINX_PID" 2>/dev/null || break
			[ "$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port$3")" = 200 ] &&
				{ NGINX_PORT=$port; return 0; }
			sleep 0.1
		done
		kill -TERM "$NGINX_PID" 2>/dev/null
		wait "$NGINX_PID" 2>/dev/null
		NGINX_PID=
		grep -q 'Address already in use' "$TMP/nginx-error.log" "$TMP/nginx.out" 2>/dev/null && continue
		cat "$TMP/nginx.out" "$TMP/nginx-error.log" >&2
		die "nginx did not start"
	done
	die "nginx found no free port"
}
