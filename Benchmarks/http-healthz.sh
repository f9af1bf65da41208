#!/usr/bin/env bash
# GET /healthz on Switchboard against nginx `return 200` on the same machine, with wrk.
# Installs wrk, nginx, procps and curl when missing; builds the release binary; measures the
# start time of switchboard, then ROUNDS rounds alternating nginx and switchboard; prints a
# table per round and a summary (also saved under Benchmarks/out/). See Benchmarks/README.md.
#
# Environment: DURATION (10s), ROUNDS (3), CONNECTIONS (64), THREADS (1), WARMUP (2s, 0 = none),
#              EVENT_LOOPS (Switchboard's server.event_loops; one per core when unset),
#              SWITCHBOARD_BIN (a prebuilt binary or any command taking `serve --config FILE`;
#              when set, nothing is built).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/deps.sh
. "$root/scripts/lib/deps.sh"
cd "$root"

DURATION=${DURATION:-10s}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-2s}

sb_log "checking tools"
ensure_packages wrk nginx-light procps curl
if [ -z "${SWITCHBOARD_BIN:-}" ]; then
    ensure_swift
    ensure_packages "${SWITCHBOARD_BASE_PACKAGES[@]}"
    sb_log "building switchboard (release)"
    swift build -c release --product switchboard
    SWITCHBOARD_BIN="$root/.build/release/switchboard"
fi
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-bench.XXXXXX")
nginx_pid=""
sb_pid=""

stop_pid() {
    local pid=$1 _
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
}
# shellcheck disable=SC2317 # called from the trap
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$sb_pid"
    stop_pid "$nginx_pid"
    rm -rf "$tmp"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- nginx ---------------------------------------------------------------------------------

nginx_port=$(sb_free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 2;
daemon off;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    client_body_temp_path $tmp/nginx/client_body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        location / { return 200 "ok"; }
    }
}
NGINX

# Waits until URL answers 200, or fails after 30 s or when PID has exited.
wait_for_200() {
    local url=$1 pid=$2 _
    for _ in $(seq 1 3000); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" || true)" = 200 ] && return 0
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.01
    done
    return 1
}

sb_log "starting nginx on 127.0.0.1:$nginx_port"
"$nginx_bin" -p "$tmp/nginx/" -e "$tmp/nginx/error.log" -c "$tmp/nginx/nginx.conf" </dev/null >"$tmp/nginx/stdout.log" 2>&1 &
nginx_pid=$!
wait_for_200 "http://127.0.0.1:$nginx_port/healthz" "$nginx_pid" \
    || { cat "$tmp/nginx/error.log" "$tmp/nginx/stdout.log" >&2 2>/dev/null; sb_die "nginx did not start"; }

# --- switchboard ---------------------------------------------------------------------------

sb_port=$(sb_free_port)
cat >"$tmp/plugins.json" <<JSON
{
  "server": { "host": "127.0.0.1", "port": $sb_port${EVENT_LOOPS:+, \"event_loops\": $EVENT_LOOPS} },
  "storage": { "url": "sqlite:$tmp/bench.db" },
  "log": { "level": "warning" },
  "plugins": {}
}
JSON

sb_log "starting switchboard on 127.0.0.1:$sb_port ($SWITCHBOARD_BIN)"
start_ms=""
if command -v python3 >/dev/null 2>&1; then
    # python3 forks, the child execs switchboard, the parent times spawn → first 200 on a raw socket
    # (no client start-up in the measurement) and prints "PID MS", or "PID exited" / "PID timeout".
    read -r sb_pid start_ms < <(python3 - "$sb_port" "$tmp/switchboard.log" "$SWITCHBOARD_BIN" serve --config "$tmp/plugins.json" <<'PY'
import os, socket, sys, time
port, log, argv = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
t0 = time.monotonic_ns()
pid = os.fork()
if pid == 0:
    os.setsid()
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1); os.dup2(fd, 2)
    null = os.open(os.devnull, os.O_RDONLY); os.dup2(null, 0)
    try:
        os.execvp(argv[0], argv)
    finally:
        os._exit(127)
request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
deadline = t0 + 30 * 10**9
elapsed = "timeout"
while time.monotonic_ns() < deadline:
    if os.waitpid(pid, os.WNOHANG) != (0, 0):
        elapsed = "exited"
        break
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(request)
            head = s.recv(64)
            if head.startswith(b"HTTP/1.1 200") or head.startswith(b"HTTP/1.0 200"):
                elapsed = "%.1f" % ((time.monotonic_ns() - t0) / 1e6)
                break
    except OSError:
        pass
    time.sleep(0.001)
print(pid, elapsed)
PY
    ) || true
    [ -n "$sb_pid" ] || sb_die "could not start $SWITCHBOARD_BIN"
else
    t0=$(date +%s%N)
    setsid "$SWITCHBOARD_BIN" serve --config "$tmp/plugins.json" </dev/null >"$tmp/switchboard.log" 2>&1 &
    sb_pid=$!
    if wait_for_200 "http://127.0.0.1:$sb_port/healthz" "$sb_pid"; then
        start_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
    elif kill -0 "$sb_pid" 2>/dev/null; then
        start_ms=timeout
    else
        start_ms=exited
    fi
fi
case "$start_ms" in
    [0-9]*) ;;
    *)  tail -n 20 "$tmp/switchboard.log" >&2 2>/dev/null || true
        if [ "$start_ms" = exited ]; then
            sb_die "switchboard exited before answering 200 on /healthz (its last output, if any, is above)"
        fi
        sb_die "switchboard did not answer 200 on /healthz within 30 s" ;;
esac
sb_log "switchboard answered /healthz ${start_ms} ms after spawn"

# --- rounds --------------------------------------------------------------------------------

# parse_wrk FILE → "req/s p50_ms p99_ms non2xx socket_errors"
parse_wrk() {
    awk '
        function ms(v,   n, u) {
            n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u)
            if (u == "us") return n / 1000
            if (u == "s") return n * 1000
            if (u == "m") return n * 60000
            return n + 0
        }
        $1 == "Requests/sec:" { rps = $2 }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        /Non-2xx or 3xx responses:/ { bad = $NF }
        /Socket errors:/ { gsub(/,/, ""); errs = $4 + $6 + $8 + $10 }
        END {
            if (rps == "" || p50 == "" || p99 == "") exit 1
            printf "%s %.3f %.3f %d %d\n", rps, p50, p99, bad, errs
        }' "$1"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

url_of() { if [ "$1" = nginx ]; then echo "http://127.0.0.1:$nginx_port/healthz"; else echo "http://127.0.0.1:$sb_port/healthz"; fi; }

if [ "$WARMUP" != 0 ] && [ "$WARMUP" != 0s ]; then
    sb_log "warming up ($WARMUP each)"
    for target in nginx switchboard; do
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$(url_of "$target")" >/dev/null
    done
fi

mkdir -p "$root/Benchmarks/out"
report="$root/Benchmarks/out/http-healthz-$(date +%Y%m%d-%H%M%S).txt"
declare -A rps p50 p99
row() { printf '%-12s %12s %9s %9s %8s %8s\n' "$@"; }

{
    echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, GET /healthz on 127.0.0.1; $(nproc) CPUs"
    echo "switchboard: $SWITCHBOARD_BIN"
    echo "nginx: $("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //'), 2 workers, return 200"
} | tee "$report"

for round in $(seq 1 "$ROUNDS"); do
    echo | tee -a "$report"
    echo "round $round" | tee -a "$report"
    row target req/s "p50 ms" "p99 ms" non-2xx "sock err" | tee -a "$report"
    for target in nginx switchboard; do
        out="$tmp/wrk-$target-$round.txt"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$(url_of "$target")" >"$out" 2>&1 \
            || { cat "$out" >&2; sb_die "wrk failed against $target"; }
        parsed=$(parse_wrk "$out") || { cat "$out" >&2; sb_die "could not parse wrk's output for $target"; }
        read -r r l50 l99 bad errs <<<"$parsed"
        rps[$target]+="$r "; p50[$target]+="$l50 "; p99[$target]+="$l99 "
        row "$target" "$r" "$l50" "$l99" "$bad" "$errs" | tee -a "$report"
    done
done

# Peak RSS of the switchboard process over the whole run.
hwm_kib=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$sb_pid/status" 2>/dev/null || true)

# shellcheck disable=SC2086 # the lists are space-separated numbers
{
    nginx_rps=$(median ${rps[nginx]}); sb_rps=$(median ${rps[switchboard]})
    echo
    echo "summary: median of $ROUNDS rounds"
    printf '%-12s %12s %9s %9s\n' target req/s "p50 ms" "p99 ms"
    printf '%-12s %12.1f %9.3f %9.3f\n' nginx "$nginx_rps" "$(median ${p50[nginx]})" "$(median ${p99[nginx]})"
    printf '%-12s %12.1f %9.3f %9.3f\n' switchboard "$sb_rps" "$(median ${p50[switchboard]})" "$(median ${p99[switchboard]})"
    awk -v s="$sb_rps" -v n="$nginx_rps" 'BEGIN { printf "ratio switchboard/nginx (req/s): %.3f\n", (n > 0 ? s / n : 0) }'
    echo "switchboard start: ${start_ms} ms from spawn to the first 200 on /healthz"
    if [ -n "$hwm_kib" ]; then
        awk -v k="$hwm_kib" 'BEGIN { printf "switchboard peak RSS (VmHWM): %.1f MiB\n", k / 1024 }'
    else
        echo "switchboard peak RSS: unknown (/proc/$sb_pid/status unreadable)"
    fi
} | tee -a "$report"
sb_log "report saved to ${report#"$root"/}"
