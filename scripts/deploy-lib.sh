# scripts/deploy-lib.sh — what the two deploy tries (deploy-try-single.sh,
# deploy-try-cluster.sh) do alike, sourced by each after it sets NAME (its own
# name, for messages) and defines fail() (says what failed, shows its logs,
# exits 1): find the consulta binary, a free loopback port, wait until a URL
# answers, and read the command a systemd unit's ExecStart runs.
# POSIX sh, as the scripts are.

# bin: CONSULTA_BIN, else build/consulta, else build-test/consulta, as an absolute path.
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${CONSULTA_BIN:-$here/build/consulta}
[ -x "$bin" ] || bin=$here/build-test/consulta
[ -x "$bin" ] || { echo "$NAME: no consulta binary (build it, or set CONSULTA_BIN)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
python=/usr/bin/python3 # Debian's, with aiosmtpd

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_http() { # URL: until it answers 200, at most 20 s
	i=0
	until curl -fsS -o /dev/null "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "nothing answers at $1"
		sleep 0.1
	done
}

# The command of a unit's ExecStart (continuation lines joined, systemd's %% and $$ made % and $).
exec_start() {
	sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$1" | sed -n 's/^ExecStart=//p' | sed -e 's/%%/%/g' -e 's/\$\$/$/g'
}
